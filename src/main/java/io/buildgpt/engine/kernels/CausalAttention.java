package io.buildgpt.engine.kernels;

import java.nio.FloatBuffer;

/**
 * Causal self-attention of one sequence's heads, forward and backward, on explicit buffers: the lecture's
 * four lines ({@code wei = q @ k^T * hs^-0.5}, {@code masked_fill(tril == 0, -inf)}, {@code softmax},
 * {@code wei @ v}) as BLAS products of each head's {@code (T, hs)} slices.
 *
 * <p>Layout, {@code C} channels, {@code hs} head size, {@code T} positions:
 * <pre>
 *   qkv (B*T, 3C): row b*T+t = [ q of head 0 | ... | q of head nh-1 | k of heads | v of heads ],
 *                  so head h's q is columns h*hs.., its k C + h*hs.., its v 2C + h*hs..  (nanoGPT's c_attn)
 *   out (B*T, C):  head h writes columns h*hs..
 *   probs, weights (B, T, T) per head: the softmax, and the softmax after dropout (the same array without)
 * </pre>
 *
 * <p>The unit of work is a group of heads {@code [h0, h1)} of one sequence. Why: a sequence's rows of
 * {@code qkv}, {@code out} and their gradients are contiguous, so for a short sequence a group of all its heads
 * moves into and out of the thread's direct buffers ({@link Blas.Scratch}) in one bulk copy each, and BLAS
 * reads each head's columns in place through its leading dimension {@code 3C}: no per-head gathering. A
 * smaller group (a long sequence's single heads, {@link #WHOLE_SEQUENCE_FLOATS}, or generation of one sequence
 * on several threads) packs the columns it needs once, into the same layout with {@code 3w} columns,
 * {@code w = (h1-h0)*hs}. Each head's products are the same calls on the same values whatever the group, so
 * groups and threads do not change the bits.
 */
public final class CausalAttention {
    /**
     * Rows of the {@code (T,T)} weights per product. Position {@code t} attends only to {@code s <= t},
     * so the rows of a block {@code [r0, r0+TB)} need only keys and values {@code 0..r0+TB-1}: the products
     * skip the blocks above the diagonal. A fixed size, so the products are the same for every thread count.
     */
    public static final int CAUSAL_BLOCK = 64;

    /**
     * The largest {@code T * 3C} for which a sequence's heads are best computed as one group. Above it the
     * sequence's q, k and v (with the output and gradients beside them) no longer fit a core's L2 cache, and the
     * lecture's GPT (T = 256, C = 384: 295K floats) ran 8% slower per step as one group than head by head,
     * each head's columns packed ({@code (T, 3hs)}, 49K floats) and read from cache.
     */
    public static final int WHOLE_SEQUENCE_FLOATS = 1 << 16;

    // this thread's Scratch slots (Matmul uses 0..2 between attention's calls, never during them)
    private static final int QKV = 3, D_QKV = 4, OUT = 5, WEI = 6, D_WEI = 7;
    // parts of a qkv row, as bits: which of q, k, v a call reads or writes
    private static final int Q = 1, K = 2, V = 4, ALL = Q | K | V;

    private final int c, hs, time;
    private final float scale;

    /** For {@code nEmbd} channels in heads of {@code headSize}, sequences of {@code time} positions. */
    public CausalAttention(int nEmbd, int headSize, int time) {
        this.c = nEmbd;
        this.hs = headSize;
        this.time = time;
        this.scale = (float) (1 / Math.sqrt(headSize));
    }

    /**
     * Heads {@code h0..h1-1} of sequence {@code b}, without dropout: {@code probs[h][b] (T,T) = causal softmax(q @ k^T
     * * scale)} and head {@code h}'s columns of {@code out} {@code = probs[h][b] @ v}.
     */
    public void forward(float[] qkv, int b, int h0, int h1, float[][] probs, float[] out) {
        Blas.Scratch s = Blas.scratch();
        int w = (h1 - h0) * hs, tt = time * time;
        FloatBuffer x = load(s, QKV, qkv, b, h0, h1, 3, ALL), o = s.get(OUT, time * w), wei = s.get(WEI, tt);
        for (int h = h0; h < h1; h++) {
            int j = (h - h0) * hs;
            headScores(x, 3 * w, j, w + j, wei, probs[h], b);                    // (T,hs) @ (hs,T) -> softmax (T,T)
            wei.put(0, probs[h], b * tt, tt);
            headMix(wei, x, 3 * w, 2 * w + j, o, w, j);                           // (T,T) @ (T,hs) -> columns j.. of (T,w)
        }
        store(s, o, out, b, h0, h1, 1, Q);
    }

