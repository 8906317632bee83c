package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;

import io.buildgpt.engine.kernels.Profile.Op;

/**
 * The model's forward passes that only generation needs, in one place, built from the layers' own
 * primitives ({@link LayerNorm#forward}, the attention's fused projection {@link MultiHeadAttention#qkv},
 * {@link KvCache}, {@code proj}, {@link FeedForward#forward}); {@link GptGeneration} drives them. The
 * layers themselves keep only the lecture's forward and backward.
 *
 * <p>Three passes, all in evaluation mode, each the same arithmetic in the same order as the rows of
 * the full eval forward it stands for:
 * <ul>
 *   <li>{@link #lastLogits}: the window {@code (B,T)}, but the last block's attention output, projection
 *       and FeedForward, {@code ln_f} and {@code lm_head} on the last position of each sequence only
 *       ({@code B} rows instead of {@code B*T}): generation samples from nothing else;</li>
 *   <li>{@link #fillCaches}: after it, the keys and values of every block become the caches of
 *       positions {@code 0..T-1};</li>
 *   <li>{@link #stepLogits}: one new position per sequence, each block attending over its cache.</li>
 * </ul>
 * One {@link KvCache} per block lives here (keys and values {@code (B, blockSize, C)}); the buffers are
 * this pass's own, so a generation call leaves the training buffers' shapes alone.
 */
final class GenerationPass {
    private final int c;
    private final Parameter tokenEmbeddingTable, positionEmbeddingTable; // (V,C), (blockSize,C)
    private final Block[] blocks;
    private final LayerNorm lnF;
    private final Linear lmHead;
    private final KvCache[] caches;     // one per block
    private float[] x, row, cat;        // (B*T, C) the residual stream, (B, C) the last block's, (B, C) heads side by side

    GenerationPass(GptConfig config, Parameter tokenEmbeddingTable, Parameter positionEmbeddingTable, Block[] blocks,
                   LayerNorm lnF, Linear lmHead) {
        this.c = config.nEmbd();
        this.tokenEmbeddingTable = tokenEmbeddingTable;
        this.positionEmbeddingTable = positionEmbeddingTable;
        this.blocks = blocks;
        this.lnF = lnF;
        this.lmHead = lmHead;
        this.caches = new KvCache[blocks.length];
        for (int i = 0; i < blocks.length; i++) caches[i] = new KvCache(c, config.nHead(), config.blockSize());
    }

    /**
     * Eval logits {@code (B, V)} of the last position of each sequence {@code idx (B*T)}: those rows of
     * the model's full eval logits. Every block still computes the keys and values of all positions,
     * for {@link #fillCaches}.
     */
    float[] lastLogits(int[] idx, int batch, int time) {
        ensureRows(batch * time, batch);
        Profile.begin();
        float[] tok = tokenEmbeddingTable.data, pos = positionEmbeddingTable.data;
        for (int i = 0; i < batch * time; i++) {
            int e = idx[i] * c, p = (i % time) * c;
            for (int j = 0; j < c; j++) x[i * c + j] = tok[e + j] + pos[p + j]; // (B,T,C) + (T,C) -> (B,T,C)
        }
        Profile.lap(Op.EMBED_F);
        float[] h = x;
        for (int i = 0; i < blocks.length - 1; i++) h = blocks[i].forward(h, batch, time, false); // (B,T,C)
        h = lastBlock(blocks.length - 1, h, batch, time);                   // (B,T,C) -> (B,C)
        h = lnF.forward(h, batch);                                           // (B,C)
        Profile.lap(Op.LN_F);
        h = lmHead.forward(h, batch);                                        // (B,C) @ (C,V) -> (B,V)
        Profile.lap(Op.LM_HEAD_F);
        return h;
    }

    /** After {@link #lastLogits} (or an eval forward of the model): its keys and values become the caches of positions {@code 0..T-1}. */
    void fillCaches(int batch, int time) {
        for (int i = 0; i < blocks.length; i++) caches[i].fill(blocks[i].attention().qkvBuffer(), batch, time);
    }

