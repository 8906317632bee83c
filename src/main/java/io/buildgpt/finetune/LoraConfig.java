package io.buildgpt.finetune;

/**
 * How {@link Lora#enable} adapts a model: every targeted weight {@code W (out, in)}
 * is used as {@code W + (alpha / rank) * B @ A} with a trainable {@code A (rank, in)} and
 * {@code B (out, rank)}, while {@code W} stays frozen.
 *
 * @param rank    the adapters' inner size r: trainable values per adapted weight are {@code r * (in + out)};
 *                at most the model's {@code n_embd} (checked by {@link Lora#enable})
 * @param alpha   scale numerator: the update is multiplied by {@code alpha / rank}, so changing the rank
 *                does not change the size of the update at the same learning rate
 * @param dropout PEFT's {@code lora_dropout}, in {@code [0, 1)}: see below
 * @param targets which weights get adapters
 * @param modules with {@link Targets#MODULES}, PEFT's {@code target_modules} of a GPT-2 model: {@code c_attn},
 *                {@code c_proj} (both), {@code attn.c_proj}, {@code c_fc}, {@code mlp.c_proj}; null otherwise
 *
 * <p>Dropout: PEFT's {@code lora_dropout} zeroes entries of the adapter's input {@code x} per row,
 * {@code y = x W^T + s * drop(x) A^T B^T} (inverted: survivors scaled by {@code 1/(1-p)}), in training mode
 * only; the masks come from per-adapter generators seeded from {@link Lora#enable}'s seed.
 */
public record LoraConfig(int rank, double alpha, double dropout, Targets targets, java.util.List<String> modules) {

    /** Which weights get adapters. */
    public enum Targets {
        /** The attention's query and value projections (the LoRA paper's choice). */
        QUERY_VALUE,
        /** Every Linear inside the blocks: query, key, value, proj, ffwd.net.0, ffwd.net.2 (lm_head stays frozen, as in PEFT's "all-linear"). */
        ALL_LINEAR,
        /**
         * PEFT's {@code target_modules} by GPT-2 module name ({@link #modules()}): {@code c_attn} gets ONE adapter on the
         * fused {@code (3C, C)} projection, {@code A (r, C)} and {@code B (3C, r)}, as PEFT puts on GPT-2's Conv1D.
         */
        MODULES
    }

    /** The module names {@link Targets#MODULES} accepts. */
    public static final java.util.List<String> GPT2_MODULES = java.util.List.of("c_attn", "c_proj", "attn.c_proj", "c_fc", "mlp.c_proj");

    /** {@code rank}, {@code alpha}, {@code dropout} on the lecture's roles ({@code targets} QUERY_VALUE or ALL_LINEAR). */
    public LoraConfig(int rank, double alpha, double dropout, Targets targets) {
        this(rank, alpha, dropout, targets, null);
    }

    /** PEFT's {@code LoraConfig(r, lora_alpha, lora_dropout, target_modules)} for a GPT-2 model. */
    public static LoraConfig peft(int r, double loraAlpha, double loraDropout, java.util.List<String> targetModules) {
        return new LoraConfig(r, loraAlpha, loraDropout, Targets.MODULES, java.util.List.copyOf(targetModules));
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
        if (targets == null) throw new IllegalArgumentException("targets must be QUERY_VALUE, ALL_LINEAR or MODULES, got null");
        if ((targets == Targets.MODULES) != (modules != null)) {
            throw new IllegalArgumentException("modules must be given exactly with targets MODULES (got " + targets + ", " + modules + ")");
        }
        if (modules != null) {
            if (modules.isEmpty()) throw new IllegalArgumentException("modules is empty: name at least one of " + GPT2_MODULES);
            for (String m : modules) {
                if (!GPT2_MODULES.contains(m)) throw new IllegalArgumentException("module '" + m + "' is not one of " + GPT2_MODULES);
            }
        }
    }

    /** Rank r on query and value, alpha = 2r, no dropout. */
    public static LoraConfig queryValue(int rank) {
        return new LoraConfig(rank, 2.0 * rank, 0.0, Targets.QUERY_VALUE);
    }

    /** {@code alpha / rank}, the factor on {@code B @ A}. */
    public float scale() {
        return (float) (alpha / rank);
    }

    /**
     * Whether a weight of this role gets an adapter of its own: {@code query}, {@code key}, {@code value}, {@code proj},
     * {@code ffwd.net.0}, {@code ffwd.net.2} ({@code ffwd}: both). Under MODULES the query, key and value never do:
     * {@link #fusedQkv()} says whether the fused projection gets one.
     */
    boolean targets(String role) {
        if (targets == Targets.MODULES) {
            return switch (role) {
                case "proj" -> modules.contains("c_proj") || modules.contains("attn.c_proj");
                case "ffwd.net.0" -> modules.contains("c_fc");
                case "ffwd.net.2" -> modules.contains("c_proj") || modules.contains("mlp.c_proj");
                default -> false;
            };
        }
        return targets == Targets.ALL_LINEAR || role.equals("query") || role.equals("value");
    }

    /** PEFT's {@code c_attn} target: one adapter on the fused {@code (3C, C)} query/key/value projection. */
    boolean fusedQkv() {
        return targets == Targets.MODULES && modules.contains("c_attn");
    }
}
