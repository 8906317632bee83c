package io.buildgpt.model;

/**
 * The GPT's hyperparameters, named as in the lecture.
 *
 * @param vocabSize number of distinct tokens ({@code vocab_size})
 * @param blockSize longest context the model sees; also the number of position embeddings ({@code block_size})
 * @param nEmbd     width of every token's vector ({@code n_embd})
 * @param nHead     attention heads per block; each gets {@code nEmbd / nHead} channels ({@code n_head})
 * @param nLayer    number of Blocks ({@code n_layer})
 * @param dropout   probability of zeroing an activation in training ({@code dropout})
 */
public record GptConfig(int vocabSize, int blockSize, int nEmbd, int nHead, int nLayer, double dropout) {
    public GptConfig {
        requireRange("vocabSize", vocabSize, 2, 1_000_000);
        requireRange("blockSize", blockSize, 1, 8192);
        requireRange("nEmbd", nEmbd, 1, 8192);
        requireRange("nHead", nHead, 1, nEmbd);
        requireRange("nLayer", nLayer, 1, 128);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("nEmbd = " + nEmbd + " is not divisible by nHead = " + nHead
                    + ": every head needs the same size nEmbd / nHead; pick nHead among the divisors of " + nEmbd);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout = " + dropout + " is out of range: it must be in [0, 1) (the lecture uses 0.2 for the big model)");
        }
    }

    private static void requireRange(String name, int value, int low, int high) {
        if (value < low || value > high) {
            throw new IllegalArgumentException(name + " = " + value + " is out of range: it must be between " + low + " and " + high);
        }
    }

    /** The small model PyTorch was timed on: n_embd 64, n_head 4, n_layer 4, block_size 32, no dropout (209,729 parameters for 65 tokens). */
    public static GptConfig smallDefaults(int vocabSize) {
        return new GptConfig(vocabSize, 32, 64, 4, 4, 0.0);
    }

    /** Channels per head, {@code nEmbd / nHead}. */
    public int headSize() {
        return nEmbd / nHead;
    }
}
