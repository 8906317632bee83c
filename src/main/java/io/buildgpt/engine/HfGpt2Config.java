package io.buildgpt.engine;

import io.buildgpt.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Hugging Face {@code config.json} of the GPT-2 architecture into a {@link GptConfig} of the
 * {@link GptConfig.Variant#GPT2} variant: {@code vocab_size}, {@code n_positions} (or {@code n_ctx}),
 * {@code n_embd}, {@code n_head}, {@code n_layer}, and {@code resid_pdrop} as the dropout (0.1 when absent,
 * as in transformers). Everything the engine does not compute is refused with its field named: another
 * {@code model_type} or {@code architectures}, an activation other than GELU's tanh approximation, a
 * LayerNorm eps other than 1e-5, {@code n_inner} other than {@code 4 * n_embd}, attention scaled by layer,
 * an untied {@code lm_head}.
 */
public final class HfGpt2Config {
    static final Set<String> ARCHITECTURES = Set.of("GPT2LMHeadModel", "GPT2Model");
    static final Set<String> ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh");

    private HfGpt2Config() {
    }

    /** The configuration in {@code folder/config.json}. */
    public static GptConfig read(Path folder) throws IOException {
        Path file = folder.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(folder + ": no config.json; a Hugging Face GPT-2 folder holds config.json and model.safetensors"
                    + " (and vocab.json + merges.txt for its tokenizer)");
        }
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new CheckpointException(file + ": not a JSON object");
        return of(m, file.toString());
    }

    /** The configuration that the parsed {@code config.json} object {@code m} describes; {@code where} names it in messages. */
    static GptConfig of(Map<?, ?> m, String where) throws CheckpointException {
        checkArchitecture(m, where);
        Object act = m.containsKey("activation_function") ? m.get("activation_function") : "gelu_new";
        if (!ACTIVATIONS.contains(act)) {
            throw new CheckpointException(where + ": activation_function '" + act + "' is not GPT-2's GELU with the tanh approximation "
                    + ACTIVATIONS + ", the one the engine computes");
        }
        if (m.get("layer_norm_epsilon") instanceof Number eps && Math.abs(eps.doubleValue() - LayerNorm.EPS) > 1e-12) {
            throw new CheckpointException(where + ": layer_norm_epsilon " + eps + " differs from the engine's " + LayerNorm.EPS);
        }
        if (Boolean.TRUE.equals(m.get("scale_attn_by_inverse_layer_idx"))) {
            throw new CheckpointException(where + ": scale_attn_by_inverse_layer_idx = true is not implemented (attention scaled per layer)");
        }
        if (Boolean.FALSE.equals(m.get("scale_attn_weights"))) {
            throw new CheckpointException(where + ": scale_attn_weights = false is not implemented (scores are always divided by sqrt(head size))");
        }
        if (Boolean.FALSE.equals(m.get("tie_word_embeddings"))) {
            throw new CheckpointException(where + ": tie_word_embeddings = false is not implemented: the engine's GPT-2 ties lm_head to wte");
        }
        int nEmbd = whole(m, where, "n_embd");
        if (m.get("n_inner") != null && whole(m, where, "n_inner") != 4 * nEmbd) {
            throw new CheckpointException(where + ": n_inner " + m.get("n_inner") + " is not 4 * n_embd = " + 4 * nEmbd + ", the engine's feed-forward width");
        }
        int positions = m.containsKey("n_positions") ? whole(m, where, "n_positions") : whole(m, where, "n_ctx");
        double dropout = m.get("resid_pdrop") instanceof Number d ? d.doubleValue() : 0.1;
        try {
            return GptConfig.gpt2(whole(m, where, "vocab_size"), positions, nEmbd, whole(m, where, "n_head"), whole(m, where, "n_layer"), dropout);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + ": " + e.getMessage());
        }
    }

    private static void checkArchitecture(Map<?, ?> m, String where) throws CheckpointException {
        Object type = m.get("model_type");
        Object archs = m.get("architectures");
        if (type == null && archs == null) {
            throw new CheckpointException(where + ": neither model_type nor architectures is given, so this is not known to be GPT-2");
        }
        if (type != null && !"gpt2".equals(type)) {
            throw new CheckpointException(where + ": model_type '" + type + "' (architectures " + archs + ") is not GPT-2: this loader reads"
                    + " model_type 'gpt2' (gpt2, distilgpt2, gpt2-medium, CodeGPT-small-java, codeparrot-small, ...)");
        }
        if (archs != null) {
            if (!(archs instanceof List<?> list) || list.stream().noneMatch(ARCHITECTURES::contains)) {
                throw new CheckpointException(where + ": architectures " + archs + " names none of " + ARCHITECTURES
                        + ": this loader reads the GPT-2 architecture only");
            }
        }
    }

    private static int whole(Map<?, ?> m, String where, String key) throws CheckpointException {
        if (!(m.get(key) instanceof Long v) || v != v.intValue()) {
            throw new CheckpointException(where + ": field '" + key + "' is missing or not a whole number (found " + m.get(key) + ")");
        }
        return v.intValue();
    }
}
