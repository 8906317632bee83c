package io.buildgpt.model;

import io.buildgpt.random.TorchGenerator;

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

    /**
     * Draws one id as {@code torch.multinomial(F.softmax(row, -1), 1)} does: {@code probs} in float
     * (each {@code exp(x - max)} times {@code 1/sum}), then {@link TorchGenerator#multinomial}, which
     * consumes {@code vocab} exponential draws. {@code probs} and {@code q} are caller-owned scratch
     * of length at least {@code vocab}. PyTorch's vectorised {@code exp} and sum may differ from these
     * in the last bit, which changes a draw only where two {@code p/q} ratios tie to float precision.
     */
    static int sample(float[] logits, int off, int vocab, TorchGenerator g, float[] probs, float[] q) {
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
}
