package io.buildgpt.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a Hugging Face checkpoint of the GPT-2 architecture ({@code gpt2}, {@code distilgpt2},
 * {@code gpt2-medium}, code models such as {@code microsoft/CodeGPT-small-java}) from a local folder holding
 * {@code config.json} ({@link HfGpt2Config}) and {@code model.safetensors} ({@link SafeTensors}) into a
 * {@link GptLanguageModel} of the {@link GptConfig.Variant#GPT2} variant.
 *
 * <p>Key names may carry the {@code transformer.} prefix ({@code GPT2LMHeadModel}) or not ({@code GPT2Model}).
 * {@code lm_head.weight} is not read: GPT-2 ties it to {@code wte}, and transformers leaves it out of the file.
 * HF's GPT-2 stores its projections as {@code Conv1D} weights of shape {@code (in, out)}; the engine's Linear
 * keeps PyTorch's {@code (out, in)}, so each is transposed; {@code c_attn} becomes the attention's fused
 * {@code (3C, C)} weight as it is (queries, keys, values of all heads, in GPT-2's own order).
 *
 * <p>Every tensor is read and its shape checked before the model is built, so a missing key or a wrong
 * shape or dtype is a {@link CheckpointException} naming the file and the key, and no model is returned.
 */
public final class Gpt2Checkpoint {
    private Gpt2Checkpoint() {
    }

    /** The model in {@code folder}, computing on the calling thread. */
    public static GptLanguageModel load(Path folder) throws IOException {
        return load(folder, 1);
    }

    /** The model in {@code folder}, its products split over {@code threads} threads. */
    public static GptLanguageModel load(Path folder, int threads) throws IOException {
        if (!Files.isDirectory(folder)) throw new CheckpointException(folder + ": no such folder");
        GptConfig config = HfGpt2Config.read(folder);
        Path file = folder.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            String hint = Files.exists(folder.resolve("pytorch_model.bin"))
                    ? " (it has pytorch_model.bin, a pickle this project does not read: save it again with save_pretrained(safe_serialization=True))" : "";
            throw new CheckpointException(folder + ": no model.safetensors" + hint);
        }
        SafeTensors st = SafeTensors.open(file);
        Map<String, Source> sources = sources(st, config);                          // every key and shape checked first
        GptLanguageModel model = new GptLanguageModel(config, 0, threads, false);   // every parameter is filled below
        for (Parameter p : model.parameters()) {                                     // one tensor at a time: no second copy of the model
            Source src = sources.get(p.name());
            if (src == null) throw new IllegalStateException("no checkpoint value for engine parameter " + p.name());
            float[] v = st.floats(src.key());
            if (src.conv1d()) transpose(v, src.shape()[0], src.shape()[1], p.data()); // (in,out) -> (out,in)
            else System.arraycopy(v, 0, p.data(), 0, v.length);
        }
        return model;
    }

    /** Where an engine parameter's values are: the Hugging Face key, its stored shape, and whether it is Conv1D's {@code (in, out)}. */
    record Source(String key, int[] shape, boolean conv1d) {
    }

    /** Every engine parameter's source by engine name, each key's presence and shape checked in {@code st}'s header. */
    static Map<String, Source> sources(SafeTensors st, GptConfig config) throws CheckpointException {
        int c = config.nEmbd(), v = config.vocabSize();
        String pre = prefix(st);
        Map<String, Source> out = new LinkedHashMap<>();
        out.put("token_embedding_table.weight", source(st, pre + "wte.weight", false, v, c));
        out.put("position_embedding_table.weight", source(st, pre + "wpe.weight", false, config.blockSize(), c));
        for (int i = 0; i < config.nLayer(); i++) {
            String h = pre + "h." + i + ".", b = "blocks." + i + ".";
            out.put(b + "sa.c_attn.weight", source(st, h + "attn.c_attn.weight", true, c, 3 * c)); // (C,3C) -> (3C,C)
            out.put(b + "sa.c_attn.bias", source(st, h + "attn.c_attn.bias", false, 3 * c));
            out.put(b + "sa.proj.weight", source(st, h + "attn.c_proj.weight", true, c, c));
            out.put(b + "sa.proj.bias", source(st, h + "attn.c_proj.bias", false, c));
            out.put(b + "ffwd.net.0.weight", source(st, h + "mlp.c_fc.weight", true, c, 4 * c));
            out.put(b + "ffwd.net.0.bias", source(st, h + "mlp.c_fc.bias", false, 4 * c));
            out.put(b + "ffwd.net.2.weight", source(st, h + "mlp.c_proj.weight", true, 4 * c, c));
            out.put(b + "ffwd.net.2.bias", source(st, h + "mlp.c_proj.bias", false, c));
            out.put(b + "ln1.weight", source(st, h + "ln_1.weight", false, c));
            out.put(b + "ln1.bias", source(st, h + "ln_1.bias", false, c));
            out.put(b + "ln2.weight", source(st, h + "ln_2.weight", false, c));
            out.put(b + "ln2.bias", source(st, h + "ln_2.bias", false, c));
        }
        out.put("ln_f.weight", source(st, pre + "ln_f.weight", false, c));
        out.put("ln_f.bias", source(st, pre + "ln_f.bias", false, c));
        return out;
    }

    /**
     * Adds {@code delta}, an update of the Hugging Face module {@code h.<layer>.<module>} ({@code attn.c_attn},
     * {@code attn.c_proj}, {@code mlp.c_fc} or {@code mlp.c_proj}) in PyTorch's Linear layout {@code (out, in)}, to
     * the engine's weights of a {@link GptConfig.Variant#GPT2} model: a LoRA merge ({@code W += s * B @ A}) or its
     * undoing ({@code -delta}).
     */
    public static void addToWeight(GptLanguageModel model, int layer, String module, float[] delta) {
        GptConfig config = model.config();
        if (config.variant() != GptConfig.Variant.GPT2) throw new IllegalArgumentException("addToWeight needs a GPT2-variant model, got " + config.variant());
        if (layer < 0 || layer >= config.nLayer()) throw new IllegalArgumentException("layer " + layer + " is not in 0.." + (config.nLayer() - 1));
        int c = config.nEmbd();
        Map<String, Parameter> byName = new java.util.HashMap<>();
        for (Parameter p : model.parameters()) byName.put(p.name(), p);
        String b = "blocks." + layer + ".";
        switch (module) {
            case "attn.c_attn" -> {
                add(byName, b + "sa.c_attn.weight", check(delta, 3 * c * c, module), 0);
            }
            case "attn.c_proj" -> add(byName, b + "sa.proj.weight", check(delta, c * c, module), 0);
            case "mlp.c_fc" -> add(byName, b + "ffwd.net.0.weight", check(delta, 4 * c * c, module), 0);
            case "mlp.c_proj" -> add(byName, b + "ffwd.net.2.weight", check(delta, 4 * c * c, module), 0);
            default -> throw new IllegalArgumentException("module '" + module + "' is not one of attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj");
        }
    }

    private static float[] check(float[] delta, int size, String module) {
        if (delta.length != size) throw new IllegalArgumentException(module + ": an update of " + delta.length + " values, expected " + size);
        return delta;
    }

    private static void add(Map<String, Parameter> byName, String name, float[] delta, int from) {
        Parameter p = byName.get(name);
        if (p == null) throw new IllegalStateException(name + " is not a float parameter of this model (quantized? dequantizeBase first)");
        float[] w = p.data();
        for (int i = 0; i < w.length; i++) w[i] += delta[from + i];
    }

    /** {@code "transformer."} or {@code ""}, whichever the file's {@code wte.weight} carries. */
    static String prefix(SafeTensors st) throws CheckpointException {
        if (st.tensors().containsKey("transformer.wte.weight")) return "transformer.";
        if (st.tensors().containsKey("wte.weight")) return "";
        throw new CheckpointException(st.file() + ": no tensor 'transformer.wte.weight' or 'wte.weight': not a GPT-2 checkpoint"
                + " (its first keys: " + st.tensors().keySet().stream().limit(5).toList() + ")");
    }

    private static Source source(SafeTensors st, String key, boolean conv1d, int... shape) throws CheckpointException {
        if (!st.tensors().containsKey(key)) {
            throw new CheckpointException(st.file() + ": missing tensor '" + key + "': the folder is partial or not GPT-2's layout");
        }
        int[] found = st.info(key).shape();
        if (!Arrays.equals(found, shape)) {
            throw new CheckpointException(st.file() + ": tensor '" + key + "' has shape " + Arrays.toString(found) + ", but config.json"
                    + " implies " + Arrays.toString(shape));
        }
        return new Source(key, shape, conv1d);
    }

    /** {@code a (rows, cols)} transposed into {@code t (cols, rows)}. */
    private static void transpose(float[] a, int rows, int cols, float[] t) {
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
    }

    /** The HF key of every tensor the loader reads, with {@code prefix}: for messages and tests. */
    static List<String> hfKeys(GptConfig config, String prefix) {
        List<String> keys = new java.util.ArrayList<>(List.of(prefix + "wte.weight", prefix + "wpe.weight"));
        for (int i = 0; i < config.nLayer(); i++) {
            for (String k : List.of("ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                    "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias")) {
                keys.add(prefix + "h." + i + "." + k);
            }
        }
        keys.add(prefix + "ln_f.weight");
        keys.add(prefix + "ln_f.bias");
        return keys;
    }

}
