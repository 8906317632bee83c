package io.buildgpt.engine;

import io.buildgpt.engine.kernels.CausalAttention;
import io.buildgpt.engine.kernels.Parallel;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Profile.Op;
import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * The lecture's {@code MultiHeadAttention} of {@code nHead} {@code Head}s, computed as nanoGPT computes
 * it: one product for every head's query, key and value, attention per (sequence, head) pair, the heads'
 * outputs side by side {@code (B,T,C)}, then {@code proj = Linear(C, C)} and dropout.
 *
 * <p>Why the weights are fused: the lecture's {@code 3 * nHead} matrices {@code (hs, C)} are stored as one
 * {@code c_attn} weight {@code (3C, C)}, rows [queries of heads 0..nh-1 | keys | values], so the projection
 * is one product {@code (B*T, C) @ (C, 3C)} instead of {@code 3 * nHead} thin ones. Head {@code h}'s
 * {@code query.weight} is the block of rows {@code h*hs..} of the first third, its key's of the second, its
 * value's of the third: {@link StateDict} reads and writes them under the lecture's names.
 *
 * <p>One forward for training, a prompt and a generation step: with a {@link KvCache} the new positions'
 * keys and values are appended to it, and once it holds earlier positions each new query attends over the
 * cache (one row of work per position) instead of the batched products.
 *
 * <p>Dimensions: {@code B} batch, {@code T} time, {@code C} nEmbd, {@code hs = C / nHead}, {@code n = B*T};
 * flat row-major {@code float[]}; the attention weights {@code (B,T,T)} are kept per head, in the caller's
 * {@link Buffers} (the layer keeps no activations of its own).
 */
public final class Attention {
    /**
     * Below this many multiply-adds ({@code B*T*T*C} for the scores) the heads run on the caller's thread:
     * handing a few microseconds of work to the pool costs more than it saves. Which thread runs a
     * (sequence, head) pair does not change its bits.
     */
    static final long PARALLEL_WORK = 1 << 18;

    private final String name;
    private final int c, nHead, headSize;
    private final Linear cAttn;              // (3C, C), bias (3C) for GPT-2
    private final Linear proj;               // (C, C)
    private final Dropout[] headDropout;     // on each head's weights, each its own generator
    private final Dropout dropout;           // after proj
    private final Parallel par;

    /** One pass's activations (the caller's: the layer keeps none); {@link #newBuffers()} makes them. */
    public static final class Buffers {
        private final Linear.Buffers cAttn = new Linear.Buffers(), proj = new Linear.Buffers();
        private final Dropout.Buffers dropout = new Dropout.Buffers();
        private final Dropout.Buffers[] headDropout;
        private final float[][] probs, weights, dWeights; // per head (B,T,T): softmax, after dropout, gradient
        private float[] qkv;                     // (B*T, 3C), cAttn's output
        private float[] cat, dQkv;               // (B*T, C), (B*T, 3C)
        private float[] rowProbs;                // (T): one query's weights, last-position-only attention
        private CausalAttention kernel;
        private int batch, time;
        private boolean droppedOut;

        private Buffers(int nHead) {
            headDropout = new Dropout.Buffers[nHead];
            for (int h = 0; h < nHead; h++) headDropout[h] = new Dropout.Buffers();
            probs = new float[nHead][];
            weights = new float[nHead][];
            dWeights = new float[nHead][];
        }
    }

    public Attention(String name, int nEmbd, int nHead, double dropout, TorchGenerator dropoutSeeds) {
        this(name, nEmbd, nHead, dropout, dropoutSeeds, Parallel.SERIAL, false);
    }

    /** With {@code qkvBias}, GPT-2's bias on the fused projection ({@code name.c_attn.bias}). Parameters zero. */
    Attention(String name, int nEmbd, int nHead, double dropout, TorchGenerator dropoutSeeds, Parallel par, boolean qkvBias) {
        if (nEmbd % nHead != 0) throw new IllegalArgumentException(name + ": nEmbd = " + nEmbd + " is not a multiple of nHead = " + nHead);
        this.name = name;
        this.c = nEmbd;
        this.nHead = nHead;
        this.headSize = nEmbd / nHead;
        this.par = par;
        this.headDropout = new Dropout[nHead];
        for (int h = 0; h < nHead; h++) headDropout[h] = new Dropout(dropout, dropoutSeeds.next64()); // heads first, as built
        this.cAttn = new Linear(name + ".c_attn", nEmbd, 3 * nEmbd, qkvBias, par);
        this.proj = new Linear(name + ".proj", nEmbd, nEmbd, true, par);
        this.dropout = new Dropout(dropout, dropoutSeeds.next64());
    }

