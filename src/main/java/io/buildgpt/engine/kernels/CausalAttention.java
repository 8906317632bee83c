package io.buildgpt.engine.kernels;

import java.nio.FloatBuffer;

/**
 * Causal self-attention of one (sequence, head) pair, forward and backward, on explicit buffers: the
 * lecture's four lines ({@code wei = q @ k^T * hs^-0.5}, {@code masked_fill(tril == 0, -inf)},
 * {@code softmax}, {@code wei @ v}) as BLAS products of the head's {@code (T, hs)} slices.
 *
 * <p>Layout, {@code C} channels, {@code hs} head size, {@code T} positions:
 * <pre>
 *   qkv (B*T, 3C): row b*T+t = [ q of head 0 | ... | q of head nh-1 | k of heads | v of heads ],
 *                  so head h's q is columns h*hs.., its k C + h*hs.., its v 2C + h*hs..  (nanoGPT's c_attn)
 *   out (B*T, C):  head h writes columns h*hs..
 *   probs, weights (B, T, T) per head: the softmax, and the softmax after dropout (the same array without)
 * </pre>
 * Each pair reads and writes only its own slices, so pairs may run on any thread in any order and give
 * the same bits. Slices are gathered into the thread's direct buffers ({@link Blas.Scratch}, slots 3..7).
 */
public final class CausalAttention {
    /**
     * Rows of the {@code (T,T)} weights per product. Position {@code t} attends only to {@code s <= t},
     * so the rows of a block {@code [r0, r0+TB)} need only keys and values {@code 0..r0+TB-1}: the products
     * skip the blocks above the diagonal. A fixed size, so the products are the same for every thread count.
     */
    public static final int CAUSAL_BLOCK = 64;

    private final int c, hs, time;
    private final float scale;

    /** For {@code nEmbd} channels in heads of {@code headSize}, sequences of {@code time} positions. */
    public CausalAttention(int nEmbd, int headSize, int time) {
        this.c = nEmbd;
        this.hs = headSize;
        this.time = time;
        this.scale = (float) (1 / Math.sqrt(headSize));
    }

