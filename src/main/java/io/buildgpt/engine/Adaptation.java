package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Scratch;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;

import java.util.ArrayList;
import java.util.List;

/**
 * The fine-tuning state of one {@link GptLanguageModel}: which layers carry a hook ({@link AdaptedWeight}
 * on a Linear, {@link QkvLora} on an attention's stacked projection), and the {@link Scratch} they share.
 * Kept out of the model and layer classes so that those read as the lecture's GPT.
 */
final class Adaptation {
    private final Block[] blocks;
    private final Linear lmHead;
    private final Scratch scratch = new Scratch();
    private LoraConfig lora;        // null: no adapters
    private QuantSpec quant;        // null: float32 base

    Adaptation(Block[] blocks, Linear lmHead) {
        this.blocks = blocks;
        this.lmHead = lmHead;
    }

    void enableLora(LoraConfig config, long seed) {
        if (config == null) throw new IllegalArgumentException("config must not be null; e.g. LoraConfig.queryValue(8)");
        if (lora != null) throw new IllegalStateException("LoRA is already enabled (" + lora + "): mergeLora() first to add new adapters");
        int c = lmHead.inFeatures();
        if (config.rank() > c) {
            throw new IllegalArgumentException("rank = " + config.rank() + " is larger than n_embd = " + c + ": B @ A of a (" + c + ", "
                    + c + ") weight has rank at most " + c + ", so a larger rank only adds trainable parameters; use rank <= " + c
                    + " (typical: 4 to 16)");
        }
        shareBuffers();
        for (Block b : blocks) {                     // A's draws in the order query, key, value, proj, net.0, net.2
            MultiHeadAttention sa = b.attention();
            for (Linear l : sa.linears()) AdaptedWeight.of(l, scratch);   // frozen
            QkvLora qkv = new QkvLora(sa.name(), c, config);
            if (!qkv.adapters().isEmpty()) sa.setLora(qkv);
            if (config.targets("proj")) AdaptedWeight.of(sa.proj(), scratch).attachAdapter(sa.proj().name(), config);
            List<Linear> ff = b.feedForward().linears();
            for (int k = 0; k < ff.size(); k++) {
                AdaptedWeight w = AdaptedWeight.of(ff.get(k), scratch);
                if (config.targets(k == 0 ? "ffwd.net.0" : "ffwd.net.2")) w.attachAdapter(ff.get(k).name(), config);
            }
        }
        // the adapters were built with A and B zero (construction draws nothing); A as PEFT's
        // kaiming_uniform_(a=sqrt(5)) on a (r, in) weight, drawn adapter by adapter from a torch-compatible generator
        TorchGenerator g = new TorchGenerator(seed);
        for (LoraAdapter a : adapters()) {
            int[] shape = a.a().shape();                                              // (r, in)
            System.arraycopy(TorchInit.linearWeight(g, shape[1], shape[0]), 0, a.a().data(), 0, shape[0] * shape[1]);
        }
        // each adapter's dropout masks from its own generator, seeded in order from a separate TorchGenerator
        TorchGenerator dropoutSeeds = new TorchGenerator(seed ^ 0x10A0D0L);    // A's initialisation draws nothing from it
        for (LoraAdapter a : adapters()) a.reseedDropout(dropoutSeeds.next64());
        AdaptedWeight.of(lmHead, scratch);          // adapters never go on lm_head; frozen, it skips its (V,C) weight gradient
        lora = config;
    }

    void mergeLora() {
        if (lora == null) throw new IllegalStateException("LoRA is not enabled: there are no adapters to merge");
        if (quant != null) {
            throw new IllegalStateException("the base is quantized (" + quant.label() + "), and a quantized group cannot hold W + s*B@A:"
                    + " call dequantizeBase() first (the merged model is then float32, quantization error included), or keep the adapters unmerged");
        }
        for (Block b : blocks) {
            MultiHeadAttention sa = b.attention();
            if (sa.lora() != null) sa.lora().mergeInto(sa.heads());
            sa.setLora(null);
        }
        for (Linear l : linears(true)) if (l.hook() instanceof AdaptedWeight w) w.mergeAndRemove();
        lora = null;
    }

    LoraConfig lora() {
        return lora;
    }

    QuantSpec quant() {
        return quant;
    }

    /** Block by block: query, key, value, proj, ffwd.net.0, ffwd.net.2 (those present). */
    List<LoraAdapter> adapters() {
        List<LoraAdapter> out = new ArrayList<>();
        for (Block b : blocks) {
            MultiHeadAttention sa = b.attention();
            if (sa.lora() != null) out.addAll(sa.lora().adapters());
            addAdapter(sa.proj(), out);
            for (Linear l : b.feedForward().linears()) addAdapter(l, out);
        }
        return out;
    }

    private static void addAdapter(Linear l, List<LoraAdapter> out) {
        if (l.hook() instanceof AdaptedWeight w && w.adapter() != null) out.add(w.adapter());
    }

    List<Parameter> adapterParameters() {
        List<Parameter> out = new ArrayList<>();
        for (LoraAdapter a : adapters()) out.addAll(a.parameters());
        return out;
    }

    void quantize(QuantSpec spec, boolean includeLmHead) {
        if (spec == null) throw new IllegalArgumentException("spec must not be null; e.g. QuantSpec.nf4()");
        if (quant != null) throw new IllegalStateException("the base is already quantized (" + quant.label() + "): dequantizeBase() first to change it");
        shareBuffers();
        for (Linear l : linears(includeLmHead)) AdaptedWeight.of(l, scratch).quantize(spec);
        quant = spec;
    }

    void dequantize() {
        for (Linear l : linears(true)) if (l.hook() instanceof AdaptedWeight w) w.dequantize();
        if (lora == null) for (Linear l : linears(true)) l.setHook(null);  // float and trainable again
        quant = null;
    }

    /** The quantized weights, in the order of the blocks' Linears, then lm_head's if quantized. */
    List<QuantizedWeight> quantizedWeights() {
        List<QuantizedWeight> out = new ArrayList<>();
        for (Linear l : linears(true)) if (l.hook() instanceof AdaptedWeight w && w.quantized() != null) out.add(w.quantized());
        return out;
    }

    /** Bytes of every quantized weight matrix; float32 tensors are counted by the caller. */
    long quantizedBytes() {
        return quantizedWeights().stream().mapToLong(QuantizedWeight::bytes).sum();
    }

    long quantizedCount() {
        return quantizedWeights().stream().mapToLong(QuantizedWeight::size).sum();
    }

    /** Bytes of the working buffers the fine-tuned layers share (one weight and one gradient of the largest layer). */
    long scratchBytes() {
        return scratch.bytes();
    }

    /** Sizes the shared buffers for the largest weight (an attention's stacked (3C,C) or lm_head) and hands the attentions theirs. */
    private void shareBuffers() {
        int largest = 0;
        for (Linear l : linears(true)) largest = Math.max(largest, l.inFeatures() * l.outFeatures());
        int c = lmHead.inFeatures();
        largest = Math.max(largest, 3 * c * c);
        float[] w = scratch.weight(largest), dw = scratch.gradient(largest);
        for (Block b : blocks) b.attention().shareStackBuffers(w, dw);
    }

    private List<Linear> linears(boolean withLmHead) {
        List<Linear> out = new ArrayList<>();
        for (Block b : blocks) out.addAll(b.linears());
        if (withLmHead) out.add(lmHead);
        return out;
    }
}
