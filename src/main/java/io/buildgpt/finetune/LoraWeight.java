package io.buildgpt.finetune;

import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.Weight;
import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * A frozen base weight {@code W (out, in)} (float32 or quantized) with LoRA adapters beside it: PEFT's
 * {@code y = x W^T + s * (drop(x) A^T) B^T}. An adapter may cover a block of the output rows only: on the
 * attention's fused {@code c_attn (3C, C)} the lecture's query adapter covers rows {@code 0..C-1}, the value
 * adapter rows {@code 2C..3C-1}; PEFT's {@code c_attn} adapter covers all {@code 3C}.
 */
public final class LoraWeight implements Weight {
    /** An adapter on output rows {@code row .. row + adapter's out - 1}. */
    record Slot(int row, LoraAdapter adapter) {
    }

    private final Weight base;
    private final List<Slot> slots;
    private final LoraConfig config;

    LoraWeight(Weight base, List<Slot> slots, LoraConfig config) {
        if (!base.trainable().isEmpty()) throw new IllegalArgumentException("the base under LoRA must be frozen");
        this.base = base;
        this.slots = List.copyOf(slots);
        this.config = config;
    }

    @Override
    public int outFeatures() {
        return base.outFeatures();
    }

    @Override
    public int inFeatures() {
        return base.inFeatures();
    }

    /** One pass's buffers: the base's, and each adapter's branch. */
    private static final class Buffers implements Weight.Buffers {
        private final Weight.Buffers base;
        private final LoraAdapter.Buffers[] branches;

        Buffers(Weight.Buffers base, int adapters) {
            this.base = base;
            this.branches = new LoraAdapter.Buffers[adapters];
            for (int i = 0; i < adapters; i++) branches[i] = new LoraAdapter.Buffers();
        }
    }

    @Override
    public void randomStreams(List<TorchGenerator> out) {
        base.randomStreams(out);
        for (Slot s : slots) s.adapter.randomStreams(out);
    }

    @Override
    public Weight.Buffers newBuffers() {
        return new Buffers(base.newBuffers(), slots.size());
    }

    @Override
    public void forward(float[] x, int n, float[] y, Matmul mm, boolean training, Weight.Buffers wb) {
        Buffers b = (Buffers) wb;
        base.forward(x, n, y, mm, training, b.base);                             // x (n,in) @ W^T -> y (n,out)
        for (int i = 0; i < slots.size(); i++) {                                 // + s * drop(x) A^T B^T, its rows
            Slot s = slots.get(i);
            s.adapter.forwardBranch(b.branches[i], x, n, y, s.row, outFeatures(), training, mm);
        }
    }

    @Override
    public void backward(float[] dy, float[] x, int n, float[] dx, Matmul mm, Weight.Buffers wb) {
        Buffers b = (Buffers) wb;
        base.backward(dy, x, n, dx, mm, b.base);                                 // dx = dy @ W (n,in); the base takes no gradient
        for (int i = 0; i < slots.size(); i++) {                                 // dA, dB; dx += (dh @ A) * mask
            Slot s = slots.get(i);
            s.adapter.backwardBranch(b.branches[i], dy, s.row, outFeatures(), dx, mm);
        }
    }

    @Override
    public void writeTo(float[] dst, int off) {
        base.writeTo(dst, off);                                                   // W
        for (Slot s : slots) s.adapter.addTo(dst, off + s.row * inFeatures());   // + s * B @ A on its rows
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(base.parameters());
        for (Slot s : slots) out.addAll(s.adapter.parameters());
        return out;
    }

    @Override
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (Slot s : slots) out.addAll(s.adapter.parameters());
        return out;
    }

    @Override
    public long otherScalars() {
        return base.otherScalars();
    }

    @Override
    public long bytes() {
        long b = base.bytes();
        for (Slot s : slots) for (Parameter p : s.adapter.parameters()) b += 4L * p.size();
        return b;
    }

    /** The frozen weight under the adapters. */
    public Weight base() {
        return base;
    }

    /** The adapters, in the order of their rows. */
    public List<LoraAdapter> adapters() {
        List<LoraAdapter> out = new ArrayList<>();
        for (Slot s : slots) out.add(s.adapter);
        return out;
    }

    /** How the adapters were configured. */
    public LoraConfig config() {
        return config;
    }

    List<Slot> slots() {
        return slots;
    }
}
