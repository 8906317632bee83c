package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Parallel;
import io.buildgpt.engine.kernels.Matmul;

import io.buildgpt.engine.kernels.Profile.Op;
import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lecture's {@code MultiHeadAttention}: {@code nHead} {@link Head}s side by side, their outputs
 * concatenated to {@code (B,T,C)}, then {@code proj = Linear(C, C)} and dropout.
 *
 * <p>Dimensions: {@code B} batch, {@code T} time (positions, at most blockSize), {@code C} nEmbd,
 * {@code hs = C / nHead}, {@code n = B*T} rows; flat row-major {@code float[]}. {@code x, cat, dx (n, C)};
 * {@code wQkv (3C, C)} = nanoGPT's {@code c_attn} weight, rows [queries of heads 0..nHead-1 | keys | values],
 * each head's block {@code (hs, C)}; {@code qkv, dQkv (n, 3C)} in the same column order (see {@link Head}).
 *
 * <p>Why the projection is fused (nanoGPT's {@code c_attn}): the heads' query, key and value weights
 * ({@code 3 * nHead} matrices of {@code (hs, C)}) are stacked into one {@code (3C, C)} matrix on every
 * pass, so the projection is one product {@code (B*T, C) @ (C, 3C)} instead of {@code 3 * nHead} thin ones.
 * Stacking and unstacking cost {@code 3C*C} copies, against {@code B*T*3C*C} for the product. The
 * parameters stay per head, named as PyTorch's state_dict.
 *
 * <p>Generation ({@link GenerationPass}, with its {@link KvCache}s) uses two small primitives of this
 * layer: the fused projection alone ({@link #qkv}, {@link #qkvStep}) and {@link #proj()}.
 *
 * <p>Fine-tuning hooks in at two places: the heads' Linears may carry a {@link LinearHook} (frozen or
 * quantized base), and a {@link QkvLora} may add to the stacked {@code (3C,C)} matrix; see those classes.
 */
public final class MultiHeadAttention {
    private final int c, nHead, headSize;
    private final Head[] heads;
    private final Linear proj;
    private final Parameter qkvBias;            // (3C) = c_attn.bias in the [queries | keys | values] order, or null (lecture)
    private final Dropout dropout;
    private float[] wQkv, dWQkv;                // (3C,C) each; shared between layers once fine-tuned (restacked in backward)
    private final Matmul mm;
    private final Parallel par;
    private float[] x;                          // the last input (B*T, C), by reference
    private float[] qkv, cat, dQkv, dx;         // (B*T,3C), (B*T,C), (B*T,3C), (B*T,C)
    private int batch, time;
    private final String name;
    private QkvLora lora;                       // LoRA on the stacked query, key, value projections, or null
    private boolean branch;                     // the last forward ran the adapters' dropout branches explicitly

    public MultiHeadAttention(String name, int nEmbd, int nHead, int blockSize, double dropout, TorchGenerator dropoutSeeds) {
        this(name, nEmbd, nHead, blockSize, dropout, dropoutSeeds, Parallel.SERIAL, false);
    }

    /** With {@code qkvBias}, GPT-2's bias on the fused projection ({@code name.c_attn.bias}, zero until filled). */
    MultiHeadAttention(String name, int nEmbd, int nHead, int blockSize, double dropout, TorchGenerator dropoutSeeds, Parallel par,
                       boolean qkvBias) {
        this.par = par;
        this.mm = new Matmul(par);
        this.c = nEmbd;
        this.nHead = nHead;
        this.headSize = nEmbd / nHead;
        this.name = name;
        this.heads = new Head[nHead];
        for (int h = 0; h < nHead; h++) {
            heads[h] = new Head(name + ".heads." + h, h, nEmbd, headSize, dropout, dropoutSeeds.next64());
        }
        this.qkvBias = qkvBias ? new Parameter(name + ".c_attn.bias", 3 * nEmbd) : null;
        this.proj = new Linear(name + ".proj", nEmbd, nEmbd, true, par);
        this.dropout = new Dropout(dropout, dropoutSeeds.next64());
        this.wQkv = new float[3 * c * c];
        this.dWQkv = new float[3 * c * c];
    }

    /**
     * Below this many multiply-adds ({@code B*T*T*C} for the scores) the heads run on the caller's thread:
     * handing a few microseconds of work to the pool costs more than it saves, and a generation step
     * (one sequence of at most blockSize positions) ran at two threads at two thirds of the speed of one.
     * Which thread runs a (sequence, head) pair does not change its bits.
     */
    static final long PARALLEL_WORK = 1 << 18;

    /** {@code (B,T,C) -> (B,T,C)}. */
    public float[] forward(float[] x, int batch, int time, boolean training) {
        int n = batch * time;
        ensureRows(n);
        this.x = x;
        this.batch = batch;
        this.time = time;
        branch = lora != null && lora.dropsOut(training);
        stackWeights(!branch);                                           // heads' (hs,C) x 3H -> (3C,C)
        mm.multiplyByTransposeOf(x, wQkv, qkv, n, c, 3 * c);         // (B,T,C) @ (3C,C)^T -> (B,T,3C)
        if (qkvBias != null) Linear.addBias(qkv, qkvBias.data, n, 3 * c); // + c_attn.bias (3C)
        if (branch) lora.forwardBranch(x, n, qkv);                   // + s * (drop(x) @ A^T) @ B^T per third (B,T,C)
        Profile.lap(Op.QKV_F);
        for (Head h : heads) h.prepare(batch, time, training);
        if (heads[0].dropsOut(training)) {                           // (B,T,3C) -> (B,T,hs) per head -> cat (B,T,C), in phases:
            eachPair(par, (h, b) -> h.scores(qkv, b));               // scores and softmax (B,nh,T,T)
            eachHead(h -> h.dropOut(true));                          // masks, each head from its own generator
            eachPair(par, (h, b) -> h.mix(qkv, cat, b));             // weights @ values -> cat
        } else {                                                     // (batch, head) pairs are independent
            Parallel p = (long) n * time * c < PARALLEL_WORK ? Parallel.SERIAL : par;
            eachPair(p, (h, b) -> h.forwardSequence(qkv, cat, b));
        }
        Profile.lap(Op.ATTN_F);
        float[] y = proj.forward(cat, n, training);                  // (B,T,C) @ (C,C) -> (B,T,C)
        y = dropout.forward(y, n * c, training);                     // (B,T,C)
        Profile.lap(Op.PROJ_F);
        return y;
    }

    /** Work on one (head, sequence) pair. */
    private interface PairTask {
        void run(Head head, int b);
    }

    /** {@code task} for every (sequence, head) pair, shared out over {@code p}'s threads (pairs are independent). */
    private void eachPair(Parallel p, PairTask task) {
        p.forRange(batch * nHead, (w, from, to) -> {
            for (int bh = from; bh < to; bh++) task.run(heads[bh % nHead], bh / nHead);
        });
    }

    /** {@code task} for every head, over the threads (each head draws from its own generator). */
    private void eachHead(java.util.function.Consumer<Head> task) {
        par.forRange(nHead, (w, from, to) -> {
            for (int h = from; h < to; h++) task.accept(heads[h]);
        });
    }

    /** {@code dy (B,T,C) -> dx (B,T,C)}, adding every head's and the projection's gradients. */
    public float[] backward(float[] dOut) {
        int n = batch * time;
        float[] dy = dropout.backward(dOut);                         // (B,T,C)
        float[] dCat = proj.backward(dy);                            // (B,T,C) @ (C,C) -> (B,T,C)
        Profile.lap(Op.PROJ_B);
        Arrays.fill(dQkv, 0, n * 3 * c, 0f);
        if (heads[0].droppedOut()) {                                 // (B,T,C) -> (B,T,3C), in the forward's phases
            eachPair(par, (h, b) -> h.backwardWeights(dCat, qkv, dQkv, b));
            eachHead(Head::dropOutBackward);
            eachPair(par, (h, b) -> h.backwardScores(qkv, dQkv, b));
        } else {
            eachPair(par, (h, b) -> h.backwardSequence(dCat, qkv, dQkv, b));
        }
        Profile.lap(Op.ATTN_B);
        if (qkvBias != null) Linear.sumRows(dQkv, qkvBias.grad(), n, 3 * c); // (B,T,3C) -> (3C)
        Arrays.fill(dWQkv, 0f);
        mm.accumulateTransposedA(dQkv, x, dWQkv, n, 3 * c, c);       // (B,T,3C)^T @ (B,T,C) -> (3C,C)
        unstackGradients();                                          // (3C,C) -> heads' (hs,C) x 3H
        stackWeights(!branch);                                       // again: the buffer may be shared between layers
        mm.multiply(dQkv, wQkv, dx, n, 3 * c, c);                    // (B,T,3C) @ (3C,C) -> (B,T,C)
        if (branch) lora.backwardBranch(dQkv, dx);                   // its third of dQkv: dA, dB; dx += (dh @ A) * mask
        Profile.lap(Op.QKV_B);
        return dx;
    }

    /**
     * Generation's primitive ({@link GenerationPass}): the fused projection alone, eval mode,
     * {@code x (n,C) @ (3C,C)^T -> (n,3C)} into this layer's buffer, the same bits as {@link #forward}'s.
     */
    float[] qkv(float[] x, int n) {
        ensureRows(n);
        stackWeights(true);
        mm.multiplyByTransposeOf(x, wQkv, qkv, n, c, 3 * c);         // (B,T,C) @ (3C,C)^T -> (B,T,3C)
        if (qkvBias != null) Linear.addBias(qkv, qkvBias.data, n, 3 * c); // + c_attn.bias (3C)
        return qkv;
    }

    /**
     * Generation's primitive for one new position of each of {@code B} sequences: {@code x (B,C) -> (B,3C)}
     * into this layer's buffer. Plain weights are read in place, per head and role (no stacking copy).
     */
    float[] qkvStep(float[] x, int batch) {
        ensureRows(batch);
        int c3 = 3 * c;
        if (!plainWeights()) {                                       // adapted or quantized: the effective weights
            stackWeights(true);                                      // (3C,C)
            Matmul.multiplyTransposed(x, wQkv, qkv, 0, c3, batch, c, c3); // (B,C) @ (C,3C) -> (B,3C)
        } else for (int h = 0; h < nHead; h++) {                     // (B,C) @ (C,hs) -> (B,hs), per head and role:
            Matmul.multiplyTransposed(x, heads[h].query.weight().data, qkv, h * headSize, c3, batch, c, headSize); // no copy
            Matmul.multiplyTransposed(x, heads[h].key.weight().data, qkv, c + h * headSize, c3, batch, c, headSize);
            Matmul.multiplyTransposed(x, heads[h].value.weight().data, qkv, 2 * c + h * headSize, c3, batch, c, headSize);
        }
        if (qkvBias != null) Linear.addBias(qkv, qkvBias.data, batch, c3); // + c_attn.bias (3C)
        return qkv;
    }

    /** The queries, keys and values {@code (n,3C)} of the last {@link #forward}, {@link #qkv} or {@link #qkvStep} call (the caches' source). */
    float[] qkvBuffer() {
        return qkv;
    }

    /** Heads' (hs,C) x 3H -> (3C,C), dequantized where quantized, plus (if {@code withAdapters}) each adapter's s * B @ A on its (C,C) block. */
    private void stackWeights(boolean withAdapters) {
        for (int h = 0; h < nHead; h++) {
            int rows = h * headSize * c;
            heads[h].query.writeBaseWeight(wQkv, rows);
            heads[h].key.writeBaseWeight(wQkv, c * c + rows);
            heads[h].value.writeBaseWeight(wQkv, 2 * c * c + rows);
        }
        if (withAdapters && lora != null) lora.addTo(wQkv);         // + s * (C,r) @ (r,C) per third
    }

    /** (3C,C) -> heads' (hs,C) x 3H, skipping frozen ones; each adapter takes the gradient of its (C,C) block. */
    private void unstackGradients() {
        for (int h = 0; h < nHead; h++) {
            int rows = h * headSize * c;
            heads[h].query.accumulateWeightGradient(dWQkv, rows);
            heads[h].key.accumulateWeightGradient(dWQkv, c * c + rows);
            heads[h].value.accumulateWeightGradient(dWQkv, 2 * c * c + rows);
        }
        if (!branch && lora != null) lora.backward(dWQkv);
    }

    private boolean plainWeights() {
        if (lora != null) return false;
        for (Head h : heads) for (Linear l : h.linears()) if (l.hook() != null) return false;
        return true;
    }

    /** Fine-tuning: the query/key/value adapters (null to remove them). */
    void setLora(QkvLora lora) {
        this.lora = lora;
    }

    QkvLora lora() {
        return lora;
    }

    /** Fine-tuning: stack the weights in buffers shared by the model's layers, {@code (3C,C)} each, instead of this layer's own. */
    void shareStackBuffers(float[] w, float[] dw) {
        this.wQkv = w;
        this.dWQkv = dw;
    }

    String name() {
        return name;
    }

    Linear proj() {
        return proj;
    }

    /** Every head's key, query, value, then proj. */
    List<Linear> linears() {
        List<Linear> out = new ArrayList<>();
        for (Head h : heads) out.addAll(h.linears());
        out.add(proj);
        return out;
    }

    private void ensureRows(int n) {
        if (qkv == null || qkv.length < n * 3 * c) {
            qkv = new float[n * 3 * c];
            dQkv = new float[n * 3 * c];
            cat = new float[n * c];
            dx = new float[n * c];
        }
    }

    public List<Head> heads() {
        return List.of(heads);
    }

    /** GPT-2's {@code c_attn.bias} (3C), or null for the lecture's GPT. */
    Parameter qkvBias() {
        return qkvBias;
    }

    /** Every head's key, query and value weights, GPT-2's {@code c_attn.bias} if any, then proj's weight and bias: PyTorch's order. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Head h : heads) out.addAll(h.parameters());
        if (qkvBias != null) out.add(qkvBias);
        out.addAll(proj.parameters());
        return out;
    }
}
