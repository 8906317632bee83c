package io.buildgpt.engine;

import io.buildgpt.train.AdamW;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Gradient checkpointing runs each block's forward a second time inside the backward pass: the loss, every
 * gradient and the weights after AdamW must be the same bits as without it, dropout masks included (the
 * second forward has to draw the masks the first one drew), and the blocks' own buffers must stay empty.
 */
class GradientCheckpointingTest {
    @Test
    void sameBitsAsKeepingEveryActivationWithDropoutOnSeveralThreads() {
        GptConfig config = new GptConfig(29, 8, 16, 4, 3, 0.2);
        try (GptLanguageModel plain = new GptLanguageModel(config, 5, 2); GptLanguageModel ckpt = new GptLanguageModel(config, 5, 2)) {
            ckpt.setGradientCheckpointing(true);
            assertTrue(ckpt.gradientCheckpointing());
            AdamW optPlain = new AdamW(plain.parameters(), 1e-2), optCkpt = new AdamW(ckpt.parameters(), 1e-2);
            for (int step = 0; step < 3; step++) {                              // later steps draw later masks
                int[] x = GptLanguageModelTest.randomIds(6 * 8, 29, 40 + step), y = GptLanguageModelTest.randomIds(6 * 8, 29, 50 + step);
                assertEquals(plain.lossAndGradients(x, y, 6, 8), ckpt.lossAndGradients(x, y, 6, 8), 0.0, "step " + step);
                assertSame(plain.parameters(), ckpt.parameters(), true);
                optPlain.step();
                optCkpt.step();
                assertSame(plain.parameters(), ckpt.parameters(), false);
            }
            int[] x = GptLanguageModelTest.randomIds(3 * 7, 29, 9);
            assertArrayEquals(plain.logits(x, 3, 7, false), ckpt.logits(x, 3, 7, false), "evaluation through the shared buffers");
            for (int i = 0; i < config.nLayer(); i++) assertFalse(ckpt.stack().acts.blocks[i].used(), "block " + i + "'s own buffers");
            int[] context = GptLanguageModelTest.randomIds(8, 29, 3);
            float[][] a = plain.attentionWeights(context, 1, 2), b = ckpt.attentionWeights(context, 1, 2);
            for (int t = 0; t < a.length; t++) assertArrayEquals(a[t], b[t], "attention weights, row " + t);
        }
    }

    @Test
    void microBatchesAndSwitchingOnAfterAPlainStep() {
        GptConfig config = GptConfig.gpt2(31, 16, 16, 2, 2, 0.1);              // GPT-2: embedding dropout before the blocks
        try (GptLanguageModel plain = new GptLanguageModel(config, 8); GptLanguageModel ckpt = new GptLanguageModel(config, 8)) {
            int[] x = GptLanguageModelTest.randomIds(4 * 16, 31, 1), y = GptLanguageModelTest.randomIds(4 * 16, 31, 2);
            assertEquals(plain.lossAndGradients(x, y, 4, 16), ckpt.lossAndGradients(x, y, 4, 16), 0.0);
            assertTrue(ckpt.stack().acts.blocks[0].used());
            ckpt.setGradientCheckpointing(true);                                 // lets the blocks' buffers go
            assertFalse(ckpt.stack().acts.blocks[0].used());
            assertEquals(plain.lossAndGradients(x, y, 4, 16, 2), ckpt.lossAndGradients(x, y, 4, 16, 2), 0.0, "two micro-batches");
            assertSame(plain.parameters(), ckpt.parameters(), true);
            ckpt.setGradientCheckpointing(false);
            assertEquals(plain.lossAndGradients(x, y, 4, 16), ckpt.lossAndGradients(x, y, 4, 16), 0.0, "off again");
            assertSame(plain.parameters(), ckpt.parameters(), true);
        }
    }

    private static void assertSame(List<Parameter> a, List<Parameter> b, boolean gradients) {
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(gradients ? a.get(i).grad() : a.get(i).data(), gradients ? b.get(i).grad() : b.get(i).data(), a.get(i).name());
        }
    }
}
