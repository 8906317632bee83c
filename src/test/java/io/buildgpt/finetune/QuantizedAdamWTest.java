package io.buildgpt.finetune;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.train.AdamW;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** An optimiser made for a quantized model without adapters would train only the float32 leftovers: refused, pointing to LoRA. */
class QuantizedAdamWTest {
    @Test
    void aQuantizedBaseWithoutLoraIsRefusedSayingWhatWouldTrain() {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(65, 8, 64, 4, 1, 0.0), 1);
        long all = model.parameterCount();
        Quantize.base(model, 4);
        long left = model.trainableParameterCount();
        assertTrue(left < all, left + " of " + all);
        assertEquals(all, model.parameterCount(), "quantized weights still count");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(model, 1e-3));
        assertEquals(String.format(java.util.Locale.ROOT, "this model's Linear weights are frozen (a quantized base) and it has no LoRA"
                + " adapters, so AdamW would train only the %,d of its %,d parameters that stayed float32 (embeddings, LayerNorms, biases,"
                + " lm_head). Enable LoRA first, e.g. Lora.enable(model, LoraConfig.queryValue(8), seed) (QLoRA), or"
                + " Quantize.dequantize(model) to train every weight; to train only the float32 ones on purpose, pass them as a"
                + " list: new AdamW(model.trainableParameters(), learningRate)", left, all), e.getMessage());
        // the ways the message offers all work
        assertEquals(model.trainableParameters(), new AdamW(model.trainableParameters(), 1e-3).parameters());
        Lora.enable(model, LoraConfig.queryValue(4), 2);
        assertEquals(model.trainableParameters(), new AdamW(model, 1e-3).parameters());
        assertEquals(Lora.adapterParameters(model), model.trainableParameters(), "QLoRA: only the adapters train");
        GptLanguageModel dequantized = new GptLanguageModel(new GptConfig(65, 8, 64, 4, 1, 0.0), 1);
        Quantize.base(dequantized, 4);
        Quantize.dequantize(dequantized);
        assertEquals(dequantized.parameters(), new AdamW(dequantized, 1e-3).parameters(), "dequantized: every weight trains");
        assertEquals(all, dequantized.trainableParameterCount());
    }
}
