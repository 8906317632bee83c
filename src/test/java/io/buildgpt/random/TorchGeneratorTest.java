package io.buildgpt.random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each draw pinned to the values PyTorch 2.13 (CPU) prints: {@code python3 src/bench/torch_random.py}. */
class TorchGeneratorTest {

    @Test
    void randintIsTheIssuesExample() {
        assertArrayEquals(new long[] {76049L, 234249L, 934904L, 560986L}, new TorchGenerator(1337).randint(1003846, 4));
        assertArrayEquals(new long[] {45L, 12L, 56L, 56L, 3L}, new TorchGenerator(7).randint(65, 5));
    }

    @Test
    void randintAbove2To32UsesSixtyFourBits() {
        assertArrayEquals(new long[] {752595690692L, 108744157686L, 291964244179L}, new TorchGenerator(7).randint(1L << 40, 3));
    }

    @Test
    void randAndUniform() {
        assertArrayEquals(new float[] {0.830251873f, 0.126110911f, 0.90746969f, 0.819927037f, 0.920103431f, 0.116645217f},
                new TorchGenerator(5).rand(6));
        float[] u = new float[6];
        new TorchGenerator(5).uniform_(u, 0, 6, -0.3, 0.7);
        assertArrayEquals(new float[] {0.530251861f, -0.173889101f, 0.607469678f, 0.519927025f, 0.620103419f, -0.183354795f}, u);
    }

    @Test
    void randnBelowSixteenIsTheScalarPathWithItsCachedPair() {
        assertArrayEquals(new float[] {0.0447275378f, 1.91123903f, -0.231030896f, 0.345928162f, 1.31802821f, 0.369637012f,
                0.384111553f, 0.297038257f, 0.747286558f, 1.08737469f, -0.771757185f, -0.294212729f, -0.838661969f,
                -0.422899097f, 0.0214538425f}, new TorchGenerator(9).randn(15));
        TorchGenerator g = new TorchGenerator(9);
        float[] a = g.randn(1);
        float[] b = g.randn(3); // starts with the sine half of the first call's pair
        assertArrayEquals(new float[] {0.0447275378f, 1.91123903f, -0.231030896f, 0.345928162f},
                new float[] {a[0], b[0], b[1], b[2]});
        g.manualSeed(9); // manual_seed forgets the cached value
        assertEquals(0.0447275378f, g.randn(1)[0]);
    }

    @Test
    void randnOfSixteenIsOneVectorBlock() {
        assertArrayEquals(new float[] {1.92691529f, 1.48728406f, 0.900717199f, -2.10552096f, 0.678418458f, -1.23454487f,
                -0.0430674776f, -1.60466695f, -0.752135277f, 1.64872301f, -0.392478645f, -1.40360713f, -0.727881312f,
                -0.559430182f, -0.768838882f, 0.76244539f}, new TorchGenerator(42).randn(16));
    }

    @Test
    void randnTailRedrawsTheLastSixteen() {
        float[] t = new TorchGenerator(1337).randn(37);
        assertArrayEquals(new float[] {0.180771589f, -0.0699880943f, -0.359623492f}, new float[] {t[0], t[1], t[2]});
        float[] last = new float[8];
        System.arraycopy(t, 29, last, 0, 8);
        assertArrayEquals(new float[] {0.571819842f, -0.597354472f, -0.693675697f, -0.729623258f, -1.55799866f,
                -0.394999176f, 0.611154497f, -1.7096585f}, last);
        assertEquals(-0.628602751, sum(t), 1e-6);
    }

    @Test
    void normalWithMeanAndStdOverManyBlocks() {
        float[] t = new float[5000];
        new TorchGenerator(3).normal_(t, 0, 5000, 1.5, 3.0);
        assertArrayEquals(new float[] {1.2700671f, 2.57964468f, 2.87605667f}, new float[] {t[0], t[1], t[4999]});
        assertEquals(7493.55097, sum(t), 1e-3); // every element equal gives the same sum up to summation order
    }

    @Test
    void normalWritesOnlyItsSlice() {
        float[] t = new float[20];
        new TorchGenerator(42).normal_(t, 2, 16, 0, 1);
        assertEquals(0f, t[0]);
        assertEquals(0f, t[18]);
        assertEquals(1.92691529f, t[2]);
    }

    @Test
    void exponential() {
        float[] q = new float[5];
        new TorchGenerator(11).exponential_(q, 0, 5, 1.0);
        assertArrayEquals(new float[] {0.213606343f, 2.1653688f, 1.11336303f, 1.09266841f, 0.860338449f}, q);
    }

    @Test
    void multinomialOfA65WaySoftmax() {
        float[] logits = new TorchGenerator(1337).randn(65);
        float[] probs = softmax(logits);
        TorchGenerator g = new TorchGenerator(2024);
        int[] got = new int[8];
        for (int i = 0; i < 8; i++) got[i] = g.multinomial(probs, 0, 65);
        assertArrayEquals(new int[] {31, 9, 16, 31, 26, 9, 31, 23}, got);
    }

    @Test
    void dropoutMaskIsBernoulliOfOneMinusP() {
        float[] mask = new float[24];
        new TorchGenerator(3).dropoutMask(mask, 0, 24, 0.2);
        float[] expected = new float[24];
        java.util.Arrays.fill(expected, 1.25f);
        expected[14] = 0f;
        expected[18] = 0f;
        assertArrayEquals(expected, mask);
    }

    @Test
    void dropoutMaskEqualsBernoulliThenDivisionForEveryP() {
        for (double p : new double[]{0.0, 0.1, 0.2, 0.5, 0.7, 0.99, 1e-9}) {
            int n = 100_000;
            float[] fast = new float[n], slow = new float[n];
            new TorchGenerator(17).dropoutMask(fast, 0, n, p);
            new TorchGenerator(17).bernoulli_(slow, 0, n, 1.0 - p);            // the definition, step by step
            float scale = (float) (1.0 - p);
            for (int i = 0; i < n; i++) slow[i] = slow[i] / scale;
            assertArrayEquals(slow, fast, "p = " + p);
        }
    }

    @Test
    void randpermIsPyTorchsShuffle() {
        assertArrayEquals(new int[] {5, 0, 3, 4, 1, 7, 9, 6, 8, 2}, new TorchGenerator(7).randperm(10));
        assertArrayEquals(new int[] {15, 14, 8, 23, 18, 4, 21, 0, 17, 11, 12, 13, 20, 3, 19, 9, 24, 2, 16, 10, 7, 1, 5, 6, 22},
                new TorchGenerator(1337).randperm(25));
    }

    @Test
    void badArgumentsNameTheProblem() {
        TorchGenerator g = new TorchGenerator(0);
        assertThrows(IllegalArgumentException.class, () -> g.randint(0));
        assertThrows(IllegalArgumentException.class, () -> g.dropoutMask(new float[1], 0, 1, 1.0));
    }

    /** softmax in float as {@code F.softmax}: max subtracted, exp, divided by the sum. */
    static float[] softmax(float[] x) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) max = Math.max(max, v);
        float[] p = new float[x.length];
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            p[i] = (float) Math.exp(x[i] - max);
            total += p[i];
        }
        for (int i = 0; i < x.length; i++) p[i] = (float) (p[i] / total);
        return p;
    }

    static double sum(float[] t) {
        double s = 0;
        for (float v : t) s += v;
        return s;
    }
}
