package io.buildgpt.model;

import java.util.Random;

/** Softmax, cross-entropy and sampling on one row of logits, the pieces every model here shares. */
final class Softmax {
    private Softmax() {}

    /**
     * {@code -log softmax(row)[target]} for the row {@code logits[off .. off+V)}. If {@code grad}
     * is not null, also adds {@code scale * (softmax(row) - onehot(target))} into
     * {@code grad[gOff .. gOff+V)}, which is d(loss)/d(logits) for a loss averaged with weight {@code scale}.
     * {@code exps} is caller-owned scratch of length at least V, so that the hot loop allocates nothing
     * and each exponential is computed once.
     */
    static double crossEntropy(float[] logits, int off, int vocab, int target, float[] grad, int gOff, float scale, float[] exps) {
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

    /** Draws one id from {@code softmax(row)}, like {@code torch.multinomial(probs, 1)}. */
    static int sample(float[] logits, int off, int vocab, Random rng) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - max);
        double u = rng.nextDouble() * sum;
        double cumulative = 0;
        for (int v = 0; v < vocab; v++) {
            cumulative += Math.exp(logits[off + v] - max);
            if (u < cumulative) return v;
        }
        return vocab - 1; // only reached through rounding when u is within an ulp of sum
    }
}
