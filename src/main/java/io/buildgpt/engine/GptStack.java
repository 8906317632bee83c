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
    private KvCache[] caches;
    final Activations acts;                 // every buffer of a pass; the layers keep none

    /** The layers in construction order (the blocks draw their dropout seeds from {@code dropoutSeeds}), parameters zero. */
    GptStack(GptConfig config, TorchGenerator dropoutSeeds, Parallel par) {
        this.c = config.nEmbd();
        this.nHead = config.nHead();
        this.blockSize = config.blockSize();
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
            h = blocks[i].forward(a.blocks[i], h, batch, time, training, caches == null ? null : caches[i], last); // (B,T,C), or (B,C)
        }
        int rows = lastOnly ? batch : n;
        h = lnF.forward(a.lnF, h, rows);                                         // (rows,C)
        Profile.lap(Op.LN_F);
        float[] logits = lmHead.forward(a.lmHead, h, rows);                      // (rows,C) @ (C,V) -> (rows,V)
        Profile.lap(Op.LM_HEAD_F);
        return logits;
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
        Activations a = acts;
        int n = a.batch * a.time, time = a.time;
        int[] idx = a.idx;
        Profile.begin();
        float[] dh = lmHead.backward(a.lmHead, dLogits);                   // (B,T,V) @ (V,C) -> (B,T,C)
        Profile.lap(Op.LM_HEAD_B);
        dh = lnF.backward(a.lnF, dh);                                      // (B,T,C)
        Profile.lap(Op.LN_B);
        for (int i = blocks.length - 1; i >= 0; i--) dh = blocks[i].backward(a.blocks[i], dh); // (B,T,C)
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
