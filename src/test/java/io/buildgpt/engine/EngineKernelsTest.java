package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Softmax;
import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.engine.kernels.Parallel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The small kernels behind the engine's speed: attention's float exp, ReLU's backward mask, thread-independent splits. */
class EngineKernelsTest {
    @Test
    void floatExpIsWithinOneUlpOfTheCorrectlyRoundedValue() {
        double worst = 0;
        for (int i = 0; i <= 1_000_000; i++) {
            float x = -87.3f * i / 1_000_000f;                                   // the whole range a softmax meets
            float want = (float) Math.exp(x), got = Softmax.exp(x);
            worst = Math.max(worst, Math.abs(got - want) / Math.ulp(want));
        }
        assertTrue(worst <= 1.0, "largest error " + worst + " ulp");
        assertEquals(1f, Softmax.exp(0f), 0f, "the row's maximum gets exactly 1");
        assertEquals(1f, Softmax.exp(-0f), 0f);
        assertEquals(0f, Softmax.exp(Float.NEGATIVE_INFINITY), 0f, "a masked score");
        assertEquals(0f, Softmax.exp(-200f), 0f, "underflow");
        assertTrue(Float.isNaN(Softmax.exp(Float.NaN)));
    }

    @Test
    void reluBackwardPassesTheGradientExactlyWhereTheInputWasPositive() {
        float[] h = {2f, -1f, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        float[] da = {1.5f, 2f, 3f, 4f, -5f, 6f, -7f, 8f, 9f};
        float[] dh = new float[h.length];
        FeedForward.reluBackward(h, da, dh, 0, h.length);
        for (int i = 0; i < h.length; i++) assertEquals(h[i] > 0 ? da[i] : 0f, dh[i], 0f, "h = " + h[i]);
        Random r = new Random(3);
        float[] hr = new float[1000], dar = new float[1000], dhr = new float[1000];
        for (int i = 0; i < hr.length; i++) {
            hr[i] = (float) r.nextGaussian();
            dar[i] = (float) r.nextGaussian();
        }
        FeedForward.reluBackward(hr, dar, dhr, 0, hr.length);
        for (int i = 0; i < hr.length; i++) assertEquals(hr[i] > 0 ? dar[i] : 0f, dhr[i], 0f);
    }

    @Test
    void layerNormGivesTheSameBitsOnOneAndTwoThreads() {
        int n = 3000, dim = 40;                                                 // 120,000 values: split over threads
        assertTrue(n * dim >= LayerNorm.PARALLEL_VALUES);
        Random r = new Random(9);
        float[] x = new float[n * dim], dy = new float[n * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 * r.nextGaussian() + 1);
            dy[i] = (float) r.nextGaussian();
        }
        try (Parallel two = new Parallel(2)) {
            LayerNorm one = new LayerNorm("ln", dim), split = new LayerNorm("ln", dim, two);
            for (LayerNorm ln : new LayerNorm[]{one, split}) {
                for (int j = 0; j < dim; j++) {
                    ln.weight().data()[j] = 1 + 0.1f * j;
                    ln.bias().data()[j] = 0.01f * j;
                }
            }
            LayerNorm.Buffers oneB = new LayerNorm.Buffers(), splitB = new LayerNorm.Buffers();
            assertArrayEquals(one.forward(oneB, x, n).clone(), split.forward(splitB, x, n).clone());
            assertArrayEquals(one.backward(oneB, dy).clone(), split.backward(splitB, dy).clone());
            assertArrayEquals(one.weight().grad(), split.weight().grad());
            assertArrayEquals(one.bias().grad(), split.bias().grad());
        }
    }

    @Test
    void matrixProductsGiveTheSameBitsOnOneAndTwoThreads() {
        int n = 300, k = 2 * Matmul.GRADIENT_ROWS + 50, m = 70;              // three gradient blocks, two row blocks
        Random r = new Random(11);
        float[] a = new float[Math.max(n * k, 600 * k)], b = new float[n * m], w = new float[k * m];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        try (Parallel two = new Parallel(2)) {
            Matmul serial = new Matmul(), split = new Matmul(two);
            float[] c1 = new float[k * m], c2 = new float[k * m];
            for (int rep = 0; rep < 2; rep++) {                                 // the second one accumulates
                serial.accumulateTransposedA(a, b, c1, n, k, m);
                split.accumulateTransposedA(a, b, c2, n, k, m);
            }
            assertArrayEquals(c1, c2, "dW += a^T b");
            float[] y1 = new float[600 * m], y2 = new float[600 * m];
            serial.multiply(a, w, y1, 600, k, m);
            split.multiply(a, w, y2, 600, k, m);
            assertArrayEquals(y1, y2, "a @ w");
            double want = 0;                                                    // one entry by hand, in double
            for (int i = 0; i < n; i++) want += (double) a[i * k + k - 1] * b[i * m + 3];
            assertEquals(2 * want, c1[(k - 1) * m + 3], 1e-3);
        }
    }
}
