package io.buildgpt.finetune;

import io.buildgpt.engine.CheckpointException;
import io.buildgpt.engine.Gpt2Checkpoint;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.SafeTensors;
import io.buildgpt.files.AtomicFiles;
import io.buildgpt.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LoRA adapter of a GPT-2 model in PEFT's own format: {@code adapter_config.json} ({@code peft_type "LORA"},
 * {@code r}, {@code lora_alpha}, {@code lora_dropout}, {@code target_modules}) and {@code adapter_model.safetensors}
 * with, for each adapted module, {@code base_model.model.transformer.h.<i>.<module>.lora_A.weight (r, in)} and
 * {@code ...lora_B.weight (out, r)}. As in PEFT, the module's output gains {@code scale * B @ A @ x} with
 * {@code scale = lora_alpha / r} ({@code lora_alpha / sqrt(r)} with {@code use_rslora}); {@code target_modules}
 * name modules by the end of their name, so {@code c_proj} adapts both {@code attn.c_proj} and {@code mlp.c_proj}.
 *
 * <p>{@link #merge} folds {@code scale * B @ A} into the base weights (PEFT's {@code merge_and_unload}) and
 * {@link #unmerge} takes it out again. Options this class does not compute (DoRA, trained biases, per-module ranks
 * or alphas, a regular expression as {@code target_modules}) are refused by name.
 *
 * @param r             the rank
 * @param loraAlpha     {@code lora_alpha}
 * @param loraDropout   {@code lora_dropout} (training only)
 * @param targetModules {@code target_modules}, e.g. {@code [c_attn, c_proj, c_fc]}
 * @param rslora        {@code use_rslora}: scale {@code alpha / sqrt(r)}
 * @param weights       {@code "<i>.<module>"} ({@code 0.attn.c_attn}) to its A {@code (r, in)} and B {@code (out, r)}
 */
public record PeftLora(int r, double loraAlpha, double loraDropout, List<String> targetModules, boolean rslora,
                       Map<String, AB> weights) {
    /** The modules of a GPT-2 block that LoRA may adapt, by their names within the block. */
    public static final List<String> MODULES = List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");
    static final String PREFIX = "base_model.model.transformer.h.";

    /** One module's factors: {@code a (r, in)}, {@code b (out, r)}, row-major. */
    public record AB(int in, int out, float[] a, float[] b) {
    }

    /** PEFT's scale: {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA. */
    public double scale() {
        return rslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    /** Reads the adapter in {@code folder}; a missing file or key, or an unsupported option, is named. */
    public static PeftLora read(Path folder) throws IOException {
        Path cfgFile = folder.resolve("adapter_config.json"), file = folder.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(cfgFile)) throw new CheckpointException(folder + ": no adapter_config.json (PEFT writes it with adapter_model.safetensors)");
        if (!Files.isRegularFile(file)) throw new CheckpointException(folder + ": no adapter_model.safetensors" +
                (Files.exists(folder.resolve("adapter_model.bin")) ? " (adapter_model.bin is a pickle this project does not read)" : ""));
        Map<?, ?> c = (Map<?, ?>) Json.parse(Files.readString(cfgFile, StandardCharsets.UTF_8));
        String where = cfgFile.toString();
        if (!"LORA".equals(c.get("peft_type"))) throw new CheckpointException(where + ": peft_type " + c.get("peft_type") + " is not LORA");
        if (Boolean.TRUE.equals(c.get("use_dora"))) throw new CheckpointException(where + ": use_dora = true (DoRA) is not implemented");
        if (c.get("bias") != null && !"none".equals(c.get("bias"))) throw new CheckpointException(where + ": bias '" + c.get("bias") + "' is not implemented (only 'none')");
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            if (c.get(pattern) instanceof Map<?, ?> m && !m.isEmpty()) throw new CheckpointException(where + ": " + pattern + " " + m + " is not implemented");
        }
        if (!(c.get("target_modules") instanceof List<?> targets)) {
            throw new CheckpointException(where + ": target_modules " + c.get("target_modules") + " is not a list of module names");
        }
        if (!(c.get("r") instanceof Long r) || r < 1) throw new CheckpointException(where + ": r " + c.get("r") + " is not a whole number >= 1");
        if (!(c.get("lora_alpha") instanceof Number alpha)) throw new CheckpointException(where + ": lora_alpha is missing");
        double dropout = c.get("lora_dropout") instanceof Number d ? d.doubleValue() : 0.0;
        SafeTensors st = SafeTensors.open(file);
        Map<String, AB> weights = new LinkedHashMap<>();
        for (String key : st.tensors().keySet()) {
            if (!key.endsWith(".lora_A.weight")) {
                if (!key.endsWith(".lora_B.weight")) throw new CheckpointException(file + ": tensor '" + key + "' is not a LoRA factor");
                continue;
            }
            String module = key.substring(0, key.length() - ".lora_A.weight".length());
            if (!module.startsWith(PREFIX)) throw new CheckpointException(file + ": tensor '" + key + "' is not under " + PREFIX + "<layer>");
            String bKey = module + ".lora_B.weight";
            if (!st.tensors().containsKey(bKey)) throw new CheckpointException(file + ": missing tensor '" + bKey + "' beside '" + key + "'");
            int[] as = st.info(key).shape(), bs = st.info(bKey).shape();
            if (as.length != 2 || bs.length != 2 || as[0] != r || bs[1] != r) {
                throw new CheckpointException(file + ": '" + key + "' " + java.util.Arrays.toString(as) + " and '" + bKey + "' "
                        + java.util.Arrays.toString(bs) + " are not (r, in) and (out, r) with r = " + r);
            }
            weights.put(module.substring(PREFIX.length()), new AB(as[1], bs[0], st.floats(key), st.floats(bKey)));
        }
        if (weights.isEmpty()) throw new CheckpointException(file + ": no lora_A/lora_B tensors");
        return new PeftLora(r.intValue(), alpha.doubleValue(), dropout, targets.stream().map(String::valueOf).toList(),
                Boolean.TRUE.equals(c.get("use_rslora")), weights);
    }

    /** Folds every adapter into {@code model}'s weights: {@code W += scale * B @ A}. */
    public void merge(GptLanguageModel model) {
        apply(model, scale());
    }

    /** Takes the adapters out of weights {@link #merge} changed: {@code W -= scale * B @ A} (equal up to rounding). */
    public void unmerge(GptLanguageModel model) {
        apply(model, -scale());
    }

    private void apply(GptLanguageModel model, double s) {
        for (Map.Entry<String, AB> e : weights.entrySet()) {
            String name = e.getKey();
            int dot = name.indexOf('.');
            int layer = Integer.parseInt(name.substring(0, dot));
            String module = name.substring(dot + 1);
            Gpt2Checkpoint.addToWeight(model, layer, module, delta(e.getValue(), s));
        }
    }

    /** {@code s * B @ A}, {@code (out, in)}, summed in double. */
    static float[] delta(AB ab, double s) {
        float[] d = new float[ab.out() * ab.in()];
        int r = ab.a().length / ab.in();
        for (int o = 0; o < ab.out(); o++) {
            for (int i = 0; i < ab.in(); i++) {
                double sum = 0;
                for (int k = 0; k < r; k++) sum += (double) ab.b()[o * r + k] * ab.a()[k * ab.in() + i];
                d[o * ab.in() + i] = (float) (s * sum);
            }
        }
        return d;
    }

    /** Writes this adapter in PEFT's format into {@code folder} (both files atomically), for {@code PeftModel.from_pretrained}. */
    public void write(Path folder, String baseModel) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", (long) r);
        c.put("lora_alpha", loraAlpha);
        c.put("lora_dropout", loraDropout);
        c.put("target_modules", targetModules);
        c.put("fan_in_fan_out", true);                   // GPT-2's Conv1D
        c.put("bias", "none");
        c.put("use_rslora", rslora);
        c.put("use_dora", false);
        c.put("inference_mode", true);
        Map<String, SafeTensors.FloatTensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, AB> e : weights.entrySet()) {
            AB ab = e.getValue();
            t.put(PREFIX + e.getKey() + ".lora_A.weight", new SafeTensors.FloatTensor(new int[]{r, ab.in()}, ab.a()));
            t.put(PREFIX + e.getKey() + ".lora_B.weight", new SafeTensors.FloatTensor(new int[]{ab.out(), r}, ab.b()));
        }
        SafeTensors.write(folder.resolve("adapter_model.safetensors"), t, Map.of("format", "pt"));
        AtomicFiles.write(folder.resolve("adapter_config.json"), Json.write(c).getBytes(StandardCharsets.UTF_8));
    }

    /** PEFT's configuration as the engine's: {@code LoraConfig.peft(r, lora_alpha, lora_dropout, target_modules)}. */
    public LoraConfig config() {
        if (rslora) throw new IllegalStateException("use_rslora is not implemented by the engine's adapters (scale alpha/r only)");
        return LoraConfig.peft(r, loraAlpha, loraDropout, targetModules);
    }

    /**
     * The adapters of {@code model} (LoRA enabled with {@link LoraConfig#peft}) as a PEFT adapter, A and B copied:
     * {@code blocks.<i>.sa.c_attn} is {@code h.<i>.attn.c_attn}, {@code sa.proj} {@code attn.c_proj},
     * {@code ffwd.net.0} {@code mlp.c_fc}, {@code ffwd.net.2} {@code mlp.c_proj}.
     */
    public static PeftLora of(GptLanguageModel model) {
        LoraConfig c = Lora.config(model);
        if (c == null || c.targets() != LoraConfig.Targets.MODULES) {
            throw new IllegalArgumentException("the model's adapters are " + c + ": Lora.enable(model, LoraConfig.peft(...), seed) makes PEFT's modules");
        }
        Map<String, AB> weights = new LinkedHashMap<>();
        for (LoraAdapter a : Lora.adapters(model)) {
            int[] as = a.a().shape(), bs = a.b().shape();
            weights.put(peftName(a.a().name()), new AB(as[1], bs[0], a.a().data().clone(), a.b().data().clone()));
        }
        return new PeftLora(c.rank(), c.alpha(), c.dropout(), c.modules(), false, weights);
    }

    /** Copies this adapter's A and B into {@code model}'s adapters (enabled with {@link #config()}), by module. */
    public void loadInto(GptLanguageModel model) {
        Map<String, LoraAdapter> byModule = new LinkedHashMap<>();
        for (LoraAdapter a : Lora.adapters(model)) byModule.put(peftName(a.a().name()), a);
        if (!byModule.keySet().equals(weights.keySet())) {
            throw new IllegalArgumentException("the model's adapters " + byModule.keySet() + " are not this adapter's " + weights.keySet()
                    + ": Lora.enable(model, adapter.config(), seed) on a model of the same shape first");
        }
        for (Map.Entry<String, AB> e : weights.entrySet()) {
            LoraAdapter a = byModule.get(e.getKey());
            if (a.a().size() != e.getValue().a().length || a.b().size() != e.getValue().b().length) {
                throw new IllegalArgumentException(e.getKey() + ": shapes differ from the model's adapter " + a.a() + ", " + a.b());
            }
            System.arraycopy(e.getValue().a(), 0, a.a().data(), 0, a.a().size());
            System.arraycopy(e.getValue().b(), 0, a.b().data(), 0, a.b().size());
        }
    }

    /** {@code blocks.3.sa.c_attn.lora_A} -> {@code 3.attn.c_attn}, and so on. */
    static String peftName(String engineName) {
        String[] p = engineName.split("\\.");
        String rest = engineName.substring(engineName.indexOf('.', "blocks.".length()) + 1, engineName.lastIndexOf('.'));
        String module = switch (rest) {
            case "sa.c_attn" -> "attn.c_attn";
            case "sa.proj" -> "attn.c_proj";
            case "ffwd.net.0" -> "mlp.c_fc";
            case "ffwd.net.2" -> "mlp.c_proj";
            default -> throw new IllegalArgumentException("adapter " + engineName + " has no PEFT module name (lecture-style query/key/value?)");
        };
        return p[1] + "." + module;
    }

    /** Checks that every module is one {@link #MODULES} names within {@code config}'s layers. */
    public void checkFits(GptConfig config) {
        for (String name : weights.keySet()) {
            int dot = name.indexOf('.');
            int layer = Integer.parseInt(name.substring(0, dot));
            if (layer >= config.nLayer() || !MODULES.contains(name.substring(dot + 1))) {
                throw new IllegalArgumentException("adapter module h." + name + " is not in a " + config.nLayer() + "-layer GPT-2 " + MODULES);
            }
        }
    }
}
