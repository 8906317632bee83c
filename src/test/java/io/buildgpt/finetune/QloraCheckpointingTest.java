package io.buildgpt.finetune;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * QLoRA as PEFT prepares it: an NF4 + double-quant base, LoRA with dropout of its own, gradient checkpointing on.
 * The second forward inside the backward pass must draw the adapters' dropout masks again (their generators are
 * the finetune package's, handed to the engine through {@code Weight.randomStreams}): the same loss and adapter
 * gradients, step after step, as the run that keeps every activation.
 */
class QloraCheckpointingTest {
    @Test
    void adaptersWithDropoutGetTheSameBitsWithCheckpointing() {
        GptConfig config = GptConfig.gpt2(13, 16, 64, 4, 2, 0.1);
        Random r = new Random(11);
        int batch = 3, time = 16;
        List<double[]> losses = new ArrayList<>();
        List<List<float[]>> grads = new ArrayList<>();
        for (boolean checkpointing : new boolean[]{false, true}) {
            try (GptLanguageModel model = new GptLanguageModel(config, 4, 2)) {
                Quantize.base(model, QuantSpec.nf4DoubleQuant(), false);
                Lora.enable(model, LoraConfig.peft(4, 8, 0.2, List.of("c_attn", "c_fc")), 9);
                model.setGradientCheckpointing(checkpointing);
                for (LoraAdapter a : Lora.adapters(model)) {            // B off zero: every gradient is nonzero
                    for (int i = 0; i < a.b().size(); i++) a.b().data()[i] = (float) (0.1 * Math.cos(i + 1));
                }
                double[] loss = new double[2];
                List<float[]> g = new ArrayList<>();
                for (int step = 0; step < 2; step++) {                  // the second step draws the next masks
                    r.setSeed(step);
                    int[] x = r.ints(batch * time, 0, 13).toArray(), y = r.ints(batch * time, 0, 13).toArray();
                    loss[step] = model.lossAndGradients(x, y, batch, time);
                    for (var p : model.trainableParameters()) g.add(p.grad().clone());
                }
                losses.add(loss);
                grads.add(g);
            }
        }
        assertArrayEquals(losses.get(0), losses.get(1), 0.0, "losses, bit for bit");
        for (int i = 0; i < grads.get(0).size(); i++) assertArrayEquals(grads.get(0).get(i), grads.get(1).get(i), "gradient " + i);
        assertEquals(grads.get(0).size(), grads.get(1).size());
    }
}
