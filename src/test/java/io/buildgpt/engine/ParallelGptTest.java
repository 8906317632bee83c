package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Parallel;
import io.buildgpt.engine.kernels.Matmul;

import io.buildgpt.train.AdamW;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Splitting by output rows and (batch, head) pairs must not change a single bit. */
class ParallelGptTest {
    @Test
    void twoThreadsGiveTheSameLossGradientsAndWeightsAsOne() {
        GptConfig config = new GptConfig(65, 16, 32, 4, 2, 0.0);
        try (GptLanguageModel one = new GptLanguageModel(config, 7); GptLanguageModel two = new GptLanguageModel(config, 7, 2)) {
            assertEquals(2, two.threads());
            AdamW optOne = new AdamW(one.parameters(), 1e-3), optTwo = new AdamW(two.parameters(), 1e-3);
            for (int step = 0; step < 3; step++) {
                // 40*16 = 640 rows: three row blocks of Matmul.BLOCK_ROWS, shared out differently by 1 and 2 threads
                int[] x = GptLanguageModelTest.randomIds(40 * 16, 65, 10 + step), y = GptLanguageModelTest.randomIds(40 * 16, 65, 20 + step);
                assertEquals(one.lossAndGradients(x, y, 40, 16), two.lossAndGradients(x, y, 40, 16), 0.0, "step " + step);
                assertSameParameters(one.parameters(), two.parameters(), true);
                optOne.step();
                optTwo.step();
                assertSameParameters(one.parameters(), two.parameters(), false);
            }
            int[] x = GptLanguageModelTest.randomIds(3 * 11, 65, 5);
            assertArrayEquals(one.logits(x, 3, 11, false), two.logits(x, 3, 11, false), "eval logits, odd shapes");
        }
    }

    @Test
    void dropoutMasksDrawnPerHeadOnSeveralThreadsStillMatch() {
        GptConfig config = new GptConfig(13, 8, 16, 4, 2, 0.2);
        try (GptLanguageModel one = new GptLanguageModel(config, 3); GptLanguageModel two = new GptLanguageModel(config, 3, 2);
             GptLanguageModel three = new GptLanguageModel(config, 3, 3)) {
            for (int step = 0; step < 2; step++) {                                // the second step draws the next masks
                int[] x = GptLanguageModelTest.randomIds(4 * 8, 13, 1 + step), y = GptLanguageModelTest.randomIds(4 * 8, 13, 2 + step);
                double loss = one.lossAndGradients(x, y, 4, 8);
                assertEquals(loss, two.lossAndGradients(x, y, 4, 8), 0.0);
                assertEquals(loss, three.lossAndGradients(x, y, 4, 8), 0.0);
                assertSameParameters(one.parameters(), two.parameters(), true);
                assertSameParameters(one.parameters(), three.parameters(), true);
            }
        }
    }

    @Test
    void modelsThatAreNeverClosedLeaveNoThreadsBehind() throws InterruptedException {
        GptConfig config = new GptConfig(13, 8, 16, 2, 1, 0.0);
        int before = poolThreads(), peak = before;
        for (int i = 0; i < 100; i++) {
            GptLanguageModel model = new GptLanguageModel(config, i, 2); // never closed, as in a loop or a re-run cell
            int[] x = GptLanguageModelTest.randomIds(40 * 8, 13, i);          // 320 rows: two row blocks, so both threads work
            model.loss(x, x, 40, 8);
            peak = Math.max(peak, poolThreads());
        }
        assertTrue(peak > before, "the models used their helper threads");
        long deadline = System.currentTimeMillis() + Parallel.IDLE_MILLIS + 10_000;
        while (poolThreads() > before && System.currentTimeMillis() < deadline) Thread.sleep(100);
        assertTrue(poolThreads() <= before, poolThreads() + " helper threads still alive after 100 unclosed models (" + before + " before)");
    }

    @Test
    void aClosedModelRefusesWorkInsteadOfHanging() {
        GptConfig config = new GptConfig(13, 8, 16, 2, 1, 0.0);
        GptLanguageModel model = new GptLanguageModel(config, 1, 2);
        int[] x = GptLanguageModelTest.randomIds(4 * 8, 13, 1);
        model.loss(x, x, 4, 8);
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.loss(x, x, 4, 8));
        assertTrue(e.getMessage().contains("was closed"), e.getMessage());
    }

    private static int poolThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.isAlive() && t.getName().startsWith("buildgpt-parallel-")) n++;
        return n;
    }

    @Test
    void threadCountIsChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GptLanguageModel(GptConfig.smallDefaults(65), 1, 0));
        assertTrue(e.getMessage().contains("threads = 0 is out of range"), e.getMessage());
    }

    private static void assertSameParameters(List<Parameter> a, List<Parameter> b, boolean gradients) {
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(gradients ? a.get(i).grad() : a.get(i).data(), gradients ? b.get(i).grad() : b.get(i).data(), a.get(i).name());
        }
    }
}
