package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Scratch;
import io.buildgpt.engine.kernels.Softmax;
import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.engine.kernels.Blas;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * One head of causal self-attention, the lecture's {@code Head}: every position emits a query, a
 * key and a value ({@code Linear(C, headSize, bias=False)} each); position {@code t} attends to
 * positions {@code s <= t} with weights {@code softmax(q_t . k_s / sqrt(headSize))}, the scores of
 * later positions being set to {@code -inf} so that they get weight exactly 0, and returns the
 * weighted sum of their values.
 *
 * <p>The head owns its three Linears (so its parameters carry the lecture's names and PyTorch's
 * state_dict keys), but it does not run them itself: {@link MultiHeadAttention} stacks the query, key
 * and value weights of all heads into one {@code (3C, C)} matrix and computes them in one product,
 * as nanoGPT's {@code c_attn} does, into a {@code qkv} buffer; this head reads its {@code hs} columns
 * of each third and writes its output to its columns of the concatenated result.
 *
 * <p>Dimensions:
 * <pre>
 *   B   batch: sequences in the batch            T   time: positions per sequence (at most blockSize)
 *   C   nEmbd: channels of the residual stream    hs  headSize = C / nHead
 *   n = B*T rows; arrays are flat row-major float[]
 *   qkv (n, 3C): row b*T+t = [ q of head 0 | ... | q of head nHead-1 | k of heads 0.. | v of heads 0.. ],
 *                 so this head's q is columns h*hs.., its k C + h*hs.., its v 2C + h*hs..
 *   probs, weights (B, T, T): attention weights before and after dropout; out (n, C): columns h*hs.. are this head's
 * </pre>
 * Per sequence the work is three matrix products through BLAS on this head's {@code (T, hs)} slices
 * ({@code q @ k^T}, masked softmax in a loop, {@code wei @ v}) and four in the backward pass.
 */
public final class Head {
    final Linear key, query, value;   // weights (headSize, C)
    private final int c, headSize, qOff, kOff, vOff, outOff;
    private final float scale;        // 1 / sqrt(headSize): keeps the softmax from saturating at init
    private final Dropout dropout;
    private float[] probs, dWeights;  // (B, T, T)
    private float[] weights;          // probs after dropout (B, T, T)
    private float[] dProbs;           // dWeights through the dropout mask (B, T, T), when a mask was drawn
    private int batch, time;

    public Head(String name, int index, int nEmbd, int headSize, double dropout, long dropoutSeed) {
        this.key = new Linear(name + ".key", nEmbd, headSize, false);
        this.query = new Linear(name + ".query", nEmbd, headSize, false);
        this.value = new Linear(name + ".value", nEmbd, headSize, false);
        this.c = nEmbd;
        this.headSize = headSize;
        this.qOff = index * headSize;
        this.kOff = nEmbd + index * headSize;
        this.vOff = 2 * nEmbd + index * headSize;
        this.outOff = index * headSize;
        this.scale = (float) (1 / Math.sqrt(headSize));
        this.dropout = new Dropout(dropout, dropoutSeed);
    }

    /** Sizes the buffers for {@code (B, T)} before a forward pass. */
    void prepare(int batch, int time, boolean training) {
        this.batch = batch;
        this.time = time;
        int tt = batch * time * time;
        if (probs == null || probs.length < tt) {
            probs = new float[tt];
            dWeights = new float[tt];
        }
        weights = probs;
        dropout.forward(probs, 0, false); // marks the dropout inactive until a training forward with p > 0
    }

    /** Whether a forward pass in this mode draws a dropout mask: then it runs in three phases ({@link #scores}, {@link #dropOut}, {@link #mix}). */
    boolean dropsOut(boolean training) {
        return training && dropout.p() > 0;
    }

    /** Whether the last forward pass drew a mask. */
    boolean droppedOut() {
        return weights != probs;
    }

