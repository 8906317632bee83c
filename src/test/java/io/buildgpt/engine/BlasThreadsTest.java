package io.buildgpt.engine;

import org.bytedeco.openblas.global.openblas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ND4J's backend sets OpenBLAS to one thread per core when it starts, which can happen in any cell after the
 * engine's first product. The engine's numbers must not change when that happens: OpenBLAS's own threading
 * rounds differently (and oversubscribes the cores the engine's pool already uses).
 */
class BlasThreadsTest {
    @AfterEach
    void oneThreadAgain() {
        openblas.blas_set_num_threads(1);
    }

    @Test
    void anotherLibrarySettingOpenBlasThreadsChangesNoBit() {
        GptConfig config = new GptConfig(65, 32, 64, 4, 2, 0.0);
        try (GptLanguageModel model = new GptLanguageModel(config, 11, 2)) {
            int[] x = GptLanguageModelTest.randomIds(64 * 32, 65, 1), y = GptLanguageModelTest.randomIds(64 * 32, 65, 2);
            double before = model.lossAndGradients(x, y, 64, 32);
            float[] gradBefore = model.parameters().get(2).grad().clone();
            openblas.blas_set_num_threads(4);                      // what ND4J's Nd4jBlas does at start-up on a 4-core machine
            double after = model.lossAndGradients(x, y, 64, 32);
            assertEquals(before, after, 0.0, "the loss after OpenBLAS was set to 4 threads");
            assertArrayEquals(gradBefore, model.parameters().get(2).grad(), model.parameters().get(2).name());
        }
    }
}
