package io.buildgpt.random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Initialisers pinned to PyTorch 2.13 (CPU): {@code python3 src/bench/torch_random.py}. */
class TorchInitTest {

    @Test
    void embeddingOfTheSeedNotebook() {
        assertArrayEquals(new float[] {0.336690366f, 0.128809407f, 0.234462366f, 0.23033303f, -1.12285638f, -0.186328292f},
                TorchInit.embedding(new TorchGenerator(42), 3, 2));
    }

    @Test
    void linearWeightThenBias() {
        TorchGenerator g = new TorchGenerator(1337);
        assertArrayEquals(new float[] {-0.377164632f, -0.00392051227f, 0.110102318f, -0.0693734288f, -0.267980784f,
                -0.421584964f, 0.076136753f, 0.175912261f, -0.28967008f, -0.215086147f, 0.186543643f, 0.0723921731f,
                -0.395883441f, 0.238694847f, 0.337944746f}, TorchInit.linearWeight(g, 5, 3));
        assertArrayEquals(new float[] {-0.229538828f, 0.0899134278f, 0.185974061f}, TorchInit.linearBias(g, 5, 3));
    }

    @Test
    void largerLinear() {
        TorchGenerator g = new TorchGenerator(0);
        float[] w = TorchInit.linearWeight(g, 64, 256);
        float[] b = TorchInit.linearBias(g, 64, 256);
        assertEquals(6.89389017, TorchGeneratorTest.sum(w), 1e-5);
        assertArrayEquals(new float[] {-0.000935852528f, 0.0889921933f, 0.113182798f}, new float[] {w[0], w[16383], b[255]});
    }
}