    /**
     * With dropout, a forward pass is {@link #scores} of every sequence, then this (the mask of all
     * {@code (B,T,T)} weights from this head's own generator, in one go), then {@link #mix} of every
     * sequence. Heads have separate generators, so the heads may draw their masks on different threads
     * and the sequences of each phase may run on any thread: the result is the same for any thread count.
     */
    void dropOut(boolean training) {
        weights = dropout.forward(probs, batch * time * time, training);         // (B,T,T)
    }

    /** Sequence {@code b} alone, without dropout: independent of the other sequences and heads, so any thread may run it. */
    void forwardSequence(float[] qkv, float[] out, int b) {
        scores(qkv, b);
        mix(qkv, out, b);
    }

    /**
     * Rows of the {@code (T,T)} weights per product. Position {@code t} attends only to {@code s <= t},
     * so the rows of a block {@code [r0, r0+TB)} need only the keys and values {@code 0..r0+TB-1}: the
     * products below skip the blocks above the diagonal, which for the lecture's T = 256 is 6 of 16
     * blocks of work. A fixed size, so the products are the same for every thread count.
     */
    static final int CAUSAL_BLOCK = 64;

    // Per sequence b, the lecture's four lines as products of this head's (T,hs) slices, each copied out of
    // qkv (row stride 3C) into the thread's BLAS buffers (slots: 3 q, 4 k, 5 v, 6 the (T,T) weights, 7 out),
    // by blocks of CAUSAL_BLOCK rows, each block only as far as the diagonal:
    //   wei = q @ k^T * hs^-0.5   (T,hs) @ (hs,T) -> (T,T)   the entries above the diagonal are left unset...
    //   wei = masked_fill(tril == 0, -inf); softmax             ...and the softmax writes their 0
    //   out = wei @ v             (T,T) @ (T,hs) -> (T,hs)
    void scores(float[] qkv, int b) {
        int c3 = 3 * c, base = b * time * c3, tt = time * time;
        Blas.Scratch s = Blas.scratch();
        FloatBuffer q = s.gather(3, qkv, base + qOff, c3, time, headSize);      // (T,hs)
        FloatBuffer k = s.gather(4, qkv, base + kOff, c3, time, headSize);      // (T,hs)
        FloatBuffer wei = s.get(6, tt);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                      // rows r0.. see keys 0..r0+rows-1
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, true, rows, keys, headSize, scale, Blas.at(q, r0 * headSize), headSize, k, headSize,
                    0f, Blas.at(wei, r0 * time), time);                              // (rows,hs) @ (hs,keys) -> (rows,keys)
        }
        Blas.copyOut(wei, probs, b * tt, tt);
        for (int t = 0; t < time; t++) causalSoftmax(probs, (b * time + t) * time, t + 1, time); // masked, softmax (T,T)
    }

    void mix(float[] qkv, float[] out, int b) {
        int c3 = 3 * c, tt = time * time;
        Blas.Scratch s = Blas.scratch();
        FloatBuffer wei = s.get(6, tt).put(0, weights, b * tt, tt);             // (T,T), after dropout
        FloatBuffer v = s.gather(5, qkv, b * time * c3 + vOff, c3, time, headSize); // (T,hs)
        FloatBuffer o = s.get(7, time * headSize);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                      // weights beyond the diagonal are 0
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, false, rows, headSize, keys, 1f, Blas.at(wei, r0 * time), time, v, headSize,
                    0f, Blas.at(o, r0 * headSize), headSize);                        // (rows,keys) @ (keys,hs) -> (rows,hs)
        }
        s.scatter(o, out, b * time * c + outOff, c, time, headSize);        // -> this head's columns of (B,T,C)
    }

    /** The attention probabilities of batch row {@code b} from the last forward pass, {@code (T, T)}, before dropout. */
    float[][] probabilities(int b) {
        float[][] out = new float[time][time];
        for (int t = 0; t < time; t++) System.arraycopy(probs, (b * time + t) * time, out[t], 0, time);
        return out;
    }

    /**
     * Sequence {@code b} alone, when the forward pass drew no mask; any thread may run it. With a mask
     * the backward pass runs in three phases, like the forward: {@link #backwardWeights} of every
     * sequence, {@link #dropOutBackward}, then {@link #backwardScores} of every sequence.
     */
    void backwardSequence(float[] dOut, float[] qkv, float[] dQkv, int b) {
        backwardWeights(dOut, qkv, dQkv, b);
        backwardScores(qkv, dQkv, b);
    }

    /** Through the dropout on the weights: {@code dProbs = dWeights * mask} for all {@code (B,T,T)}. */
    void dropOutBackward() {
        dProbs = dropout.backward(dWeights);                                     // (B,T,T)
    }

    /** {@code dWei = dOut @ v^T (T,T)} into dWeights, and {@code dv = wei^T @ dOut (T,hs)} into dQkv. */
    void backwardWeights(float[] dOut, float[] qkv, float[] dQkv, int b) {
        int c3 = 3 * c, base = b * time * c3, tt = time * time, ths = time * headSize;
        Blas.Scratch s = Blas.scratch();
        FloatBuffer dO = s.gather(7, dOut, b * time * c + outOff, c, time, headSize); // (T,hs)
        FloatBuffer v = s.gather(5, qkv, base + vOff, c3, time, headSize);          // (T,hs)
        FloatBuffer wei = s.get(6, tt).put(0, weights, b * tt, tt);                 // (T,T)
        FloatBuffer dWei = s.get(0, tt), dv = s.get(1, ths);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                      // only s <= t is used (backwardScores)
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, true, rows, keys, headSize, 1f, Blas.at(dO, r0 * headSize), headSize, v, headSize,
                    0f, Blas.at(dWei, r0 * time), time);                             // (rows,hs) @ (hs,keys)
        }
        Blas.copyOut(dWei, dWeights, b * tt, tt);
        transposedTimes(wei, dO, dv);                                           // (T,T)^T @ (T,hs)
        s.scatter(dv, dQkv, base + vOff, c3, time, headSize);                   // this (b, head)'s own columns
    }

    /** Through the softmax ({@code dS = p * (dp - sum p*dp) * scale}, 0 where masked), then {@code dq = dS @ k}, {@code dk = dS^T @ q}. */
    void backwardScores(float[] qkv, float[] dQkv, int b) {
        float[] dProbs = droppedOut() ? this.dProbs : dWeights;                  // (B,T,T), gradient of the probabilities
        int c3 = 3 * c, base = b * time * c3, tt = time * time, ths = time * headSize;
        for (int t = 0; t < time; t++) {
            int w = (b * time + t) * time;
            float dot = 0f;
            for (int s = 0; s <= t; s++) dot += probs[w + s] * dProbs[w + s];      // softmax': sum_s p*dp
            for (int s = 0; s <= t; s++) dProbs[w + s] = probs[w + s] * (dProbs[w + s] - dot) * scale; // dS, in place
            for (int s = t + 1; s < time; s++) dProbs[w + s] = 0f;                  // masked: no gradient
        }
        Blas.Scratch sc = Blas.scratch();
        FloatBuffer dS = sc.get(6, tt).put(0, dProbs, b * tt, tt);                  // (T,T)
        FloatBuffer q = sc.gather(3, qkv, base + qOff, c3, time, headSize);         // (T,hs)
        FloatBuffer k = sc.gather(4, qkv, base + kOff, c3, time, headSize);         // (T,hs)
        FloatBuffer dq = sc.get(0, ths), dk = sc.get(1, ths);
        for (int r0 = 0; r0 < time; r0 += CAUSAL_BLOCK) {                      // dS is 0 beyond the diagonal
            int rows = Math.min(CAUSAL_BLOCK, time - r0), keys = r0 + rows;
            Blas.sgemm(false, false, rows, headSize, keys, 1f, Blas.at(dS, r0 * time), time, k, headSize,
                    0f, Blas.at(dq, r0 * headSize), headSize);                       // (rows,keys) @ (keys,hs)
        }
        transposedTimes(dS, q, dk);                                             // (T,T)^T @ (T,hs)
        sc.scatter(dq, dQkv, base + qOff, c3, time, headSize);
        sc.scatter(dk, dQkv, base + kOff, c3, time, headSize);
    }

    /**
     * {@code out (T,hs) = w^T @ x} for a lower-triangular {@code w (T,T)} (zero above the diagonal):
     * row {@code s} of the result sums over {@code t >= s} only, so a block of rows {@code [s0, s0+TB)}
     * reads {@code w}'s rows from {@code s0} on, in its columns {@code s0..}, and {@code x}'s rows from {@code s0} on.
     */
    private void transposedTimes(FloatBuffer w, FloatBuffer x, FloatBuffer out) {
        for (int s0 = 0; s0 < time; s0 += CAUSAL_BLOCK) {
            int rows = Math.min(CAUSAL_BLOCK, time - s0), terms = time - s0;
            Blas.sgemm(true, false, rows, headSize, terms, 1f, Blas.at(w, s0 * time + s0), time, Blas.at(x, s0 * headSize), headSize,
                    0f, Blas.at(out, s0 * headSize), headSize);                     // (terms,rows)^T @ (terms,hs) -> (rows,hs)
        }
    }

    /** In place on scores {@code p[off .. off+total)}: softmax over the first {@code valid}, 0 (a score of -inf) for the rest. */
    static void causalSoftmax(float[] p, int off, int valid, int total) {
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < valid; s++) max = Math.max(max, p[off + s]);
        float sum = 0f;
        for (int s = 0; s < valid; s++) {
            float e = Softmax.exp(p[off + s] - max);
            p[off + s] = e;
            sum += e;
        }
        // masked_fill(tril == 0, -inf): exp(-inf) is exactly 0, and adding 0 leaves the sum's bits alone,
        // so the future gets its zeros directly instead of half the row's exponentials (the costliest part of a generation step)
        for (int s = valid; s < total; s++) p[off + s] = 0f;
        float inv = 1f / sum;
        for (int s = 0; s < valid; s++) p[off + s] *= inv;
    }

    /**
     * One row of attention weights: {@code p[s] = softmax_s(q . k_s * scale)} for {@code s < valid},
     * and 0 (a score of -inf) for {@code valid <= s < total}. Keys are rows of {@code keys} starting
     * at {@code kBase}, {@code kStride} apart. Shared by the batched pass and the cached step, so
     * both produce the same bits.
     */
    static void causalSoftmaxRow(float[] q, int qOff, float[] keys, int kBase, int kStride, int hs, float scale,
                                 int valid, int total, float[] p, int pOff) {
        for (int s = 0; s < valid; s++) p[pOff + s] = Matmul.dot(q, qOff, keys, kBase + s * kStride, hs) * scale; // scores
        causalSoftmax(p, pOff, valid, total);
    }

    /** {@code out[d] = sum_{s < count} p[s] * v_s[d]}, values being rows of {@code values} {@code vStride} apart. */
    static void weightedSum(float[] p, int pOff, int count, float[] values, int vBase, int vStride, int hs, float[] out, int outOff) {
        for (int d = 0; d < hs; d++) out[outOff + d] = 0f;
        for (int s = 0; s < count; s++) {
            float w = p[pOff + s];
            int v = vBase + s * vStride;
            for (int d = 0; d < hs; d++) out[outOff + d] += w * values[v + d];
        }
    }

    /** key, query and value weights, in the lecture's order (those not quantized). */
    public List<Parameter> parameters() {
        List<Parameter> out = new java.util.ArrayList<>(key.parameters());
        out.addAll(query.parameters());
        out.addAll(value.parameters());
        return out;
    }

    /** key, query, value. */
    List<Linear> linears() {
        return List.of(key, query, value);
    }

    public int headSize() {
        return headSize;
    }
}
