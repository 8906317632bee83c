package io.buildgpt.random;

/**
 * The 32-bit Mersenne Twister (Matsumoto and Nishimura, 1998) seeded with {@code init_genrand},
 * the engine of PyTorch's CPU generator. Written from the published algorithm.
 */
final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER = 0x80000000;
    private static final int LOWER = 0x7fffffff;

    private final int[] mt = new int[N];
    private final int[] tempered = new int[N]; // the outputs of the current state, tempered all at once
    private int index;

    Mt19937(long seed) {
        seed(seed);
    }

    /** {@code init_genrand}: PyTorch passes the seed truncated to its low 32 bits. */
    void seed(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** Takes {@code other}'s whole state: the two then draw the same words. */
    void setState(Mt19937 other) {
        System.arraycopy(other.mt, 0, mt, 0, N);
        System.arraycopy(other.tempered, 0, tempered, 0, N);
        index = other.index;
    }

    /** The next 32 random bits, as an unsigned value in {@code [0, 2^32)}. */
    long next32() {
        if (index >= N) twist();
        return tempered[index++] & 0xffffffffL;
    }

    /**
     * The next {@code N} words in place, as the reference {@code next_state}. Written as three loops
     * instead of one with {@code % N} on both indices, and with the odd-bit test as a mask instead of a
     * branch: two integer divisions and an unpredictable branch per word would make this the slowest part
     * of drawing, and dropout draws a word for every activation it masks (figures in BENCHMARKS.md); the
     * words are the same.
     */
    private void twist() {
        int i = 0;
        for (; i < N - M; i++) mt[i] = mix(mt[i], mt[i + 1], mt[i + M]);
        for (; i < N - 1; i++) mt[i] = mix(mt[i], mt[i + 1], mt[i + M - N]);
        mt[N - 1] = mix(mt[N - 1], mt[0], mt[M - 1]);
        for (int k = 0; k < N; k++) {          // tempering, one word at a time in the reference; a loop the JIT vectorises here
            int y = mt[k];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9d2c5680;
            y ^= (y << 15) & 0xefc60000;
            y ^= y >>> 18;
            tempered[k] = y;
        }
        index = 0;
    }

    /** One word of the twist: the top bit of {@code a}, the low 31 of {@code b}, shifted and mixed into {@code far}. */
    private static int mix(int a, int b, int far) {
        int y = (a & UPPER) | (b & LOWER);
        return far ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
}
