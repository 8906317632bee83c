package io.buildgpt.engine;

/**
 * How {@link GptLanguageModel#enableLora} adapts a model: every targeted weight {@code W (out, in)}
 * is used as {@code W + (alpha / rank) * B @ A} with a trainable {@code A (rank, in)} and
 * {@code B (out, rank)}, while {@code W} stays frozen.
 *
 * @param rank    the adapters' inner size r: trainable values per adapted weight are {@code r * (in + out)};
 *                at most the model's {@code n_embd} (checked by {@link GptLanguageModel#enableLora})
 * @param alpha   scale numerator: the update is multiplied by {@code alpha / rank}, so changing the rank
 *                does not change the size of the update at the same learning rate
 * @param dropout PEFT's {@code lora_dropout}, in {@code [0, 1)}: see below
 * @param targets which weights get adapters
 *
 * <p>Dropout: PEFT's {@code lora_dropout} zeroes entries of the adapter's input {@code x} per row,
 * {@code y = x W^T + s * drop(x) A^T B^T} (inverted: survivors scaled by {@code 1/(1-p)}), in
 * training mode only. Such a per-row mask cannot be folded into the shared effective weight
 * {@code W + s * B @ A}: so with {@code p > 0}, in training, the layers run the base weight alone and
 * add the adapter's branch explicitly (see {@link LoraAdapter}); in eval mode, and always with
 * {@code p = 0}, the exact effective-weight path is used. The masks come from per-adapter generators
 * seeded from {@link GptLanguageModel#enableLora}'s seed.
 */
public record LoraConfig(int rank, double alpha, double dropout, Targets targets) {

    /** Which weights get adapters. */
    public enum Targets {
        /** The attention's query and value projections (the LoRA paper's choice). */
        QUERY_VALUE,
        /** Every Linear inside the blocks: query, key, value, proj, ffwd.net.0, ffwd.net.2 (lm_head stays frozen, as in PEFT's "all-linear"). */
        ALL_LINEAR
    }

    public LoraConfig {
        if (rank < 1 || rank > 1024) {
            throw new IllegalArgumentException("rank = " + rank + " is out of range: it must be between 1 and 1024 (typical: 4 to 16)");
        }
        if (!(alpha > 0 && alpha <= 1e4)) {
            throw new IllegalArgumentException("alpha = " + alpha + " is out of range: it must be in (0, 10000] (typical: rank or 2 * rank)");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout = " + dropout + " is out of range: it must be in [0, 1), 0 for none (typical: 0.05 to 0.1)");
        }
        if (targets == null) throw new IllegalArgumentException("targets must be QUERY_VALUE or ALL_LINEAR, got null");
    }

    /** Rank r on query and value, alpha = 2r, no dropout. */
    public static LoraConfig queryValue(int rank) {
        return new LoraConfig(rank, 2.0 * rank, 0.0, Targets.QUERY_VALUE);
    }

    /** {@code alpha / rank}, the factor on {@code B @ A}. */
    public float scale() {
        return (float) (alpha / rank);
    }

    /** Whether a weight of this role gets an adapter: {@code query}, {@code key}, {@code value}, {@code proj}, {@code ffwd}. */
    boolean targets(String role) {
        return targets == Targets.ALL_LINEAR || role.equals("query") || role.equals("value");
    }
}