    /** Empty buffers for one pass, grown on first use. */
    public Buffers newBuffers() {
        return new Buffers(nHead);
    }

    /** {@code (B,T,C) -> (B,T,C)}, without a cache, into {@code b}. */
    public float[] forward(Buffers b, float[] x, int batch, int time, boolean training) {
        return forward(b, x, batch, time, training, null, false);
    }

    /**
     * As above; with {@code lastOnly} (evaluation, the model's last block when only the next token's logits are
     * wanted) every position still gives its key and value, but only the last position of each sequence asks
     * its query: {@code (B,T,C) -> (B,C)}.
     */
    public float[] forward(Buffers b, float[] x, int batch, int time, boolean training, KvCache cache, boolean lastOnly) {
        if ((cache != null || lastOnly) && training) {
            throw new IllegalArgumentException(name + ": a key/value cache and last-position-only attention are for evaluation, not training");
        }
        int n = batch * time;
        ensureRows(b, n, batch, time);
        float[] qkv = b.qkv = cAttn.forward(b.cAttn, x, n, training);      // (B,T,C) @ (C,3C) -> (B,T,3C)
        float[][] probs = b.probs;
        float[] cat = b.cat;
        CausalAttention kernel = b.kernel;
        Profile.lap(Op.QKV_F);
        b.droppedOut = false;
        if (lastOnly && time > 1) {
            if (cache != null && cache.length() > 0) throw new IllegalArgumentException(name + ": last-position-only attention starts a cache, it cannot extend one");
            if (cache != null) cache.append(qkv, batch, time);               // the prompt's keys and values
            lastQueries(b, batch, time);                                     // (B,T,3C) -> (B,C)
            Profile.lap(Op.ATTN_F);
            float[] y = proj.forward(b.proj, cat, batch, false);             // (B,C) @ (C,C) -> (B,C)
            Profile.lap(Op.PROJ_F);
            return y;
        }
        if (cache != null && cache.length() > 0) {                           // each new query over the cache
            cache.append(qkv, batch, time);
            cache.attend(qkv, batch, time, cat);                             // (B,T,3C) -> (B,T,C)
        } else {
            if (training && dropout.p() > 0) {                               // in phases: the masks per head
                b.droppedOut = true;
                float[][] weights = b.weights;
                eachGroup(par, batch, time, (s, h0, h1) -> kernel.scores(qkv, s, h0, h1, probs)); // softmax(q @ k^T) (B,nh,T,T)
                par.forRange(nHead, (w, from, to) -> {
                    for (int h = from; h < to; h++) weights[h] = headDropout[h].forward(b.headDropout[h], probs[h], batch * time * time, true);
                });
                eachGroup(par, batch, time, (s, h0, h1) -> kernel.mix(qkv, weights, s, h0, h1, cat)); // weights @ v -> (B,T,C)
            } else {                                                         // sequences (and heads) are independent
                Parallel p = (long) n * time * c < PARALLEL_WORK ? Parallel.SERIAL : par;
                eachGroup(p, batch, time, (s, h0, h1) -> kernel.forward(qkv, s, h0, h1, probs, cat));
            }
            if (cache != null) cache.append(qkv, batch, time);               // a prompt: its keys and values
        }
        Profile.lap(Op.ATTN_F);
        float[] y = proj.forward(b.proj, cat, n, training);                  // (B,T,C) @ (C,C) -> (B,T,C)
        y = dropout.forward(b.dropout, y, n * c, training);                  // (B,T,C)
        Profile.lap(Op.PROJ_F);
        return y;
    }

    /** {@code dy (B,T,C) -> dx (B,T,C)} for the forward that filled {@code b}, adding the gradients of c_attn and proj. */
    public float[] backward(Buffers b, float[] dOut) {
        float[] dy = dropout.backward(b.dropout, dOut);                      // (B,T,C)
        float[] dCat = proj.backward(b.proj, dy);                            // (B,T,C) @ (C,C) -> (B,T,C)
        Profile.lap(Op.PROJ_B);
        float[] qkv = b.qkv, dQkv = b.dQkv;
        float[][] probs = b.probs, weights = b.weights, dWeights = b.dWeights;
        CausalAttention kernel = b.kernel;
        if (b.droppedOut) {                                                  // in the forward's phases
            eachGroup(par, b.batch, b.time, (s, h0, h1) -> kernel.backwardWeights(dCat, qkv, weights, s, h0, h1, dWeights, dQkv));
            float[][] dProbs = new float[nHead][];
            par.forRange(nHead, (w, from, to) -> {
                for (int h = from; h < to; h++) dProbs[h] = headDropout[h].backward(b.headDropout[h], dWeights[h]); // each head's mask
            });
            eachGroup(par, b.batch, b.time, (s, h0, h1) -> kernel.backwardScores(qkv, probs, dProbs, s, h0, h1, dQkv));
        } else {
            eachGroup(par, b.batch, b.time, (s, h0, h1) -> kernel.backward(dCat, qkv, probs, dWeights, s, h0, h1, dQkv));
        }
        Profile.lap(Op.ATTN_B);
        float[] dx = cAttn.backward(b.cAttn, dQkv);                          // (B,T,3C) @ (3C,C) -> (B,T,C); dW (3C,C)
        Profile.lap(Op.QKV_B);
        return dx;
    }