    /** With dropout, first phase: {@code probs[h][b]} for heads {@code h0..h1-1} of sequence {@code b}. */
    public void scores(float[] qkv, int b, int h0, int h1, float[][] probs) {
        Blas.Scratch s = Blas.scratch();
        int w = (h1 - h0) * hs;
        FloatBuffer x = load(s, QKV, qkv, b, h0, h1, 3, Q | K), wei = s.get(WEI, time * time);
        for (int h = h0; h < h1; h++) headScores(x, 3 * w, (h - h0) * hs, w + (h - h0) * hs, wei, probs[h], b);
    }

    /** With dropout, second phase: head {@code h}'s columns of {@code out} {@code = weights[h][b] @ v}, for {@code h0..h1-1}. */
    public void mix(float[] qkv, float[][] weights, int b, int h0, int h1, float[] out) {
        Blas.Scratch s = Blas.scratch();
        int w = (h1 - h0) * hs, tt = time * time;
        FloatBuffer x = load(s, QKV, qkv, b, h0, h1, 3, V), o = s.get(OUT, time * w), wei = s.get(WEI, tt);
        for (int h = h0; h < h1; h++) {
            wei.put(0, weights[h], b * tt, tt);
            headMix(wei, x, 3 * w, 2 * w + (h - h0) * hs, o, w, (h - h0) * hs);
        }
        store(s, o, out, b, h0, h1, 1, Q);
    }

    /**
     * The backward pass of {@link #forward} for heads {@code h0..h1-1} of sequence {@code b}: their columns of
     * {@code dQkv} from {@code dOut}, through the weights {@code probs} (no dropout); {@code dProbs[h]} is work space.
     */
    public void backward(float[] dOut, float[] qkv, float[][] probs, float[][] dProbs, int b, int h0, int h1, float[] dQkv) {
        Blas.Scratch s = Blas.scratch();
        int w = (h1 - h0) * hs, tt = time * time;
        FloatBuffer x = load(s, QKV, qkv, b, h0, h1, 3, ALL), dO = load(s, OUT, dOut, b, h0, h1, 1, Q), dx = s.get(D_QKV, time * 3 * w);
        FloatBuffer wei = s.get(WEI, tt), dWei = s.get(D_WEI, tt);
        for (int h = h0; h < h1; h++) {
            int j = (h - h0) * hs;
            wei.put(0, probs[h], b * tt, tt);
            headWeightsBackward(dO, w, j, x, 3 * w, 2 * w + j, wei, dWei, dx);   // dWei -> dProbs[h][b], dv into dx
            Blas.copyOut(dWei, dProbs[h], b * tt, tt);
            softmaxBackward(probs[h], dProbs[h], b);
            dWei.put(0, dProbs[h], b * tt, tt);
            headScoresBackward(dWei, x, 3 * w, j, w + j, dx);                      // dq, dk into dx
        }
        store(s, dx, dQkv, b, h0, h1, 3, ALL);
    }

    /**
     * With dropout, first backward phase, heads {@code h0..h1-1} of sequence {@code b}: {@code dWeights[h][b] = dOut @ v^T}
     * and {@code dv = weights^T @ dOut} into their v columns of {@code dQkv} ({@link #backwardScores} writes the q and k columns).
     */
    public void backwardWeights(float[] dOut, float[] qkv, float[][] weights, int b, int h0, int h1, float[][] dWeights, float[] dQkv) {
        Blas.Scratch s = Blas.scratch();
        int w = (h1 - h0) * hs, tt = time * time;
        FloatBuffer x = load(s, QKV, qkv, b, h0, h1, 3, V), dO = load(s, OUT, dOut, b, h0, h1, 1, Q), dx = s.get(D_QKV, time * 3 * w);
        FloatBuffer wei = s.get(WEI, tt), dWei = s.get(D_WEI, tt);
        for (int h = h0; h < h1; h++) {
            int j = (h - h0) * hs;
            wei.put(0, weights[h], b * tt, tt);
            headWeightsBackward(dO, w, j, x, 3 * w, 2 * w + j, wei, dWei, dx);
            Blas.copyOut(dWei, dWeights[h], b * tt, tt);
        }
        store(s, dx, dQkv, b, h0, h1, 3, V);
    }

