package io.buildgpt.engine.kernels;

import io.buildgpt.random.TorchGenerator;

/** Softmax, cross-entropy and sampling on one row of logits, the pieces every model here shares. */
public final class Softmax {
    private Softmax() {}

    /**
     * {@code -log softmax(row)[target]} for the row {@code logits[off .. off+V)}. If {@code grad}
     * is not null, also adds {@code scale * (softmax(row) - onehot(target))} into
     * {@code grad[gOff .. gOff+V)}, which is d(loss)/d(logits) for a loss averaged with weight {@code scale}.
     * {@code exps} is caller-owned scratch of length at least V, so that the hot loop allocates nothing
     * and each exponential is computed once.
     */
    public static double crossEntropy(float[] logits, int off, int vocab, int target, float[] grad, int gOff, float scale, float[] exps) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        float sum = 0;
        for (int v = 0; v < vocab; v++) {
            float e = (float) Math.exp(logits[off + v] - max); // subtracting the max keeps exp from overflowing
            exps[v] = e;
            sum += e;
        }
        if (grad != null) {
            float k = scale / sum;
            for (int v = 0; v < vocab; v++) grad[gOff + v] += k * exps[v];
            grad[gOff + target] -= scale;
        }
        return max + Math.log(sum) - logits[off + target]; // logsumexp(row) - row[target]
    }

    /**
     * The same loss, with the row's gradient {@code scale * (softmax(row) - onehot(target))} written over the row
     * itself: the same values as {@link #crossEntropy} adds into a zeroed {@code grad}, without a second (B*T, V) array.
     */
    public static double crossEntropyInPlace(float[] logits, int off, int vocab, int target, float scale, float[] exps) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        float sum = 0;
        for (int v = 0; v < vocab; v++) {
            float e = (float) Math.exp(logits[off + v] - max);
            exps[v] = e;
            sum += e;
        }
        double loss = max + Math.log(sum) - logits[off + target];
        float k = scale / sum;
        for (int v = 0; v < vocab; v++) logits[off + v] = k * exps[v];
        logits[off + target] -= scale;
        return loss;
    }

    /**
     * Draws one id as {@code torch.multinomial(F.softmax(row, -1), 1)} does: {@code probs} in float
     * (each {@code exp(x - max)} times {@code 1/sum}), then {@link TorchGenerator#multinomial}, which
     * consumes {@code vocab} exponential draws. {@code probs} and {@code q} are caller-owned scratch
     * of length at least {@code vocab}. PyTorch's vectorised {@code exp} and sum may differ from these
     * in the last bit, which changes a draw only where two {@code p/q} ratios tie to float precision.
     */
    public static int sample(float[] logits, int off, int vocab, TorchGenerator g, float[] probs, float[] q) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        float sum = 0;
        for (int v = 0; v < vocab; v++) {
            probs[v] = (float) Math.exp(logits[off + v] - max);
            sum += probs[v];
        }
        float inv = 1f / sum;
        for (int v = 0; v < vocab; v++) probs[v] *= inv;
        return g.multinomial(probs, 0, vocab, q);
    }

    /**
     * {@code exp(x)} in float for {@code x <= 0} (a score minus its row's maximum), within one unit in the
     * last place of the correctly rounded value, and 0 below {@code -87.34} (where the float result would be
     * subnormal). Attention's softmax uses it: {@code Math.exp} computes in double through a general
     * routine, much slower than this polynomial (figures in BENCHMARKS.md), and a GPT step computes
     * {@code B * nHead * nLayer * T(T+1)/2} of them (76 million for the lecture's GPT). PyTorch's softmax
     * is not exact either: its vectorised float {@code exp} is also accurate to about one unit.
     *
     * <p>How: {@code exp(x) = 2^n * exp(r)} with {@code n = round(x / ln 2)} and {@code r = x - n ln 2}
     * (ln 2 split in two parts so that {@code n ln 2} is subtracted without rounding), {@code |r| <= ln2 / 2};
     * {@code exp(r)} by a degree-7 polynomial {@code 1 + r + r^2 (1/2 + r/6 + ...)} with coefficients fitted
     * on that interval; {@code 2^n} by writing {@code n + 127} into a float's exponent bits.
     */
    public static float exp(float x) {
        if (!(x >= -87.33655f)) return x != x ? x : 0f;             // -inf (a masked score) and underflow: 0; NaN stays NaN
        float n = (float) Math.rint(x * 1.44269504f);                 // x / ln 2, rounded: -126..0 for x <= 0
        float r = x - n * 0.693145751953125f - n * 1.428606765330187e-6f; // x - n ln 2, |r| <= 0.35
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r * r + r + 1f;                                        // exp(r)
        return p * Float.intBitsToFloat(((int) n + 127) << 23);         // * 2^n
    }
}
