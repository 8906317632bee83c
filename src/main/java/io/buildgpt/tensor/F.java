package io.buildgpt.tensor;

import io.buildgpt.random.TorchGenerator;

/**
 * {@code torch.nn.functional}: the ops a layer calls. Cross-entropy, layer norm and causal attention are
 * fused here (one op, one backward, as nanoGPT's {@code scaled_dot_product_attention}); each has its
 * readable composition of the basic ops beside it ({@code ...Composed}), and the tests check both give the
 * same values and gradients.
 */
public final class F {
    private F() {}

    /** {@code F.softmax(x, dim)}. */
    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    /** {@code F.relu(x)}. */
    public static Tensor relu(Tensor x) { return x.relu(); }

    /** {@code F.embedding(ids, weight)}: rows of {@code weight} for int64 {@code ids}. */
    public static Tensor embedding(Tensor ids, Tensor weight) { return weight.index(ids); }

    /** {@code F.cross_entropy(logits, targets)}: logits (N, C), int64 targets (N), the mean over N; fused. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) { return NnOps.crossEntropy(logits, targets); }

    /**
     * The readable cross-entropy: {@code -mean(log(softmax(logits))[n, targets[n]])}, written with the basic
     * ops (the picked entries through a one-hot mask).
     */
    public static Tensor crossEntropyComposed(Tensor logits, Tensor targets) {
        int n = logits.size(0), c = logits.size(1);
        float[] hot = new float[n * c];
        long[] t = targets.toLongArray();
        for (int i = 0; i < n; i++) hot[i * c + (int) t[i]] = 1f;
        Tensor logp = logits.softmax(1).log();                                   // (N, C)
        return logp.mul(Tensor.of(hot, n, c)).sum().div(n).neg();
    }

    /**
     * {@code F.dropout(x, p, training)}: in training, each element is kept with probability {@code 1 - p}
     * and scaled by {@code 1 / (1 - p)}, the mask drawn from {@code g} as PyTorch draws it; otherwise {@code x}.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, TorchGenerator g) { return NnOps.dropout(x, p, training, g); }

    /** {@link #dropout(Tensor, double, boolean, TorchGenerator)} with the default generator. */
    public static Tensor dropout(Tensor x, double p, boolean training) { return dropout(x, p, training, Tensor.defaultGenerator()); }

    /** {@code F.layer_norm(x, (C,), weight, bias, eps)} over the last dim; fused. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) { return NnOps.layerNorm(x, weight, bias, eps); }

    /** The readable layer norm: {@code (x - mean) / sqrt(var + eps) * weight + bias}, the variance biased. */
    public static Tensor layerNormComposed(Tensor x, Tensor weight, Tensor bias, double eps) {
        Tensor mean = x.mean(-1, true);                                          // (..., 1)
        Tensor var = x.var(-1, false, true);                                      // (..., 1)
        Tensor xhat = x.sub(mean).div(var.add(eps).sqrt());
        return xhat.mul(weight).add(bias);
    }

    /**
     * {@code F.scaled_dot_product_attention(q, k, v, is_causal=True)} on (..., T, hs): softmax of
     * {@code q @ k^T / sqrt(hs)} with the future masked, times {@code v}; fused, no dropout.
     */
    public static Tensor causalAttention(Tensor q, Tensor k, Tensor v) { return Attention.causal(q, k, v); }

    /** The readable attention, the lecture's {@code Head.forward} lines. */
    public static Tensor causalAttentionComposed(Tensor q, Tensor k, Tensor v) {
        int t = q.size(-2), hs = q.size(-1);
        Tensor wei = q.matmul(k.transpose(-2, -1)).mul(Math.pow(hs, -0.5));      // (..., T, T)
        Tensor tril = Tensor.tril(Tensor.ones(t, t));
        wei = wei.maskedFill(tril.eq(0), Double.NEGATIVE_INFINITY);
        wei = wei.softmax(-1);
        return wei.matmul(v);                                                     // (..., T, hs)
    }
}