    /** The last position's query of each sequence over its {@code T} keys and values, all in {@code qkv}: {@code cat (B, C)}. */
    private void lastQueries(Buffers buf, int batch, int time) {
        int c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(headSize));
        if (buf.rowProbs == null || buf.rowProbs.length < time) buf.rowProbs = new float[time];
        float[] qkv = buf.qkv, rowProbs = buf.rowProbs, cat = buf.cat;
        for (int b = 0; b < batch; b++) {
            int base = b * time * c3, last = base + (time - 1) * c3;
            for (int h = 0; h < nHead; h++) {                                // q (hs) . k (T,hs) -> (T) -> @ v (T,hs) -> (hs)
                int hc = h * headSize;
                CausalAttention.attendOne(qkv, last + hc, qkv, base + c + hc, qkv, base + 2 * c + hc, c3, time, headSize, scale,
                        rowProbs, cat, b * c + hc);
            }
        }
    }

    /** Work on heads {@code h0..h1-1} of sequence {@code b}. */
    private interface GroupTask {
        void run(int b, int h0, int h1);
    }

    /**
     * {@code task} for every sequence's heads, shared out over {@code p}'s threads. A short sequence's heads are one
     * unit (its rows move to BLAS's buffers in one copy: {@link CausalAttention}); a long sequence's heads go one
     * by one ({@link CausalAttention#WHOLE_SEQUENCE_FLOATS}), and when there are fewer sequences than threads
     * (generation) the heads are cut into up to one group per thread. Which thread or group computes a head does
     * not change its bits.
     */
    private void eachGroup(Parallel p, int batch, int time, GroupTask task) {
        int groups = (long) time * 3 * c > CausalAttention.WHOLE_SEQUENCE_FLOATS ? nHead
                : batch >= p.threads() ? 1 : Math.min(nHead, p.threads());
        p.forRange(batch * groups, (w, from, to) -> {
            for (int u = from; u < to; u++) {
                int g = u % groups;
                task.run(u / groups, g * nHead / groups, (g + 1) * nHead / groups);
            }
        });
    }

    private void ensureRows(Buffers b, int n, int batch, int time) {
        if (b.batch != batch || b.time != time || b.kernel == null) b.kernel = new CausalAttention(c, headSize, time);
        b.batch = batch;
        b.time = time;
        if (b.cat == null || b.cat.length < n * c) {
            b.cat = new float[n * c];
            b.dQkv = new float[n * 3 * c];
        }
        int tt = batch * time * time;
        for (int h = 0; h < nHead; h++) {
            if (b.probs[h] == null || b.probs[h].length < tt) {
                b.probs[h] = new float[tt];
                b.dWeights[h] = new float[tt];
            }
            b.weights[h] = b.probs[h];
        }
    }

    /** Head {@code head}'s attention weights for sequence {@code s} of the batched forward that filled {@code b}, {@code (T, T)}, before dropout. */
    static float[][] probabilities(Buffers b, int head, int s) {
        int time = b.time;
        float[][] out = new float[time][time];
        for (int t = 0; t < time; t++) System.arraycopy(b.probs[head], (s * time + t) * time, out[t], 0, time);
        return out;
    }

    public String name() {
        return name;
    }

    /** The fused query/key/value projection {@code (3C, C)}, nanoGPT's and GPT-2's {@code c_attn}. */
    public Linear cAttn() {
        return cAttn;
    }

    public Linear proj() {
        return proj;
    }

    public int nHead() {
        return nHead;
    }

    public int headSize() {
        return headSize;
    }

    /** c_attn, proj. */
    /** Every generator a training forward draws from: the heads' dropout, the output's, the Linears' weights'. */
    void randomStreams(List<TorchGenerator> out) {
        for (Dropout d : headDropout) d.randomStreams(out);
        dropout.randomStreams(out);
        for (Linear l : linears()) l.randomStreams(out);
    }

    List<Linear> linears() {
        return List.of(cAttn, proj);
    }

    /** c_attn's weight (and bias), then proj's: the stored tensors ({@link StateDict} gives the lecture's per-head names). */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(cAttn.parameters());
        out.addAll(proj.parameters());
        return out;
    }
}
