package io.buildgpt.engine;

import io.buildgpt.finetune.Lora;
import io.buildgpt.finetune.LoraAdapter;
import io.buildgpt.finetune.LoraConfig;
import io.buildgpt.finetune.QuantSpec;
import io.buildgpt.finetune.Quantize;
import io.buildgpt.random.TorchGenerator;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.buildgpt.engine.Gpt2VariantTest.TINY;
import static io.buildgpt.engine.Gpt2VariantTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fine-tuning on the GPT-2 variant's layers: gradients through PEFT-style adapters, frozen weights, the tied head. */
class Gpt2LoraTest {
    @Test
    void peftStyleLoraOnTheFusedCAttnHasFiniteDifferenceGradients() {
        GptLanguageModel model = new GptLanguageModel(TINY, 3);
        LectureInit.fill(model, new TorchGenerator(3), false);
        Lora.enable(model, LoraConfig.peft(2, 4, 0.0, java.util.List.of("c_attn", "c_proj", "c_fc")), 5);
        Random r = new Random(9);
        for (LoraAdapter a : Lora.adapters(model)) for (int i = 0; i < a.b().size(); i++) a.b().data()[i] = (float) (0.3 * r.nextGaussian());
        assertEquals("blocks.0.sa.c_attn.lora_A", Lora.adapters(model).get(0).a().name());
        assertEquals(3 * 8, Lora.adapters(model).get(0).b().shape()[0], "one B (3C, r) on the fused projection");
        int[] x = ids(8, 7, 1), y = ids(8, 7, 2);
        LayerCheck.checkModel(model, x, y, 2, 4, 1e-2);
    }

    @Test
    void frozenWeightsGetNoGradientArray() {
        GptLanguageModel model = new GptLanguageModel(TINY, 3);
        Lora.enable(model, LoraConfig.peft(2, 4, 0.0, java.util.List.of("c_attn", "c_fc")), 5);
        model.lossAndGradients(ids(8, 7, 1), ids(8, 7, 2), 2, 4);
        for (Linear l : model.linears()) {
            for (Parameter p : l.weight().parameters()) {
                if (!p.name().contains("lora_")) assertFalse(p.hasGrad(), p.name() + " is frozen: no gradient array");
            }
        }
        assertFalse(model.parameters().get(0).hasGrad(), "the frozen token embedding (and tied lm_head) gets no gradient array");
        for (Parameter p : model.trainableParameters()) assertTrue(p.hasGrad(), p.name());
    }

    @Test
    void theTiedHeadCannotBeQuantized() {
        GptLanguageModel model = new GptLanguageModel(TINY, 3);
        assertThrows(IllegalArgumentException.class, () -> Quantize.base(model, QuantSpec.ofBits(8, 8), true));
    }
}
