package io.buildgpt.engine;

import io.buildgpt.nd4j.Nd4jLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.buildgpt.random.TorchGenerator;

/**
 * The generation loop behind {@link GptLanguageModel#generate} and {@link GptLanguageModel#generateCached}.
 * Both draw from one {@link TorchGenerator}, one token per sequence per step in sequence order. The
 * cached path computes one position per token while the context is shorter than {@code blockSize}, then,
 * once the window slides, recomputes the window as the uncached path does ({@link KvCache} says why that
 * is the exact choice for learned absolute positions). The two paths' logits agree to about 1e-6 (BLAS
 * sums a 1-row product and a T-row product in different orders), so they sample the same tokens except
 * when a uniform draw falls within that distance of a boundary between two tokens' probabilities.
 */
final class GptGeneration {
    /** The most tokens one call returns, all rows together: the largest Java array. */
    static final int MAX_TOKENS = Integer.MAX_VALUE - 8;
    private final GptStack stack;
    private final TokenSampler sampler;
    private final int vocab, blockSize;

    GptGeneration(GptLanguageModel model, double temperature, Integer topK) {
        this.stack = model.stack();
        this.vocab = model.vocabSize();
        this.blockSize = model.config().blockSize();
        this.sampler = new TokenSampler(vocab, temperature, topK);
    }

    INDArray run(INDArray idx, int maxNewTokens, long seed, boolean cached) {
        return run(idx, maxNewTokens, new TorchGenerator(seed), cached);
    }

    INDArray run(INDArray idx, int maxNewTokens, TorchGenerator rng, boolean cached) {
        Nd4jLoader.ensureLoaded();
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens = " + maxNewTokens + " must not be negative");
        int[] given = TokenIds.of(idx, "idx", vocab);                  // checks the shape (B, T) first
        int batch = (int) idx.size(0), start = (int) idx.size(1);
        long all = (long) batch * ((long) start + maxNewTokens);
        if (all > MAX_TOKENS) {
            throw new IllegalArgumentException("maxNewTokens = " + maxNewTokens + " is out of range: B * (T + maxNewTokens) = " + all
                    + " tokens would not fit in one array (at most " + MAX_TOKENS + "); generate fewer tokens, in several calls if needed");
        }
        GptInputs.checkHeapFor(all, maxNewTokens, Runtime.getRuntime());
        int total = start + maxNewTokens;
        int[] seq = new int[batch * total]; // (B, T + maxNewTokens), filled left to right
        for (int b = 0; b < batch; b++) System.arraycopy(given, b * start, seq, b * total, start);
        stack.pinWeights(true);                 // the weights do not change while generating: copied once
        try {
            generate(seq, batch, total, start, maxNewTokens, rng, cached);
        } finally {
            stack.pinWeights(false);
        }
        long[] out = new long[seq.length];
        for (int i = 0; i < seq.length; i++) out[i] = seq[i];
        return Nd4j.createFromArray(out).reshape(batch, total);
    }

    private void generate(int[] seq, int batch, int total, int start, int maxNewTokens, TorchGenerator rng, boolean cached) {
        int[] next = new int[batch];
        int[] cond = new int[batch * blockSize]; // the cropped context, reused: nothing is allocated per token
        KvCache[] caches = cached ? stack.caches() : null;
        int len = start;
        float[] logits;           // (B,V): the last position's logits of each sequence
        for (int step = 0; step < maxNewTokens; step++) {
            int held = cached ? caches[0].length() : 0;
            if (!cached || held == 0 || held == blockSize) {
                int window = Math.min(len, blockSize);                         // idx[:, -block_size:]
                crop(seq, batch, total, len, window, cond);
                if (cached) for (KvCache k : caches) k.clear();
                // a full window slides at the next token, so its keys would all be stale (KvCache): no cache then,
                // and the empty caches send the next token through this window pass again
                boolean fill = cached && window < blockSize;
                logits = stack.logits(cond, batch, window, false, fill ? caches : null, true); // (B,V): logits[:, -1, :]
            } else {
                logits = stack.logits(next, batch, 1, false, caches, true);   // (B,V) for position `held`
            }
            for (int b = 0; b < batch; b++) {
                next[b] = sampler.sample(logits, b * vocab, rng);
                seq[b * total + len] = next[b];
            }
            len++;
        }
    }

    /** The last {@code window} tokens of each of the {@code batch} sequences, as {@code (B, window)}. */
    private static void crop(int[] seq, int batch, int total, int len, int window, int[] cond) {
        for (int b = 0; b < batch; b++) System.arraycopy(seq, b * total + len - window, cond, b * window, window);
    }
}
