package io.buildgpt.finetune;

import io.buildgpt.engine.DenseWeight;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Linear;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.Weight;

import java.util.ArrayList;
import java.util.List;

/**
 * Stores an engine model's Linear weights quantized ({@link QuantSpec}), frozen: each becomes a
 * {@link QuantizedBase} (under its LoRA adapters, if any), and its float32 array is dropped. Embeddings,
 * LayerNorms and biases stay float32: they are a small part of the model, and quantizing them costs more
 * accuracy.
 */
public final class Quantize {
    private Quantize() {
    }

    /** Int4 or int8 ({@code bits}) in groups of 64, lm_head kept in float32. */
    public static void base(GptLanguageModel model, int bits) {
        base(model, QuantSpec.ofBits(bits, 64), false);
    }

    /** Every Linear weight of the blocks (and lm_head's if asked) as {@code spec} says. */
    public static void base(GptLanguageModel model, QuantSpec spec, boolean includeLmHead) {
        if (spec == null) throw new IllegalArgumentException("spec must not be null; e.g. QuantSpec.nf4()");
        if (includeLmHead && model.config().variant().tiedHead()) {
            throw new IllegalArgumentException("lm_head is tied to the token embedding in " + model.config().variant()
                    + ": quantize the blocks only (includeLmHead = false)");
        }
        model.exclusively("quantizeBase", () -> {
            QuantSpec current = spec(model);
            if (current != null) throw new IllegalStateException("the base is already quantized (" + current.label() + "): dequantize it first to change it");
            for (Linear l : linears(model, includeLmHead)) {
                Weight w = l.weight();
                if (w instanceof LoraWeight lw) l.setWeight(new LoraWeight(quantized(l, lw.base(), spec), lw.slots(), lw.config()));
                else l.setWeight(quantized(l, w, spec));
            }
            return null;
        });
    }

    private static QuantizedBase quantized(Linear l, Weight w, QuantSpec spec) {
        if (!(w instanceof DenseWeight d)) throw new IllegalStateException(l.name() + " is not a float32 weight");
        Parameter p = d.parameter();
        return new QuantizedBase(QuantizedWeight.quantize(p.data(), p.shape(), spec));
    }

    /** Turns quantized weights back into float32 parameters holding the dequantized values (frozen under LoRA). */
    public static void dequantize(GptLanguageModel model) {
        model.exclusively("dequantizeBase", () -> {
            for (Linear l : model.linears()) {
                Weight w = l.weight();
                if (w instanceof LoraWeight lw && lw.base() instanceof QuantizedBase q) {
                    l.setWeight(new LoraWeight(new DenseWeight(floats(l, q), false), lw.slots(), lw.config()));
                } else if (w instanceof QuantizedBase q) {
                    l.setWeight(new DenseWeight(floats(l, q), model.trainsBase()));
                }
            }
            return null;
        });
    }

    private static Parameter floats(Linear l, QuantizedBase q) {
        Parameter p = new Parameter(l.name() + ".weight", l.outFeatures(), l.inFeatures());
        q.writeTo(p.data(), 0);
        return p;
    }

    /** How the base is quantized, or null for a float32 base. */
    public static QuantSpec spec(GptLanguageModel model) {
        for (QuantizedWeight q : weights(model)) return q.spec();
        return null;
    }

    /** The quantized weights, in the order of the model's Linears. */
    public static List<QuantizedWeight> weights(GptLanguageModel model) {
        List<QuantizedWeight> out = new ArrayList<>();
        for (Linear l : model.linears()) {
            Weight w = l.weight() instanceof LoraWeight lw ? lw.base() : l.weight();
            if (w instanceof QuantizedBase q) out.add(q.quantized());
        }
        return out;
    }

    private static List<Linear> linears(GptLanguageModel model, boolean withLmHead) {
        List<Linear> all = model.linears();
        return withLmHead ? all : all.subList(0, all.size() - 1);
    }
}
