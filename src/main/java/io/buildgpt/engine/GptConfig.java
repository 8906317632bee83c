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
 * @param variant   which GPT: the lecture's, or GPT-2 (see {@link Variant}); the layers follow from it
 */
public record GptConfig(int vocabSize, int blockSize, int nEmbd, int nHead, int nLayer, double dropout, Variant variant) {
    /**
     * The two GPTs the engine computes, one code path with these differences:
     * <ul>
     *   <li>{@code LECTURE}: the lecture's {@code gpt.py}: ReLU in the feed-forward, no bias on the query, key
     *       and value projections, {@code lm_head} a Linear of its own with a bias;</li>
     *   <li>{@code GPT2}: nanoGPT's {@code model.py} and Hugging Face's {@code GPT2LMHeadModel}: GELU with the tanh
     *       approximation, a bias on the fused {@code c_attn}, {@code lm_head} tied to the token embedding
     *       (the same array, no bias).</li>
     * </ul>
     * Both have learned positions, biases on the projection and feed-forward Linears, and LayerNorm eps 1e-5.
     */
    public enum Variant {
        LECTURE, GPT2;

        /** GELU (tanh approximation) instead of ReLU in the feed-forward. */
        public boolean gelu() {
            return this == GPT2;
        }

        /** A bias on the fused query/key/value projection ({@code c_attn.bias}). */
        public boolean qkvBias() {
            return this == GPT2;
        }

        /** {@code lm_head} shares the token embedding's array and has no bias. */
        public boolean tiedHead() {
            return this == GPT2;
        }
    }

    /** The lecture's GPT ({@link Variant#LECTURE}). */
    public GptConfig(int vocabSize, int blockSize, int nEmbd, int nHead, int nLayer, double dropout) {
        this(vocabSize, blockSize, nEmbd, nHead, nLayer, dropout, Variant.LECTURE);
    }

    /** GPT-2's architecture: {@code blockSize} is its {@code n_positions}. */
    public static GptConfig gpt2(int vocabSize, int nPositions, int nEmbd, int nHead, int nLayer, double dropout) {
        return new GptConfig(vocabSize, nPositions, nEmbd, nHead, nLayer, dropout, Variant.GPT2);
    }

    public GptConfig {
        if (variant == null) throw new IllegalArgumentException("variant is null: it must be LECTURE or GPT2");
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
        if (variant != Variant.LECTURE) m.put("variant", variant.name().toLowerCase(java.util.Locale.ROOT)); // lecture files unchanged
        return m;
    }

    /**
     * The configuration a {@link #toMap()} object describes; a missing or non-numeric field is an
     * {@link IllegalArgumentException} naming {@code where} and the field, an out-of-range one names its range.
     * {@code dropout} may be absent (adapter files written before it was stored): 0. {@code variant} may be
     * absent (the lecture's GPT) or {@code "gpt2"}.
     */
    public static GptConfig fromMap(java.util.Map<?, ?> m, String where) {
        return new GptConfig(whole(m, "vocab_size", where), whole(m, "block_size", where), whole(m, "n_embd", where),
                whole(m, "n_head", where), whole(m, "n_layer", where),
                m.containsKey("dropout") ? number(m, "dropout", where).doubleValue() : 0.0, variant(m, where));
    }

    private static Variant variant(java.util.Map<?, ?> m, String where) {
        Object v = m.get("variant");
        if (v == null) return Variant.LECTURE;
        for (Variant x : Variant.values()) if (x.name().equalsIgnoreCase(String.valueOf(v))) return x;
        throw new IllegalArgumentException(where + ": field 'variant' = " + v + " is not one of 'lecture', 'gpt2'");
    }

    /** The same architecture, so the same weights fit: every field but {@code dropout}, which only matters in training. */
    public boolean sameArchitecture(GptConfig other) {
        return vocabSize == other.vocabSize && blockSize == other.blockSize && nEmbd == other.nEmbd
                && nHead == other.nHead && nLayer == other.nLayer && variant == other.variant;
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
