package io.buildgpt.tensor;

import java.util.Arrays;

/**
 * Causal scaled dot-product attention as one op on {@code (..., T, hs)}: per matrix of the batch,
 * {@code S = q k^T / sqrt(hs)}, the future set to -inf, {@code P = softmax(S)}, {@code out = P v}. It keeps
 * {@code P} for the backward: {@code dV = P^T dO}, {@code dP = dO V^T}, {@code dS = P * (dP - rowsum(dP * P))},
 * {@code dQ = dS K / sqrt(hs)}, {@code dK = dS^T Q / sqrt(hs)}.
 */
final class Attention {
    private Attention() {}

    static Tensor causal(Tensor q, Tensor k, Tensor v) {
        for (Tensor x : new Tensor[]{q, k, v}) Elementwise.requireFloat(x, "scaled_dot_product_attention");
        if (!Arrays.equals(q.shape, k.shape) || !Arrays.equals(q.shape, v.shape) || q.dim() < 2) {
            throw new IllegalArgumentException("causal attention needs q, k, v of one shape (..., T, hs), got " + Shapes.str(q.shape) + ", "
                    + Shapes.str(k.shape) + " and " + Shapes.str(v.shape));
        }
        int t = q.size(-2), hs = q.size(-1), batch = q.numel() / Math.max(t * hs, 1);
        float scale = (float) (1 / Math.sqrt(hs));
        float[] qs = q.toFloatArray(), ks = k.toFloatArray(), vs = v.toFloatArray();
        float[] p = new float[batch * t * t], out = new float[batch * t * hs];
        Backend be = Backend.get();
        be.gemm(batch, false, true, t, t, hs, qs, 0, t * hs, ks, 0, t * hs, p);      // q @ k^T
        for (int r = 0; r < batch * t; r++) {
            int i = r % t, off = r * t;
            for (int j = 0; j < t; j++) p[off + j] = j <= i ? p[off + j] * scale : Float.NEGATIVE_INFINITY;
        }
        be.softmaxRows(p, batch * t, t, p);
        be.gemm(batch, false, false, t, hs, t, p, 0, t * t, vs, 0, t * hs, out);    // P @ v
        return Autograd.record(Tensor.of(out, q.shape.clone()), "ScaledDotProductAttentionBackward0", g -> {
            float[] dO = g.toFloatArray();
            float[] dV = new float[out.length], dP = new float[p.length], dQ = new float[out.length], dK = new float[out.length];
            be.gemm(batch, true, false, t, hs, t, p, 0, t * t, dO, 0, t * hs, dV);    // dV = P^T @ dO
            be.gemm(batch, false, true, t, t, hs, dO, 0, t * hs, vs, 0, t * hs, dP);  // dP = dO @ V^T
            for (int r = 0; r < batch * t; r++) {
                int off = r * t;
                float dot = 0f;
                for (int j = 0; j < t; j++) dot += dP[off + j] * p[off + j];
                for (int j = 0; j < t; j++) dP[off + j] = p[off + j] * (dP[off + j] - dot) * scale;   // dS, scaled
            }
            be.gemm(batch, false, false, t, hs, t, dP, 0, t * t, ks, 0, t * hs, dQ);  // dQ = dS @ K
            be.gemm(batch, true, false, t, hs, t, dP, 0, t * t, qs, 0, t * hs, dK);   // dK = dS^T @ Q
            q.accumulateGrad(Tensor.of(dQ, q.shape.clone()));
            k.accumulateGrad(Tensor.of(dK, k.shape.clone()));
            v.accumulateGrad(Tensor.of(dV, v.shape.clone()));
        }, q, k, v);
    }
}