    /** {@code probs[b] (T,T) = causal softmax(q @ k^T * scale)} for head {@code h}, sequence {@code b}. */
    public void scores(float[] qkv, int h, int b, float[] probs) {
        int c3 = 3 * c, base = b * time * c3, tt = time * time;
        Blas.Scratch s = Blas.scratch();
        FloatBuffer q = s.gather(3, qkv, base + h * hs, c3, time, hs);            // (T,hs)
        FloatBuffer k = s.gather(4, qkv, base + c + h * hs, c3, time, hs);        // (T,hs)
        FloatBuffer wei = s.get(6, tt);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // rows r0.. see keys 0..r0+rows-1
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, true, rows, keys, hs, scale, Blas.at(q, r0 * hs), hs, k, hs,
                    0f, Blas.at(wei, r0 * time), time);                                // (rows,hs) @ (hs,keys) -> (rows,keys)
        }
        Blas.copyOut(wei, probs, b * tt, tt);                                       // entries above the diagonal unset...
        for (int t = 0; t < time; t++) causalSoftmax(probs, (b * time + t) * time, t + 1, time); // ...the softmax writes their 0
    }

    /** Head {@code h}'s columns of {@code out} for sequence {@code b}: {@code weights[b] (T,T) @ v (T,hs)}. */
    public void mix(float[] qkv, float[] weights, int h, int b, float[] out) {
        int c3 = 3 * c, tt = time * time;
        Blas.Scratch s = Blas.scratch();
        FloatBuffer wei = s.get(6, tt).put(0, weights, b * tt, tt);                 // (T,T)
        FloatBuffer v = s.gather(5, qkv, b * time * c3 + 2 * c + h * hs, c3, time, hs); // (T,hs)
        FloatBuffer o = s.get(7, time * hs);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // weights beyond the diagonal are 0
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, false, rows, hs, keys, 1f, Blas.at(wei, r0 * time), time, v, hs,
                    0f, Blas.at(o, r0 * hs), hs);                                      // (rows,keys) @ (keys,hs) -> (rows,hs)
        }
        s.scatter(o, out, b * time * c + h * hs, c, time, hs);                      // -> head h's columns of (B,T,C)
    }

    /** {@code dWeights[b] = dOut @ v^T (T,T)}, and {@code dv = weights^T @ dOut (T,hs)} into head {@code h}'s columns of {@code dQkv}. */
    public void backwardWeights(float[] dOut, float[] qkv, float[] weights, int h, int b, float[] dWeights, float[] dQkv) {
        int c3 = 3 * c, base = b * time * c3, tt = time * time, ths = time * hs, vOff = 2 * c + h * hs;
        Blas.Scratch s = Blas.scratch();
        FloatBuffer dO = s.gather(7, dOut, b * time * c + h * hs, c, time, hs);     // (T,hs)
        FloatBuffer v = s.gather(5, qkv, base + vOff, c3, time, hs);                // (T,hs)
        FloatBuffer wei = s.get(6, tt).put(0, weights, b * tt, tt);                 // (T,T)
        FloatBuffer dWei = s.get(0, tt), dv = s.get(1, ths);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // only s <= t is used (backwardScores)
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, true, rows, keys, hs, 1f, Blas.at(dO, r0 * hs), hs, v, hs,
                    0f, Blas.at(dWei, r0 * time), time);                               // (rows,hs) @ (hs,keys)
        }
        Blas.copyOut(dWei, dWeights, b * tt, tt);
        transposedTimes(wei, dO, dv);                                               // (T,T)^T @ (T,hs)
        s.scatter(dv, dQkv, base + vOff, c3, time, hs);
    }

    /**
     * Through the softmax, in place on {@code dProbs[b]} ({@code dS = p * (dp - sum p*dp) * scale}, 0 where
     * masked), then {@code dq = dS @ k} and {@code dk = dS^T @ q} into head {@code h}'s columns of {@code dQkv}.
     */
    public void backwardScores(float[] qkv, float[] probs, float[] dProbs, int h, int b, float[] dQkv) {
        int c3 = 3 * c, base = b * time * c3, tt = time * time, ths = time * hs;
        for (int t = 0; t < time; t++) {
            int w = (b * time + t) * time;
            float dot = 0f;
            for (int s = 0; s <= t; s++) dot += probs[w + s] * dProbs[w + s];          // softmax': sum_s p*dp
            for (int s = 0; s <= t; s++) dProbs[w + s] = probs[w + s] * (dProbs[w + s] - dot) * scale; // dS
            for (int s = t + 1; s < time; s++) dProbs[w + s] = 0f;                     // masked: no gradient
        }
        Blas.Scratch sc = Blas.scratch();
        FloatBuffer dS = sc.get(6, tt).put(0, dProbs, b * tt, tt);                  // (T,T)
        FloatBuffer q = sc.gather(3, qkv, base + h * hs, c3, time, hs);             // (T,hs)
        FloatBuffer k = sc.gather(4, qkv, base + c + h * hs, c3, time, hs);         // (T,hs)
        FloatBuffer dq = sc.get(0, ths), dk = sc.get(1, ths);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // dS is 0 beyond the diagonal
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, false, rows, hs, keys, 1f, Blas.at(dS, r0 * time), time, k, hs,
                    0f, Blas.at(dq, r0 * hs), hs);                                     // (rows,keys) @ (keys,hs)
        }
        transposedTimes(dS, q, dk);                                                 // (T,T)^T @ (T,hs)
        sc.scatter(dq, dQkv, base + h * hs, c3, time, hs);
        sc.scatter(dk, dQkv, base + c + h * hs, c3, time, hs);
    }

    /**
     * {@code out (T,hs) = w^T @ x} for a lower-triangular {@code w (T,T)}: row {@code s} of the result sums
     * over {@code t >= s} only, so a block of rows {@code [s0, s0+TB)} reads {@code w}'s rows from {@code s0}
     * on, in its columns {@code s0..}, and {@code x}'s rows from {@code s0} on.
     */
    private void transposedTimes(FloatBuffer w, FloatBuffer x, FloatBuffer out) {
        for (int s0 = 0; s0 < time; s0 += CAUSAL_BLOCK) {
            int rows = Math.min(CAUSAL_BLOCK, time - s0), terms = time - s0;
            Blas.sgemm(true, false, rows, hs, terms, 1f, Blas.at(w, s0 * time + s0), time, Blas.at(x, s0 * hs), hs,
                    0f, Blas.at(out, s0 * hs), hs);                                    // (terms,rows)^T @ (terms,hs) -> (rows,hs)
        }
    }

    /** In place on scores {@code p[off .. off+total)}: softmax over the first {@code valid}, 0 (a score of -inf) for the rest. */
    public static void causalSoftmax(float[] p, int off, int valid, int total) {
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < valid; s++) max = Math.max(max, p[off + s]);
        float sum = 0f;
        for (int s = 0; s < valid; s++) {
            float e = Softmax.exp(p[off + s] - max);
            p[off + s] = e;
            sum += e;
        }
        // masked_fill(tril == 0, -inf): exp(-inf) is exactly 0 and adds nothing to the sum, so the
        // future gets its zeros directly instead of computing exponentials that are known to be 0
        for (int s = valid; s < total; s++) p[off + s] = 0f;
        float inv = 1f / sum;
        for (int s = 0; s < valid; s++) p[off + s] *= inv;
    }

    /**
     * One query over {@code count} keys and values (a cached generation step): {@code out[outOff..+hs) =
     * softmax_s(q . k_s * scale) @ v_s}, keys and values being rows {@code stride} apart from {@code kBase}
     * and {@code vBase}; {@code p} holds the {@code count} weights.
     */
    public static void attendOne(float[] q, int qOff, float[] k, int kBase, float[] v, int vBase, int stride, int count, int hs,
                                 float scale, float[] p, float[] out, int outOff) {
        for (int s = 0; s < count; s++) p[s] = Matmul.dot(q, qOff, k, kBase + s * stride, hs) * scale; // scores
        causalSoftmax(p, 0, count, count);
        for (int d = 0; d < hs; d++) out[outOff + d] = 0f;
        for (int s = 0; s < count; s++) {
            float w = p[s];
            int row = vBase + s * stride;
            for (int d = 0; d < hs; d++) out[outOff + d] += w * v[row + d];
        }
    }
}