    /** One new position {@code pos} for each of {@code B} sequences, {@code tokens (B)}: logits {@code (B, V)}, using the caches. */
    float[] stepLogits(int[] tokens, int batch, int pos) {
        ensureRows(batch, batch);
        Profile.begin();
        float[] tok = tokenEmbeddingTable.data, pe = positionEmbeddingTable.data;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < c; j++) x[b * c + j] = tok[tokens[b] * c + j] + pe[pos * c + j]; // (B,C) + (C)
        }
        Profile.lap(Op.EMBED_F);
        for (int i = 0; i < blocks.length; i++) stepBlock(i, x, batch, pos); // (B,C) -> (B,C), in place
        float[] h = lnF.forward(x, batch);                                    // (B,C)
        Profile.lap(Op.LN_F);
        h = lmHead.forward(h, batch);                                         // (B,C) @ (C,V) -> (B,V)
        Profile.lap(Op.LM_HEAD_F);
        return h;
    }

    /**
     * Block {@code i} on the last position only: keys and values for all {@code T} positions, then
     * attention, projection and FeedForward for one query per sequence ({@link KvCache#last}).
     * {@code x (B,T,C) -> (B,C)}, in {@code row}.
     */
    private float[] lastBlock(int i, float[] x, int batch, int time) {
        Block block = blocks[i];
        MultiHeadAttention sa = block.attention();
        int n = batch * time;
        float[] h = block.ln1().forward(x, n);                               // (B,T,C)
        Profile.lap(Op.LN_F);
        float[] qkv = sa.qkv(h, n);                                          // (B,T,C) @ (3C,C)^T -> (B,T,3C)
        Profile.lap(Op.QKV_F);
        caches[i].last(qkv, batch, time, cat);                               // q_last . k (T,hs) -> @ v -> cat (B,C)
        Profile.lap(Op.ATTN_F);
        float[] a = sa.proj().forward(cat, batch);                           // (B,C) @ (C,C) -> (B,C)
        Profile.lap(Op.PROJ_F);
        for (int b = 0; b < batch; b++) {
            int last = (b * time + time - 1) * c;
            for (int j = 0; j < c; j++) row[b * c + j] = x[last + j] + a[b * c + j]; // x + sa(ln1(x)), last rows
        }
        Profile.lap(Op.RESID_F);
        feedForward(block, row, batch);                                      // (B,C)
        return row;
    }

    /** Block {@code i} for one new position of each sequence, attending over its cache: {@code x (B,C)} updated in place. */
    private void stepBlock(int i, float[] x, int batch, int pos) {
        Block block = blocks[i];
        MultiHeadAttention sa = block.attention();
        float[] h = block.ln1().forward(x, batch);                           // (B,C)
        Profile.lap(Op.LN_F);
        float[] qkv = sa.qkvStep(h, batch);                                  // (B,C) -> (B,3C)
        Profile.lap(Op.QKV_F);
        caches[i].step(qkv, batch, pos, cat);                                // cache[:, pos] = k, v; attend -> cat (B,C)
        Profile.lap(Op.ATTN_F);
        float[] a = sa.proj().forward(cat, batch);                           // (B,C) @ (C,C) -> (B,C)
        Profile.lap(Op.PROJ_F);
        for (int k = 0; k < batch * c; k++) x[k] = x[k] + a[k];              // x + sa(ln1(x))
        Profile.lap(Op.RESID_F);
        feedForward(block, x, batch);                                        // (B,C)
    }

    /** The block's second half on {@code B} rows, in place: {@code x1 += ffwd(ln2(x1))}. */
    private void feedForward(Block block, float[] x1, int batch) {
        float[] h = block.ln2().forward(x1, batch);                          // (B,C)
        Profile.lap(Op.LN_F);
        float[] f = block.feedForward().forward(h, batch, false);            // (B,C) -> (B,C)
        for (int k = 0; k < batch * c; k++) x1[k] = x1[k] + f[k];            // x1 + ffwd(ln2(x1))
        Profile.lap(Op.RESID_F);
    }

    private void ensureRows(int rows, int batch) {
        if (x == null || x.length < rows * c) x = new float[rows * c];
        if (row == null || row.length < batch * c) {
            row = new float[batch * c];
            cat = new float[batch * c];
        }
    }
}
