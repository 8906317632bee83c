package io.buildgpt.engine.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class MatmulTest {
    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** c(n,m) = a(n,k) @ b(k,m) by the textbook triple loop, in double. */
    private static double[] naive(float[] a, float[] b, int n, int k, int m) {
        double[] c = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                for (int p = 0; p < k; p++) c[i * m + j] += (double) a[i * k + p] * b[p * m + j];
        return c;
    }

    private static void assertClose(double[] expected, float[] actual, int count) {
        for (int i = 0; i < count; i++) assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])), "entry " + i);
    }

    @Test
    void allKernelsMatchTheNaiveTripleLoop() {
        Random r = new Random(1);
        // odd sizes exercise the unrolled loops' remainders
        for (int[] s : new int[][]{{7, 5, 3}, {1, 64, 65}, {33, 66, 17}, {4, 4, 4}, {3, 1, 2}, {600, 33, 70}}) {
            int n = s[0], k = s[1], m = s[2];
            float[] a = random(r, n * k), b = random(r, k * m);
            float[] c = new float[n * m];
            Matmul mm = new Matmul();
            mm.multiply(a, b, c, n, k, m);
            assertClose(naive(a, b, n, k, m), c, n * m);

            float[] bt = new float[m * k];
            Matmul.transpose(b, bt, k, m);                                  // (k,m) -> (m,k)
            float[] c2 = new float[n * m];
            Matmul.multiplyTransposed(a, bt, c2, 0, m, n, k, m);
            assertClose(naive(a, b, n, k, m), c2, n * m);                   // a @ (b^T)^T
            float[] c3 = new float[n * m];
            mm.multiplyByTransposeOf(a, bt, c3, n, k, m);
            assertClose(naive(a, b, n, k, m), c3, n * m);

            float[] at = new float[k * n];
            Matmul.transpose(a, at, n, k);                                  // a^T (k,n)
            float[] g = random(r, n * m), acc = random(r, k * m), start = acc.clone();
            mm.accumulateTransposedA(a, g, acc, n, k, m);                   // acc += a^T @ g
            double[] expected = naive(at, g, k, n, m);
            for (int i = 0; i < expected.length; i++) expected[i] += start[i];
            assertClose(expected, acc, k * m);
        }
    }

    @Test
    void multiplyTransposedWritesAtAnOffsetAndStride() {
        Random r = new Random(2);
        float[] a = random(r, 2 * 6), w = random(r, 3 * 6);
        float[] c = new float[2 * 10];
        Matmul.multiplyTransposed(a, w, c, 4, 10, 2, 6, 3);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 10; j++) {
                if (j < 4 || j >= 7) { assertEquals(0f, c[i * 10 + j]); continue; }
                double dot = 0;
                for (int p = 0; p < 6; p++) dot += a[i * 6 + p] * w[(j - 4) * 6 + p];
                assertEquals(dot, c[i * 10 + j], 1e-5);
            }
        }
    }
}
