package io.buildgpt.finetune;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * QLoRA's products share a quantized weight's blocks out over the threads (row blocks forward, column blocks
 * backward): the loss and every adapter gradient must be the same bits for 1 and 2 threads.
 */
class QuantizedThreadsTest {
    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        GptConfig config = new GptConfig(11, 16, 128, 4, 1, 0.0);     // ffwd.net.2 has 512 inputs: two column blocks
        int batch = 2, time = 16;
        Random r = new Random(3);
        int[] x = new int[batch * time], y = new int[batch * time];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(11);
            y[i] = r.nextInt(11);
        }
        double[] loss = new double[2];
        List<List<float[]>> grads = new java.util.ArrayList<>();
        for (int threads = 1; threads <= 2; threads++) {
            try (GptLanguageModel model = new GptLanguageModel(config, 5, threads)) {
                Quantize.base(model, QuantSpec.nf4DoubleQuant(), false);
                Lora.enable(model, new LoraConfig(4, 8, 0.0, LoraConfig.Targets.ALL_LINEAR), 7);
                for (LoraAdapter a : Lora.adapters(model)) {            // B off zero, so that every gradient is nonzero
                    for (int i = 0; i < a.b().size(); i++) a.b().data()[i] = (float) (0.1 * Math.sin(i + 1));
                }
                loss[threads - 1] = model.lossAndGradients(x, y, batch, time);
                grads.add(model.trainableParameters().stream().map(p -> p.grad().clone()).toList());
            }
        }
        assertEquals(loss[0], loss[1], 0.0, "the loss, bit for bit");
        assertEquals(grads.get(0).size(), grads.get(1).size());
        for (int i = 0; i < grads.get(0).size(); i++) assertArrayEquals(grads.get(0).get(i), grads.get(1).get(i), "gradient " + i);
        double sum = 0;
        for (float[] g : grads.get(0)) for (float v : g) sum += Math.abs(v);
        org.junit.jupiter.api.Assertions.assertTrue(sum > 0, "the adapters got gradients");
    }
}
