package io.buildgpt.engine;

/**
 * GELU with the tanh approximation, GPT-2's activation ({@code gelu_new} in Hugging Face,
 * {@code GELU(approximate='tanh')} in PyTorch):
 * <pre>
 *   gelu(x)  = 0.5 x (1 + tanh(u)),   u = sqrt(2/pi) (x + 0.044715 x^3)
 *   gelu'(x) = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
 * </pre>
 * Each value is computed in double and rounded once to float.
 */
final class Gelu {
    private static final double K = Math.sqrt(2 / Math.PI);
    private static final double A = 0.044715;

    private Gelu() {
    }

    /** {@code a[i] = gelu(h[i])} for {@code i} in {@code [from, to)}. */
    static void forward(float[] h, float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            double x = h[i];
            a[i] = (float) (0.5 * x * (1 + Math.tanh(K * (x + A * x * x * x))));
        }
    }

    /** {@code dh[i] = da[i] * gelu'(h[i])} for {@code i} in {@code [from, to)}. */
    static void backward(float[] h, float[] da, float[] dh, int from, int to) {
        for (int i = from; i < to; i++) {
            double x = h[i];
            double t = Math.tanh(K * (x + A * x * x * x));
            double d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * A * x * x);
            dh[i] = (float) (da[i] * d);
        }
    }
}
