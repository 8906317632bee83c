package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GptGenerationTest {
    private final GptConfig config = new GptConfig(13, 8, 16, 4, 2, 0.0);
    private final GptLanguageModel model = new GptLanguageModel(config, 21);

    private static INDArray prompt(long[][] ids) {
        return Nd4j.createFromArray(ids);
    }

    @Test
    void cachedAndUncachedGenerationGiveTheSameTokensPastBlockSize() {
        INDArray idx = prompt(new long[][]{{1, 2, 3}, {4, 5, 6}});
        for (Integer topK : new Integer[]{null, 3}) {
            INDArray plain = model.generate(idx, 30, 1.0, topK, 77);       // 33 tokens: the window slides past blockSize 8
            INDArray cached = model.generateCached(idx, 30, 1.0, topK, 77);
            assertArrayEquals(new long[]{2, 33}, plain.shape());
            assertEquals(plain, cached, "topK " + topK);
            assertEquals(idx, plain.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)));
        }
        assertNotEquals(model.generate(idx, 30, 1.0, null, 77), model.generate(idx, 30, 1.0, null, 78));
        // a prompt longer than blockSize starts from its last 8 tokens
        INDArray longPrompt = prompt(new long[][]{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}});
        assertEquals(model.generate(longPrompt, 5, 0.8, null, 3), model.generateCached(longPrompt, 5, 0.8, null, 3));
    }

    @Test
    void cachedStepLogitsEqualTheFullForwardPass() {
        int[] seq = {3, 1, 4, 1, 5, 9, 2, 6};
        float[] full = model.logits(seq, 1, 8, false).clone();   // (1, 8, V)
        KvCache[] caches = model.stack().caches();
        for (KvCache k : caches) k.clear();
        model.stack().logits(Arrays.copyOf(seq, 1), 1, 1, false, caches, true); // prefill position 0
        assertEquals(1, caches[0].length());
        for (int pos = 1; pos < 8; pos++) {
            float[] step = model.stack().logits(new int[]{seq[pos]}, 1, 1, false, caches, true); // one position, over the cache
            for (int v = 0; v < 13; v++) assertEquals(full[pos * 13 + v], step[v], 1e-5f, "position " + pos);
        }
    }

    @Test
    void topOneIsGreedyAndTemperatureIsChecked() {
        INDArray idx = prompt(new long[][]{{0}});
        INDArray greedy = model.generate(idx, 6, 1.0, 1, 1);
        assertEquals(greedy, model.generate(idx, 6, 1.0, 1, 99), "top-1 sampling does not depend on the seed");
        int[] ids = Arrays.stream(greedy.toLongVector()).mapToInt(l -> (int) l).toArray();
        float[] logits = model.logits(Arrays.copyOf(ids, 6), 1, 6, false);
        for (int t = 0; t < 6; t++) {
            int best = 0;
            for (int v = 1; v < 13; v++) if (logits[t * 13 + v] > logits[t * 13 + best]) best = v;
            assertEquals(best, ids[t + 1], "position " + t);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.generate(idx, 3, 0.0, null, 1));
        assertTrue(e.getMessage().contains("temperature = 0.0 is out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.generateCached(idx, 3, 1.0, 14, 1));
        assertTrue(e.getMessage().contains("topK = 14 is out of range"), e.getMessage());
    }
    @Test
    void generationReadsTheWeightsAsTheyAreAtEachCall() {
        // generation copies each weight once per call for BLAS (Matmul.pinWeights); a weight changed between calls
        // must be read afresh, and the copies must give what the uncopied forward pass gives
        GptLanguageModel a = new GptLanguageModel(config, 21), b = new GptLanguageModel(config, 21);
        INDArray idx = prompt(new long[][]{{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}}); // 2 x 8 = 16 rows: BLAS
        INDArray before = a.generate(idx, 12, 1.0, 1, 5);
        for (GptLanguageModel m : List.of(a, b)) {
            for (Parameter p : m.parameters()) {                          // the first block's weights only: BLAS reads
                if (!p.name().startsWith("blocks.0.") || p.shape().length != 2) continue; // them from its copies
                for (int i = 0; i < p.data.length; i++) p.data[i] += 0.5f * (float) Math.sin(7 * i + 1);
            }
        }
        INDArray after = a.generate(idx, 12, 1.0, 1, 5);
        assertNotEquals(before, after, "the change must show in the tokens for this test to mean anything");
        assertEquals(b.generate(idx, 12, 1.0, 1, 5), after);
        int[] ids = Arrays.stream(after.reshape(40).toLongVector()).mapToInt(l -> (int) l).toArray(); // (2, 20)
        for (int t = 8; t < 20; t++) {
            int[] window = new int[16];                                   // the 8 tokens before position t, both rows
            for (int r = 0; r < 2; r++) System.arraycopy(ids, r * 20 + t - 8, window, r * 8, 8);
            float[] logits = a.logits(window, 2, 8, false);              // (2, 8, V), no copies kept
            for (int r = 0; r < 2; r++) {
                int last = (r * 8 + 7) * 13, best = 0;
                for (int v = 1; v < 13; v++) if (logits[last + v] > logits[last + best]) best = v;
                assertEquals(best, ids[r * 20 + t], "row " + r + ", position " + t);
            }
        }
    }
}
