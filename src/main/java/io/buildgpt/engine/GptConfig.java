package io.buildgpt.engine;

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

    /**
     * The configuration as the JSON object that checkpoints and adapter files store, with the lecture's
     * names: {@code vocab_size, block_size, n_embd, n_head, n_layer, dropout}. The one codec for both files.
     */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("vocab_size", (long) vocabSize);
        m.put("block_size", (long) blockSize);
        m.put("n_embd", (long) nEmbd);
        m.put("n_head", (long) nHead);
        m.put("n_layer", (long) nLayer);
        m.put("dropout", dropout);
        return m;
    }

    /**
     * The configuration a {@link #toMap()} object describes; a missing or non-numeric field is an
     * {@link IllegalArgumentException} naming {@code where} and the field, an out-of-range one names its range.
     * {@code dropout} may be absent (adapter files written before it was stored): 0.
     */
    public static GptConfig fromMap(java.util.Map<?, ?> m, String where) {
        return new GptConfig(whole(m, "vocab_size", where), whole(m, "block_size", where), whole(m, "n_embd", where),
                whole(m, "n_head", where), whole(m, "n_layer", where),
                m.containsKey("dropout") ? number(m, "dropout", where).doubleValue() : 0.0);
    }

    /** The same architecture, so the same weights fit: every field but {@code dropout}, which only matters in training. */
    public boolean sameArchitecture(GptConfig other) {
        return vocabSize == other.vocabSize && blockSize == other.blockSize && nEmbd == other.nEmbd
                && nHead == other.nHead && nLayer == other.nLayer;
    }

    private static int whole(java.util.Map<?, ?> m, String key, String where) {
        Number n = number(m, key, where);
        if (!(n instanceof Long) || n.longValue() != n.intValue()) {
            throw new IllegalArgumentException(where + ": field '" + key + "' = " + n + " is not a whole number");
        }
        return n.intValue();
    }

    private static Number number(java.util.Map<?, ?> m, String key, String where) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException(where + ": field '" + key + "' is missing or not a number");
        }
        return n;
    }
}
