package io.buildgpt.finetune;

import io.buildgpt.engine.DenseWeight;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Linear;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.Weight;
import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;

import java.util.ArrayList;
import java.util.List;

/**
 * LoRA on an engine model: {@link #enable} puts a {@link LoraWeight} (frozen base, adapters beside it) into
 * the targeted Linears, freezes everything else, and leaves the adapters as the model's
 * {@code trainableParameters()}; {@link #merge} folds them back into float32 weights.
 */
public final class Lora {
    /** The lecture's query, key and value: their rows of the fused {@code c_attn (3C, C)}. */
    static final String[] ROLES = {"query", "key", "value"};

    private Lora() {
    }

    /**
     * Adds adapters as {@code config} says (A from {@code seed}, B zero, so outputs do not change) and
     * freezes every base weight. A rank above {@code n_embd} is refused: {@code B @ A} of a {@code (C, C)}
     * weight cannot use it.
     */
    public static GptLanguageModel enable(GptLanguageModel model, LoraConfig config, long seed) {
        if (config == null) throw new IllegalArgumentException("config must not be null; e.g. LoraConfig.queryValue(8)");
        return model.exclusively("enableLora", () -> {
            LoraConfig current = config(model);
            if (current != null) throw new IllegalStateException("LoRA is already enabled (" + current + "): merge it first to add new adapters");
            int c = model.config().nEmbd();
            if (config.rank() > c) {
                throw new IllegalArgumentException("rank = " + config.rank() + " is larger than n_embd = " + c + ": B @ A of a (" + c + ", "
                        + c + ") weight has rank at most " + c + ", so a larger rank only adds trainable parameters; use rank <= " + c
                        + " (typical: 4 to 16)");
            }
            List<LoraAdapter> drawn = new ArrayList<>();      // A's draws in the order query, key, value, proj, net.0, net.2
            for (Linear l : model.linears()) {
                Weight base = frozen(l.weight());
                List<LoraWeight.Slot> slots = slots(l, config, c);
                for (LoraWeight.Slot s : slots) drawn.add(s.adapter());
                l.setWeight(slots.isEmpty() ? base : new LoraWeight(base, slots, config));
            }
            // A as PEFT's kaiming_uniform_(a=sqrt(5)) on a (r, in) weight, adapter by adapter from a torch-compatible generator
            TorchGenerator g = new TorchGenerator(seed);
            for (LoraAdapter a : drawn) {
                int[] shape = a.a().shape();                                          // (r, in)
                System.arraycopy(TorchInit.linearWeight(g, shape[1], shape[0]), 0, a.a().data(), 0, shape[0] * shape[1]);
            }
            // each adapter's dropout masks from its own generator, seeded in order from a separate TorchGenerator
            TorchGenerator dropoutSeeds = new TorchGenerator(seed ^ 0x10A0D0L);
            for (LoraAdapter a : drawn) a.reseedDropout(dropoutSeeds.next64());
            model.setTrainsBase(false);
            return model;
        });
    }

    /** The adapters {@code config} puts on {@code l}: by role of the lecture's names, or PEFT's GPT-2 module names. */
    private static List<LoraWeight.Slot> slots(Linear l, LoraConfig config, int c) {
        String name = l.name();
        List<LoraWeight.Slot> out = new ArrayList<>();
        if (name.endsWith(".c_attn")) {
            String sa = name.substring(0, name.length() - ".c_attn".length());
            if (config.fusedQkv()) out.add(new LoraWeight.Slot(0, new LoraAdapter(name, c, 3 * c, config)));
            for (int r = 0; r < 3; r++) {
                if (config.targets(ROLES[r])) out.add(new LoraWeight.Slot(r * c, new LoraAdapter(sa + "." + ROLES[r], c, c, config)));
            }
        } else if (name.endsWith(".proj") && config.targets("proj")
                || name.endsWith(".ffwd.net.0") && config.targets("ffwd.net.0")
                || name.endsWith(".ffwd.net.2") && config.targets("ffwd.net.2")) {
            out.add(new LoraWeight.Slot(0, new LoraAdapter(name, l.inFeatures(), l.outFeatures(), config)));
        }
        return out;
    }

    private static Weight frozen(Weight w) {
        if (w instanceof DenseWeight d) return new DenseWeight(d.parameter(), false);
        if (w instanceof QuantizedBase) return w;
        throw new IllegalStateException("cannot freeze a weight of type " + w.getClass().getSimpleName());
    }

    /** The adapters' configuration, or null without LoRA. */
    public static LoraConfig config(GptLanguageModel model) {
        for (Linear l : model.linears()) if (l.weight() instanceof LoraWeight w) return w.config();
        return null;
    }

    /** The adapters, block by block: query, key, value (or c_attn), proj, ffwd.net.0, ffwd.net.2 (those present). */
    public static List<LoraAdapter> adapters(GptLanguageModel model) {
        List<LoraAdapter> out = new ArrayList<>();
        for (Linear l : model.linears()) if (l.weight() instanceof LoraWeight w) out.addAll(w.adapters());
        return out;
    }

    /** The adapters' A and B, in {@link #adapters} order. */
    public static List<Parameter> adapterParameters(GptLanguageModel model) {
        List<Parameter> out = new ArrayList<>();
        for (LoraAdapter a : adapters(model)) out.addAll(a.parameters());
        return out;
    }

    /**
     * Folds every adapter into its weight ({@code W <- W + s * B @ A}) and removes the adapters: the same
     * outputs, no adapter cost at inference, and every parameter trainable again. A quantized base is refused.
     */
    public static void merge(GptLanguageModel model) {
        model.exclusively("mergeLora", () -> {
            if (config(model) == null) throw new IllegalStateException("LoRA is not enabled: there are no adapters to merge");
            QuantSpec q = Quantize.spec(model);
            if (q != null) {
                throw new IllegalStateException("the base is quantized (" + q.label() + "), and a quantized group cannot hold W + s*B@A:"
                        + " dequantize the base first with Quantize.dequantize(model) (the merged model is then float32, quantization error"
                        + " included), or keep the adapters unmerged");
            }
            for (Linear l : model.linears()) {
                Weight w = l.weight();
                Weight base = w instanceof LoraWeight lw ? lw.base() : w;
                if (!(base instanceof DenseWeight d)) throw new IllegalStateException(l.name() + " has no float32 base to merge into");
                w.writeTo(d.parameter().data(), 0);                                   // W + s * B @ A, in place
                l.setWeight(new DenseWeight(d.parameter(), true));
            }
            model.setTrainsBase(true);
            return null;
        });
    }
}
