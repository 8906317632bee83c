package io.buildgpt.train;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.LoraConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** An optimiser made for a quantized model without adapters would train only the float32 leftovers: refused, pointing to LoRA. */
class QuantizedAdamWTest {
    @Test
    void aQuantizedBaseWithoutLoraIsRefusedSayingWhatWouldTrain() {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(65, 8, 64, 4, 1, 0.0), 1);
        long all = model.parameterCount();
        model.quantizeBase(4);
        long left = model.trainableParameterCount();
        assertTrue(left < all, left + " of " + all);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(model, 1e-3));
        assertEquals(String.format(java.util.Locale.ROOT, "this model's base is quantized (INT4, groups of 64) and it has no LoRA adapters,"
                + " so AdamW would train only the %,d of its %,d parameters that stayed float32 (embeddings, LayerNorms, biases,"
                + " lm_head): quantized weights are frozen. Enable LoRA first, e.g. model.enableLora(LoraConfig.queryValue(8), seed)"
                + " (QLoRA), or dequantizeBase() to train every weight; to train only the float32 ones on purpose, pass them as a"
                + " list: new AdamW(model.trainableParameters(), learningRate)", left, all), e.getMessage());
        // the ways the message offers all work
        assertEquals(model.trainableParameters(), new AdamW(model.trainableParameters(), 1e-3).parameters());
        model.enableLora(LoraConfig.queryValue(4), 2);
        assertEquals(model.trainableParameters(), new AdamW(model, 1e-3).parameters());
    }
}
