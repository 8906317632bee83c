package io.buildgpt.model;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fine-tuning state of one {@link GptLanguageModel}: its LoRA adapters and its quantized
 * weights. Kept out of the model class so that the model reads as the lecture's GPT.
 */
final class Adaptation {
    private final Block[] blocks;
    private final Linear lmHead;
    private LoraConfig lora;        // null: no adapters

    Adaptation(Block[] blocks, Linear lmHead) {
        this.blocks = blocks;
        this.lmHead = lmHead;
    }

    void enableLora(LoraConfig config, long seed) {
        if (config == null) throw new IllegalArgumentException("config must not be null; e.g. LoraConfig.queryValue(8)");
        if (lora != null) throw new IllegalStateException("LoRA is already enabled (" + lora + "): mergeLora() first to add new adapters");
        Random init = new Random(seed);
        for (Block b : blocks) b.enableLora(config, init);
        // A as PEFT's kaiming_uniform_(a=sqrt(5)) on a (r, in) weight, drawn adapter by adapter from a
        // torch-compatible generator (the Random above only sized the adapters)
        TorchGenerator g = new TorchGenerator(seed);
        for (LoraAdapter a : adapters()) {
            int[] shape = a.a().shape();                                              // (r, in)
            System.arraycopy(TorchInit.linearWeight(g, shape[1], shape[0]), 0, a.a().data(), 0, shape[0] * shape[1]);
        }
        Random dropoutSeeds = new Random(seed ^ 0x10A0D0L);    // the adapters' dropout masks; A's initialisation draws nothing from it
        for (Block b : blocks) for (LoraAdapter a : b.loraAdapters()) a.reseedDropout(dropoutSeeds.nextLong());
        lmHead.setFrozen(true);     // adapters never go on lm_head; frozen, it skips its (V,C) weight gradient
        lora = config;
    }

    void mergeLora() {
        if (lora == null) throw new IllegalStateException("LoRA is not enabled: there are no adapters to merge");
        if (isQuantized()) {
            throw new IllegalStateException("the base is quantized, and a 4/8-bit block cannot hold W + s*B@A: call dequantizeBase() first"
                    + " (the merged model is then float32, quantization error included), or keep the adapters unmerged");
        }
        for (Block b : blocks) b.mergeLora();
        lmHead.setFrozen(false);
        lora = null;
    }

    LoraConfig lora() {
        return lora;
    }

    List<LoraAdapter> adapters() {
        List<LoraAdapter> out = new ArrayList<>();
        for (Block b : blocks) out.addAll(b.loraAdapters());
        return out;
    }

    List<Parameter> adapterParameters() {
        List<Parameter> out = new ArrayList<>();
        for (LoraAdapter a : adapters()) out.addAll(a.parameters());
        return out;
    }

    void quantize(int bits, int blockSize, boolean includeLmHead) {
        if (isQuantized()) throw new IllegalStateException("the base is already quantized: dequantizeBase() first to change the bits");
        QuantizedWeight.quantize(new float[1], new int[]{1}, bits, blockSize); // validates bits and blockSize before any layer changes
        for (Linear l : linears(includeLmHead)) l.quantize(bits, blockSize);
    }

    void dequantize() {
        for (Linear l : linears(true)) l.dequantize();
    }

    boolean isQuantized() {
        for (Linear l : linears(true)) if (l.quantized() != null) return true;
        return false;
    }

    /** Bytes of every weight matrix (float32 or quantized blocks); embeddings and LayerNorms are counted by the caller. */
    long quantizedBytes() {
        long n = 0;
        for (Linear l : linears(true)) if (l.quantized() != null) n += l.quantized().bytes();
        return n;
    }

    long quantizedCount() {
        long n = 0;
        for (Linear l : linears(true)) if (l.quantized() != null) n += l.quantized().size();
        return n;
    }

    private List<Linear> linears(boolean withLmHead) {
        List<Linear> out = new ArrayList<>();
        for (Block b : blocks) out.addAll(b.linears());
        if (withLmHead) out.add(lmHead);
        return out;
    }
}
