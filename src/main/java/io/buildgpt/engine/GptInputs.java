package io.buildgpt.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The checks of what goes into {@link GptLanguageModel}: token ids inside the vocabulary, lengths that
 * match {@code B*T}, {@code T} within {@code blockSize}, a micro-batch that divides the batch, a layer
 * and head that exist. Each failure is one {@link IllegalArgumentException} naming the value and the fix.
 */
final class GptInputs {
    private GptInputs() {
    }

    /** {@code x} and {@code y} both {@code (B*T)} ids in {@code 0..vocab-1}, {@code 1 <= T <= blockSize}. */
    static void checkBatch(GptConfig config, int[] x, int[] y, int batchSize, int blockSize) {
        checkTime(config, blockSize);
        if (batchSize < 1 || x.length != batchSize * blockSize || y.length != x.length) {
            throw new IllegalArgumentException("x and y must both have length B*T = " + batchSize + "*" + blockSize
                    + ", got " + x.length + " and " + y.length);
        }
        int vocab = config.vocabSize();
        for (int i = 0; i < x.length; i++) {
            if (x[i] < 0 || x[i] >= vocab || y[i] < 0 || y[i] >= vocab) {
                throw new IllegalArgumentException("token id " + (x[i] < 0 || x[i] >= vocab ? x[i] : y[i]) + " at flat position " + i
                        + " is outside the vocabulary 0.." + (vocab - 1) + "; encode the text with the tokenizer the model was built for");
            }
        }
    }

    /** The ids of {@code targets}, which must have the shape {@code (B, T)} of {@code idx} ({@code n = B*T} ids). */
    static int[] targets(INDArray targets, int n, int b, int t, int vocab) {
        int[] ys = TokenIds.of(targets, "targets", vocab);
        if (ys.length != n) {
            throw new IllegalArgumentException("targets must have the shape of idx (" + b + ", " + t + "), got " + Arrays.toString(targets.shape()));
        }
        return ys;
    }

    /** Heap one generated token takes: its id while generating (int) and in the returned array (long). */
    static final int GENERATION_BYTES_PER_TOKEN = 12;

    /**
     * Refuses, before anything is allocated, a generation of {@code tokens} ids (all rows, prompt included)
     * that cannot fit in the heap {@code runtime} has left: a bare OutOfMemoryError would name neither
     * the limit nor the fix.
     */
    static void checkHeapFor(long tokens, int maxNewTokens, Runtime runtime) {
        long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        long needed = tokens * GENERATION_BYTES_PER_TOKEN;
        if (needed > free / 2) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "maxNewTokens = %d is too many for this JVM: the %d"
                    + " tokens (all rows, prompt included) need about %.1f GB of heap (%d bytes each), but at most %.1f GB is free"
                    + " (-Xmx %.1f GB) and generation may use half of it, about %d tokens; generate fewer tokens, in several calls"
                    + " if needed, or give the JVM more heap", maxNewTokens, tokens, needed / 1e9, GENERATION_BYTES_PER_TOKEN,
                    free / 1e9, runtime.maxMemory() / 1e9, free / 2 / GENERATION_BYTES_PER_TOKEN));
        }
    }

    /** {@code 1 <= T <= blockSize}. */
    static void checkTime(GptConfig config, int t) {
        if (t < 1 || t > config.blockSize()) {
            throw new IllegalArgumentException("T = " + t + " is out of range: it must be between 1 and blockSize = " + config.blockSize()
                    + "; crop the context to its last blockSize tokens (idx[:, -block_size:])");
        }
    }

    /** {@code microBatch} at least 1 and a divisor of {@code batchSize}. */
    static void checkMicroBatch(int microBatch, int batchSize) {
        if (microBatch < 1 || batchSize % microBatch != 0) {
            throw new IllegalArgumentException("microBatch = " + microBatch + " must be at least 1 and divide batchSize = " + batchSize);
        }
    }

    /** Block {@code layer} and head {@code head} exist. */
    static void checkLayerAndHead(GptConfig config, int layer, int head) {
        if (layer < 0 || layer >= config.nLayer() || head < 0 || head >= config.nHead()) {
            throw new IllegalArgumentException("layer " + layer + ", head " + head + " do not exist: this model has layers 0.."
                    + (config.nLayer() - 1) + " and heads 0.." + (config.nHead() - 1));
        }
    }
}
