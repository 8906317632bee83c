package io.buildgpt.model;

import io.buildgpt.notebook.Nd4jLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.buildgpt.random.TorchGenerator;

/**
 * The generation loop behind {@link GptLanguageModel#generate} and {@link GptLanguageModel#generateCached}.
 * Both draw from one {@link TorchGenerator}, one token per sequence per step in sequence order (the
 * order of PyTorch's {@code torch.multinomial} on the {@code (B, V)} probabilities), from
 * logits that are bit-identical between the two paths, so they produce the same tokens.
 */
final class GptGeneration {
    private final GptLanguageModel model;
    private final TokenSampler sampler;
    private final int vocab, blockSize;

    GptGeneration(GptLanguageModel model, double temperature, Integer topK) {
        this.model = model;
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
        int batch = (int) idx.size(0), start = (int) idx.size(1);
        int total = start + maxNewTokens;
        int[] seq = new int[batch * total]; // (B, T + maxNewTokens), filled left to right
        int[] given = TokenIds.of(idx, "idx", vocab);
        for (int b = 0; b < batch; b++) System.arraycopy(given, b * start, seq, b * total, start);
        int[] next = new int[batch];
        int[] cond = new int[batch * blockSize]; // the cropped context, reused: nothing is allocated per token
        int len = start;
        int cacheLen = 0;         // positions held in the caches (cached mode)
        float[] logits;           // (B,V): the last position's logits of each sequence
        for (int step = 0; step < maxNewTokens; step++) {
            if (!cached || cacheLen == 0 || cacheLen == blockSize) {
                int window = Math.min(len, blockSize);                         // idx[:, -block_size:]
                crop(seq, batch, total, len, window, cond);
                logits = model.lastLogits(cond, batch, window);               // (B,V): logits[:, -1, :]
                if (cached) {
                    model.fillCaches(batch, window);
                    cacheLen = window;
                }
            } else {
                logits = model.stepLogits(next, batch, cacheLen);             // (B,V) for position cacheLen
                cacheLen++;
            }
            for (int b = 0; b < batch; b++) {
                next[b] = sampler.sample(logits, b * vocab, rng);
                seq[b * total + len] = next[b];
            }
            len++;
        }
        long[] out = new long[seq.length];
        for (int i = 0; i < seq.length; i++) out[i] = seq[i];
        return Nd4j.createFromArray(out).reshape(batch, total);
    }

    /** The last {@code window} tokens of each of the {@code batch} sequences, as {@code (B, window)}. */
    private static void crop(int[] seq, int batch, int total, int len, int window, int[] cond) {
        for (int b = 0; b < batch; b++) System.arraycopy(seq, b * total + len - window, cond, b * window, window);
    }
}
