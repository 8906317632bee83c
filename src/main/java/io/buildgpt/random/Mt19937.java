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

    /** The next 32 random bits, as an unsigned value in {@code [0, 2^32)}. */
    long next32() {
        if (index >= N) twist();
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & UPPER) | (mt[(i + 1) % N] & LOWER);
            int next = mt[(i + M) % N] ^ (y >>> 1);
            mt[i] = (y & 1) == 0 ? next : next ^ MATRIX_A;
        }
        index = 0;
    }
}
