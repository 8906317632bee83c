package io.buildgpt.finetune;

/**
 * bitsandbytes' signed 8-bit dynamic quantization map ({@code create_dynamic_map(signed=True)}, 7 exponent bits,
 * Dettmers 2016): 256 sorted float32 codes in [-1, 1]. For each decade {@code 10^(i-6)}, {@code i = 0..6}, the
 * {@code 2^i} midpoints of {@code linspace(0.1, 1, 2^i + 1)} times the decade, with both signs; plus 0 and 1.
 * Small magnitudes get few codes, values near 1 many; QLoRA's double quantization stores its centred scales
 * in it. The values are computed in float32 as torch computes them (its {@code linspace} steps from both ends).
 */
final class DynamicMap {
    static final float[] CODE = build();
    /** The index of 0.0 in {@link #CODE}. */
    static final int ZERO = java.util.Arrays.binarySearch(CODE, 0f);

    private DynamicMap() {
    }

    private static float[] build() {
        float[] data = new float[256];
        int k = 0;
        for (int i = 0; i < 7; i++) {
            int steps = (1 << i) + 1;
            float[] b = linspace(0.1f, 1f, steps);
            float decade = (float) Math.pow(10, i - 6);
            for (int j = 0; j + 1 < steps; j++) {
                float mean = (b[j] + b[j + 1]) / 2f;
                data[k++] = decade * mean;
                data[k++] = -decade * mean;
            }
        }
        data[k++] = 0f;
        data[k++] = 1f;
        if (k != 256) throw new IllegalStateException("dynamic map has " + k + " codes");
        java.util.Arrays.sort(data);
        return data;
    }

    /**
     * torch's float32 {@code linspace} on CPU: the first half {@code start + step * i}, the second
     * {@code end - step * (steps - 1 - i)}, each a fused multiply-add (one rounding), as its vectorized kernel computes.
     */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        float step = (end - start) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) out[i] = i < half ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - i - 1), end);
        return out;
    }

    /** The index of the code nearest to {@code x} (the first on a tie), as bitsandbytes' argmin. */
    static int nearest(float x) {
        int best = 0;
        for (int k = 1; k < CODE.length; k++) if (Math.abs(x - CODE[k]) < Math.abs(x - CODE[best])) best = k;
        return best;
    }
}
