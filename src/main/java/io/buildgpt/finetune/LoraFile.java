package io.buildgpt.finetune;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.TensorFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's LoRA adapters alone, in the {@link TensorFile} format with {@code "format": "buildgpt-lora"}:
 * checked (length, SHA-256) and written atomically. The header holds {@code "lora"} (rank, alpha,
 * dropout, targets) and {@code "base_config"} (the {@link GptConfig} the adapters were trained on);
 * the tensors are every adapter's {@code <layer>.lora_A} and {@code <layer>.lora_B}.
 *
 * <p>Why a separate file: the adapters are a few percent of the model, so one base can carry many
 * of them (one per code base, say), each small enough to keep next to the code it was trained on.
 * They only mean something on top of the same base weights, which this file does not hold: load it
 * into the base it was trained from (the configuration is checked; the weights cannot be).
 */
public final class LoraFile {
    public static final String FORMAT = "buildgpt-lora";

    private LoraFile() {}

    /** Writes {@code model}'s adapters to {@code file}; the model must have LoRA enabled. */
    public static Path save(Path file, GptLanguageModel model) throws IOException {
        LoraConfig lora = Lora.config(model);
        if (lora == null) throw new IllegalStateException("the model has no LoRA adapters to save: Lora.enable(...) and train first");
        Map<String, Object> loraMeta = new LinkedHashMap<>();
        loraMeta.put("rank", (long) lora.rank());
        loraMeta.put("alpha", lora.alpha());
        loraMeta.put("dropout", lora.dropout());
        loraMeta.put("targets", lora.targets().name());
        if (lora.modules() != null) loraMeta.put("modules", lora.modules());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("lora", loraMeta);
        meta.put("base_config", model.config().toMap());
        List<TensorFile.Entry> entries = new ArrayList<>();
        for (LoraAdapter a : Lora.adapters(model)) {
            for (Parameter p : a.parameters()) entries.add(new TensorFile.Entry(p.name(), p.shape(), p.data()));
        }
        TensorFile.write(file, FORMAT, meta, entries);
        return file;
    }

    /**
     * Reads adapters into {@code model}: if it has none, they are created with the file's
     * {@link LoraConfig} first. A model of another configuration, or with adapters of another
     * configuration, is refused with a message; so is a damaged file. All or nothing: everything in the
     * file is checked before the model is touched, so a refused file leaves the model as it was (no
     * adapters added, nothing frozen).
     */
    public static void load(Path file, GptLanguageModel model) throws IOException {
        TensorFile.Contents contents = TensorFile.read(file, FORMAT);
        if (!(contents.header().get("base_config") instanceof Map<?, ?> base)) {
            throw new IOException(file + ": header field 'base_config' is missing or not an object: not a complete LoRA file");
        }
        if (!(contents.header().get("lora") instanceof Map<?, ?> l)) {
            throw new IOException(file + ": header field 'lora' is missing or not an object: not a complete LoRA file");
        }
        GptConfig baseConfig;
        try {
            baseConfig = GptConfig.fromMap(base, file + ", header field 'base_config'");
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!baseConfig.sameArchitecture(model.config())) {
            throw new IllegalArgumentException(file + " holds adapters for a base model " + baseConfig.toMap() + " but this model is "
                    + model.config().toMap() + ": load them into the base model they were trained on");
        }
        LoraConfig saved;
        try {
            saved = new LoraConfig(num(l, "rank", file).intValue(), num(l, "alpha", file).doubleValue(), num(l, "dropout", file).doubleValue(),
                    LoraConfig.Targets.valueOf(String.valueOf(l.get("targets"))),
                    l.get("modules") instanceof java.util.List<?> m ? m.stream().map(String::valueOf).toList() : null);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " has an invalid lora section " + l + ": " + e.getMessage(), e);
        }
        if (Lora.config(model) != null && !Lora.config(model).equals(saved)) {
            throw new IllegalArgumentException(file + " holds adapters " + saved + " but the model has " + Lora.config(model)
                    + ": load into a model without adapters, or one with the same LoRA configuration");
        }
        // The adapters the model would have: its own, or those of a scratch model of the same shape.
        List<LoraAdapter> expected = Lora.config(model) != null ? Lora.adapters(model) : scratchAdapters(model.config(), saved);
        for (LoraAdapter a : expected) {
            for (Parameter p : a.parameters()) contents.require(p.name(), p.shape(), file);
        }
        if (Lora.config(model) == null) {
            Lora.enable(model, saved, 0);
        }
        for (LoraAdapter a : Lora.adapters(model)) {
            for (Parameter p : a.parameters()) {
                float[] v = contents.require(p.name(), p.shape(), file).values();
                System.arraycopy(v, 0, p.data(), 0, v.length);
            }
        }
    }

    /** The adapters {@code lora} gives a model of {@code config}, on a scratch model with the smallest vocabulary and context. */
    private static List<LoraAdapter> scratchAdapters(GptConfig config, LoraConfig lora) {
        GptConfig small = new GptConfig(2, 1, config.nEmbd(), config.nHead(), config.nLayer(), 0.0);
        return Lora.adapters(Lora.enable(new GptLanguageModel(small, 0), lora, 0));
    }

    private static Number num(Map<?, ?> map, String key, Path file) throws IOException {
        if (!(map.get(key) instanceof Number n)) throw new IOException(file + ": header field 'lora." + key + "' is missing or not a number");
        return n;
    }
}
