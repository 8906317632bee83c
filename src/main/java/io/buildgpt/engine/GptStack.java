package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Parallel;

import io.buildgpt.engine.kernels.Profile.Op;
import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers of {@link GptLanguageModel} in the lecture's order, and the batched passes through them:
 * token embedding {@code (V,C)} plus position embedding {@code (blockSize,C)}, {@code nLayer}
 * {@link Block}s, {@code ln_f}, {@code lm_head}; {@link #logits} forward to {@code (B*T, V)}, and
 * {@link #backward} from the logits' gradient down to the embeddings' (adding into every gradient).
 */
final class GptStack {
    final Parameter tokenEmbeddingTable;    // (V, C)
    final Parameter positionEmbeddingTable; // (blockSize, C)
    final Block[] blocks;
    final LayerNorm lnF;
    final Linear lmHead;                    // weight (V, C), bias (V)
    private final Dropout embeddingDropout; // GPT-2's drop after wte + wpe (embd_pdrop); null for the lecture's GPT
    private final int c;
    private boolean trainsEmbeddings = true;
    private final int nHead, blockSize;
    final int threads;                      // the model's pool: lm_head's rows per call in a loss computed in parts
    private KvCache[] caches;
    private boolean checkpointing;          // keep each block's input only; the backward pass runs the block again
    final Activations acts;                 // every buffer of a pass; the layers keep none

    /** The layers in construction order (the blocks draw their dropout seeds from {@code dropoutSeeds}), parameters zero. */
    GptStack(GptConfig config, TorchGenerator dropoutSeeds, Parallel par) {
        this.c = config.nEmbd();
        this.nHead = config.nHead();
        this.blockSize = config.blockSize();
        this.threads = par.threads();
        this.tokenEmbeddingTable = new Parameter("token_embedding_table.weight", config.vocabSize(), c);
        this.positionEmbeddingTable = new Parameter("position_embedding_table.weight", config.blockSize(), c);
        this.blocks = new Block[config.nLayer()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = new Block("blocks." + i, config, dropoutSeeds, par);
        this.lnF = new LayerNorm("ln_f", c, par);
        // drawn after the blocks' seeds, and only for GPT-2, so the lecture's dropout streams are unchanged
        this.embeddingDropout = config.variant() == GptConfig.Variant.GPT2 ? new Dropout(config.dropout(), dropoutSeeds.next64()) : null;
        boolean tied = config.variant().tiedHead();
        this.lmHead = new Linear("lm_head", c, config.vocabSize(), !tied, par);
        if (tied) lmHead.setWeight(new DenseWeight(tokenEmbeddingTable)); // GPT-2: the same (V,C) array; both backward passes add into its grad
        this.acts = new Activations(blocks);
    }

    /**
     * While on, every layer's weight is copied to BLAS's memory once and read from there by each product, instead
     * of once per product: generation multiplies by every weight for every token. Nothing may change a weight
     * while on; switching on again copies afresh. The same numbers either way.
     */
    void pinWeights(boolean on) {
        for (Block b : blocks) for (Linear l : b.linears()) l.pinWeights(on);
        lmHead.pinWeights(on);
    }

    /** The base's float tensors in PyTorch's state_dict order (without weights quantized into byte blocks). */
    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(List.of(tokenEmbeddingTable, positionEmbeddingTable));
        for (Block b : blocks) all.addAll(b.parameters());
        all.addAll(lnF.parameters());
        for (Parameter p : lmHead.parameters()) if (p != tokenEmbeddingTable) all.add(p); // a tied head is listed once, as wte
        return all;
    }

    /** Forward pass over {@code idx (B*T)}; returns the logits buffer {@code (B*T, V)}. */
    float[] logits(int[] idx, int batch, int time, boolean training) {
        return logits(idx, batch, time, training, null, false);
    }

    /**
     * The one forward pass: training, evaluation, a prompt and a generation step. With {@code caches} (one per
     * block, evaluation only) the {@code T} tokens take the positions after those the caches hold; with
     * {@code lastOnly} only each sequence's last position goes on from the last block's attention to
     * {@code lm_head} (logits {@code (B, V)}: all that sampling needs; the earlier blocks still run every position).
     */
    float[] logits(int[] idx, int batch, int time, boolean training, KvCache[] caches, boolean lastOnly) {
        float[] h = hidden(idx, batch, time, training, caches, lastOnly, false);
        float[] logits = lmHead.forward(acts.lmHead, h, lastOnly ? batch : batch * time); // (rows,C) @ (C,V) -> (rows,V)
        Profile.lap(Op.LM_HEAD_F);
        return logits;
    }

    /** The forward pass up to {@code ln_f}'s output {@code (B*T, C)}: what {@code lm_head} reads (training or evaluation, no cache). */
    float[] hidden(int[] idx, int batch, int time, boolean training) {
        return hidden(idx, batch, time, training, null, false, false);
    }

    /**
     * The forward pass without {@code lm_head}, returning {@code ln_f}'s output {@code (rows, C)}; {@code ownBuffers} runs
     * every block in its own buffers even when checkpointing (to read one block's attention).
     */
    private float[] hidden(int[] idx, int batch, int time, boolean training, KvCache[] caches, boolean lastOnly, boolean ownBuffers) {
        int n = batch * time;
        Activations a = acts;
        float[] x = a.x(n, c);
        a.idx = idx;
        a.batch = batch;
        a.time = time;
        int pos0 = caches == null ? 0 : caches[0].length();
        Profile.begin();
        float[] tok = tokenEmbeddingTable.data, pos = positionEmbeddingTable.data;
        for (int i = 0; i < n; i++) {
            int e = idx[i] * c, p = (pos0 + i % time) * c;
            for (int j = 0; j < c; j++) x[i * c + j] = tok[e + j] + pos[p + j]; // (B,T,C) + (T,C) -> (B,T,C)
        }
        Profile.lap(Op.EMBED_F);
        float[] h = embeddingDropout == null ? x : embeddingDropout.forward(a.embeddingDropout, x, n * c, training); // GPT-2: drop (B,T,C)
        for (int i = 0; i < blocks.length; i++) {                                // the last block may keep the last positions only
            boolean last = lastOnly && i == blocks.length - 1;
            KvCache cache = caches == null ? null : caches[i];
            if (checkpointing && !ownBuffers) {                                  // keep the input; run in the shared buffers
                float[] in = a.input(training ? i : 0, n * c);
                System.arraycopy(h, 0, in, 0, n * c);                            // (B,T,C)
                if (training) a.saveStreams(i, blocks[i]);                       // the dropout masks can be drawn again
                h = blocks[i].forward(a.work, in, batch, time, training, cache, last);
            } else {
                h = blocks[i].forward(a.blocks[i], h, batch, time, training, cache, last); // (B,T,C), or (B,C)
            }
        }
        int rows = lastOnly ? batch : n;
        h = lnF.forward(a.lnF, h, rows);                                         // (rows,C)
        Profile.lap(Op.LN_F);
        return h;
    }

    /** What head {@code head} of block {@code layer} attends to for one context: an evaluation pass in every block's own buffers. */
    float[][] attentionWeights(int[] context, int layer, int head) {
        hidden(context, 1, context.length, false, null, false, true);
        return Attention.probabilities(acts.blocks[layer].attention(), head, 0);
    }

    /**
     * Gradient checkpointing: a training pass keeps each block's input (and its dropout generators' states) instead
     * of every activation, and {@link #backward} runs each block's forward again, in one set of buffers shared by
     * all blocks, just before its backward. Switching drops the buffers a pass grew.
     */
    void setCheckpointing(boolean on) {
        checkpointing = on;
        acts.checkpointing(on, blocks);
    }

    boolean checkpointing() {
        return checkpointing;
    }

    /** One key/value cache per block, made on first use and kept (generation clears them). */
    KvCache[] caches() {
        if (caches == null) {
            caches = new KvCache[blocks.length];
            for (int i = 0; i < blocks.length; i++) caches[i] = new KvCache(c, nHead, blockSize);
        }
        return caches;
    }

    /** Whether the embeddings and LayerNorms take gradients (fine-tuning freezes them with the base). */
    void setTrainsEmbeddings(boolean trains) {
        this.trainsEmbeddings = trains;
        for (Block b : blocks) {
            b.ln1().setTrains(trains);
            b.ln2().setTrains(trains);
        }
        lnF.setTrains(trains);
    }

    /** From {@code dLogits (B*T, V)} of the last {@link #logits} call down to the embeddings, adding into every gradient. */
    void backward(float[] dLogits) {
        Profile.begin();
        float[] dh = lmHead.backward(acts.lmHead, dLogits);                // (B,T,V) @ (V,C) -> (B,T,C)
        Profile.lap(Op.LM_HEAD_B);
        backwardHidden(dh);
    }

    /** From the gradient of {@code ln_f}'s output {@code (B*T, C)} of the last forward down to the embeddings. */
    void backwardHidden(float[] dHidden) {
        Activations a = acts;
        int n = a.batch * a.time, time = a.time;
        int[] idx = a.idx;
        float[] dh = lnF.backward(a.lnF, dHidden);                         // (B,T,C)
        Profile.lap(Op.LN_B);
        for (int i = blocks.length - 1; i >= 0; i--) {
            if (checkpointing) {                                           // block i's forward again, then its backward
                float[] d = a.carry(n * c);
                System.arraycopy(dh, 0, d, 0, n * c);                      // (B,T,C): the shared buffers are rewritten next
                a.restoreStreams(i);                                       // the same dropout masks as the first time
                blocks[i].forward(a.work, a.input(i, n * c), a.batch, time, true);
                dh = blocks[i].backward(a.work, d);                        // (B,T,C)
            } else {
                dh = blocks[i].backward(a.blocks[i], dh);                  // (B,T,C)
            }
        }
        if (embeddingDropout != null) dh = embeddingDropout.backward(a.embeddingDropout, dh); // GPT-2: through the embeddings' mask
        if (!trainsEmbeddings) {
            Profile.lap(Op.EMBED_B);
            return;
        }
        float[] dTok = tokenEmbeddingTable.grad(), dPos = positionEmbeddingTable.grad();
        for (int i = 0; i < n; i++) {
            int e = idx[i] * c, p = (i % time) * c;
            for (int j = 0; j < c; j++) {
                dTok[e + j] += dh[i * c + j];                              // scatter-add into rows idx (V,C)
                dPos[p + j] += dh[i * c + j];                              // sum over B into (T,C)
            }
        }
        Profile.lap(Op.EMBED_B);
    }
}