    /**
     * With dropout, second backward phase: through the softmax in place on {@code dProbs[h][b]} ({@code dS = p *
     * (dp - sum p*dp) * scale}, 0 where masked), then {@code dq = dS @ k} and {@code dk = dS^T @ q} into the
     * columns of {@code dQkv} for heads {@code h0..h1-1} (whose {@code dv} {@link #backwardWeights} wrote).
     */
    public void backwardScores(float[] qkv, float[][] probs, float[][] dProbs, int b, int h0, int h1, float[] dQkv) {
        Blas.Scratch s = Blas.scratch();
        int w = (h1 - h0) * hs, tt = time * time;
        FloatBuffer x = load(s, QKV, qkv, b, h0, h1, 3, Q | K), dx = s.get(D_QKV, time * 3 * w), dS = s.get(D_WEI, tt);
        for (int h = h0; h < h1; h++) {
            softmaxBackward(probs[h], dProbs[h], b);
            dS.put(0, dProbs[h], b * tt, tt);
            headScoresBackward(dS, x, 3 * w, (h - h0) * hs, w + (h - h0) * hs, dx);
        }
        store(s, dx, dQkv, b, h0, h1, 3, Q | K);
    }

    /** {@code probs[b] = causal softmax(q @ k^T * scale)} for the head whose q and k start at columns {@code qOff}, {@code kOff} of {@code x}. */
    private void headScores(FloatBuffer x, int ld, int qOff, int kOff, FloatBuffer wei, float[] probs, int b) {
        int tt = time * time;
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // rows r0.. see keys 0..r0+rows-1
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, true, rows, keys, hs, scale, Blas.at(x, r0 * ld + qOff), ld, Blas.at(x, kOff), ld,
                    0f, Blas.at(wei, r0 * time), time);                                // (rows,hs) @ (hs,keys) -> (rows,keys)
        }
        Blas.copyOut(wei, probs, b * tt, tt);                                       // entries above the diagonal unset...
        for (int t = 0; t < time; t++) causalSoftmax(probs, (b * time + t) * time, t + 1, time); // ...the softmax writes their 0
    }

    /** {@code o[:, oOff..oOff+hs) = wei (T,T) @ v}, v starting at column {@code vOff} of {@code x}. */
    private void headMix(FloatBuffer wei, FloatBuffer x, int ld, int vOff, FloatBuffer o, int ldo, int oOff) {
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // weights beyond the diagonal are 0
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, false, rows, hs, keys, 1f, Blas.at(wei, r0 * time), time, Blas.at(x, vOff), ld,
                    0f, Blas.at(o, r0 * ldo + oOff), ldo);                             // (rows,keys) @ (keys,hs) -> (rows,hs)
        }
    }

    /** {@code dWei = dO @ v^T (T,T)} and {@code dv = wei^T @ dO} into {@code dx}'s columns {@code vOff..} (row stride {@code ld}). */
    private void headWeightsBackward(FloatBuffer dO, int ldo, int oOff, FloatBuffer x, int ld, int vOff, FloatBuffer wei,
                                     FloatBuffer dWei, FloatBuffer dx) {
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // only s <= t is used (softmaxBackward)
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, true, rows, keys, hs, 1f, Blas.at(dO, r0 * ldo + oOff), ldo, Blas.at(x, vOff), ld,
                    0f, Blas.at(dWei, r0 * time), time);                               // (rows,hs) @ (hs,keys)
        }
        transposedTimes(wei, dO, ldo, oOff, dx, ld, vOff);                          // (T,T)^T @ (T,hs)
    }

    /** {@code dq = dS @ k} and {@code dk = dS^T @ q} into {@code dx}'s columns {@code qOff..}, {@code kOff..}. */
    private void headScoresBackward(FloatBuffer dS, FloatBuffer x, int ld, int qOff, int kOff, FloatBuffer dx) {
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                          // dS is 0 beyond the diagonal
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, false, rows, hs, keys, 1f, Blas.at(dS, r0 * time), time, Blas.at(x, kOff), ld,
                    0f, Blas.at(dx, r0 * ld + qOff), ld);                              // (rows,keys) @ (keys,hs)
        }
        transposedTimes(dS, x, ld, qOff, dx, ld, kOff);                             // (T,T)^T @ (T,hs)
    }

    /** In place on {@code dProbs[b]}: through the causal softmax, {@code dS = p * (dp - sum p*dp) * scale}, 0 where masked. */
    private void softmaxBackward(float[] probs, float[] dProbs, int b) {
        for (int t = 0; t < time; t++) {
            int w = (b * time + t) * time;
            float dot = 0f;
            for (int s = 0; s <= t; s++) dot += probs[w + s] * dProbs[w + s];          // softmax': sum_s p*dp
            for (int s = 0; s <= t; s++) dProbs[w + s] = probs[w + s] * (dProbs[w + s] - dot) * scale; // dS
            for (int s = t + 1; s < time; s++) dProbs[w + s] = 0f;                     // masked: no gradient
        }
    }

    /**
     * {@code out[:, outOff..+hs) = w^T @ x[:, xOff..+hs)} for a lower-triangular {@code w (T,T)}: row {@code s} of the
     * result sums over {@code t >= s} only, so a block of rows {@code [s0, s0+TB)} reads {@code w}'s rows from
     * {@code s0} on, in its columns {@code s0..}, and {@code x}'s rows from {@code s0} on.
     */
    private void transposedTimes(FloatBuffer w, FloatBuffer x, int ldx, int xOff, FloatBuffer out, int ldOut, int outOff) {
        for (int s0 = 0; s0 < time; s0 += CAUSAL_BLOCK) {
            int rows = Math.min(CAUSAL_BLOCK, time - s0), terms = time - s0;
            Blas.sgemm(true, false, rows, hs, terms, 1f, Blas.at(w, s0 * time + s0), time, Blas.at(x, s0 * ldx + xOff), ldx,
                    0f, Blas.at(out, s0 * ldOut + outOff), ldOut);                     // (terms,rows)^T @ (terms,hs) -> (rows,hs)
        }
    }

    /**
     * Sequence {@code b}'s columns of heads {@code h0..h1-1} from {@code src}, rows of {@code parts * C} ({@code parts}
     * thirds q|k|v, or 1 for an output), in slot {@code slot} as {@code (T, parts * w)}; of the parts only those in
     * {@code partMask} ({@code Q}, {@code K}, {@code V} bits) are sure to be there. A group of every head is one bulk
     * copy of the sequence's rows (already in that layout); a smaller group's columns are packed on the heap first.
     */
    private FloatBuffer load(Blas.Scratch s, int slot, float[] src, int b, int h0, int h1, int parts, int partMask) {
        int w = (h1 - h0) * hs, row = parts * c, len = time * parts * w;
        if (w == c) return s.get(slot, len).put(0, src, b * time * row, len);
        return s.gather(slot, src, b * time * row, row, time, parts, h0 * hs, w, c, partMask);
    }

    /** The inverse of {@link #load}: the parts in {@code partMask} of {@code buf (T, parts * w)} written to {@code dst}, the others left as they are. */
    private void store(Blas.Scratch s, FloatBuffer buf, float[] dst, int b, int h0, int h1, int parts, int partMask) {
        int w = (h1 - h0) * hs, row = parts * c, len = time * parts * w;
        if (w == c && partMask == (1 << parts) - 1) Blas.copyOut(buf, dst, b * time * row, len);
        else s.scatter(buf, dst, b * time * row, row, time, parts, h0 * hs, w, c, partMask);
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
