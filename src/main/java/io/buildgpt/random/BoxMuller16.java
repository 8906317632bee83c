package io.buildgpt.random;

/**
 * The block step of PyTorch's float {@code normal_} for 16 or more elements on an x86 CPU with
 * AVX2 or AVX-512 ({@code normal_fill_16_AVX2}): eight Box-Muller pairs from sixteen uniforms,
 * with the single-precision {@code log} and {@code sincos} approximations PyTorch uses there (the
 * Cephes polynomials of its {@code avx_mathfun.h}), evaluated in float with fused multiply-adds
 * where the compiled kernel fuses them. Reimplemented from the algorithm so the results agree with
 * PyTorch bit for bit; the coefficients are the published Cephes ones.
 */
final class BoxMuller16 {
    private static final float TWO_PI = (float) (2.0 * Math.PI);
    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float[] LOG_P = {
        7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
        -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
    private static final float LOG_Q1 = -2.12194440e-4f;
    private static final float LOG_Q2 = 0.693359375f;
    private static final float FOUR_OVER_PI = 1.27323954473516f;
    private static final float DP1 = -0.78515625f;
    private static final float DP2 = -2.4187564849853515625e-4f;
    private static final float DP3 = -3.77489497744594108e-8f;
    private static final float COS_P0 = 2.443315711809948E-005f;
    private static final float COS_P1 = -1.388731625493765E-003f;
    private static final float COS_P2 = 4.166664568298827E-002f;
    private static final float SIN_P0 = -1.9515295891E-4f;
    private static final float SIN_P1 = 8.3321608736E-3f;
    private static final float SIN_P2 = -1.6666654611E-1f;

    private BoxMuller16() {
    }

    /** Turns {@code data[off .. off+16)} (uniforms in [0, 1)) into normals with mean and std. */
    static void fill(float[] data, int off, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - data[off + j];          // [0, 1) -> (0, 1] for log
            float u2 = data[off + j + 8];
            float radius = (float) Math.sqrt(-2f * log(u1));
            float theta = TWO_PI * u2;
            float n1 = radius * cos(theta);
            float n2 = radius * sin(theta);
            data[off + j] = Math.fma(n1, std, mean);
            data[off + j + 8] = Math.fma(n2, std, mean);
        }
    }

    /** Natural logarithm of a positive normal float, as the Cephes single-precision polynomial. */
    static float log(float v) {
        int bits = Float.floatToRawIntBits(Math.max(v, Float.MIN_NORMAL));
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        float x = Float.intBitsToFloat((bits & 0x807fffff) | Float.floatToRawIntBits(0.5f)); // [0.5, 1)
        boolean small = x < SQRT_HALF;   // below sqrt(1/2): use 2x and e - 1
        float tmp = small ? x : 0f;
        x = x - 1f;
        if (small) e = e - 1f;
        x = x + tmp;
        float z = x * x;
        float y = LOG_P[0];
        for (int k = 1; k < LOG_P.length; k++) y = Math.fma(y, x, LOG_P[k]);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        x = x + y;
        return Math.fma(e, LOG_Q2, x);
    }

    static float sin(float v) {
        return sincos(v, true);
    }

    static float cos(float v) {
        return sincos(v, false);
    }

    private static float sincos(float v, boolean wantSin) {
        boolean negative = v < 0f || (v == 0f && 1f / v < 0f);
        float x = Math.abs(v);
        int j = (int) (x * FOUR_OVER_PI); // truncation, as cvttps
        j = (j + 1) & ~1;
        float y = (float) j;
        boolean swapSin = (j & 4) != 0;
        boolean polySin = (j & 2) == 0;   // the sine polynomial gives sin on this octant
        x = Math.fma(y, DP1, x);
        x = Math.fma(y, DP2, x);
        x = Math.fma(y, DP3, x);
        boolean cosNegative = ((~(j - 2)) & 4) != 0;
        float z = x * x;
        float c = COS_P0;
        c = Math.fma(c, z, COS_P1);
        c = Math.fma(c, z, COS_P2);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1f;
        float s = SIN_P0;
        s = Math.fma(s, z, SIN_P1);
        s = Math.fma(s, z, SIN_P2);
        s = s * z;
        s = Math.fma(s, x, x);
        if (wantSin) {
            float r = polySin ? s : c;
            return (negative ^ swapSin) ? -r : r;
        }
        float r = polySin ? c : s;
        return cosNegative ? -r : r;
    }
}
