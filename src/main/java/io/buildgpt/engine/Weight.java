package io.buildgpt.engine;

import io.buildgpt.random.TorchGenerator;

import io.buildgpt.engine.kernels.Matmul;

import java.util.List;

/**
 * The matrix {@code W (out, in)} that a {@link Linear} multiplies by, however it is stored. The engine's
 * own is {@link DenseWeight} (a trainable float32 {@link Parameter}); fine-tuning brings others (a frozen
 * or quantized base, a LoRA adapter on top) without the layers knowing: a Linear only calls the two
 * products below.
 *
 * <p>Both products overwrite their output. {@code x} is the layer's input of the forward pass, handed
 * back to {@link #backward} for the weight's own gradient.
 */
public interface Weight {
    int outFeatures();

    int inFeatures();

    /**
     * What one pass through this weight keeps for its backward, beyond the layer's input (a LoRA branch's
     * product and dropout mask); null for a weight that needs nothing. The caller owns it ({@link Linear.Buffers}).
     */
    interface Buffers {
    }

    /**
     * Adds the generators this weight draws from in a training forward (a LoRA branch's dropout) to {@code out}:
     * gradient checkpointing restores their states to draw the same masks again. None by default.
     */
    default void randomStreams(List<TorchGenerator> out) {
    }

    /** A new, empty {@link Buffers} for one pass (grown on first use), or null if this weight keeps nothing. */
    default Buffers newBuffers() {
        return null;
    }

    /**
     * {@code y (n, out) = x (n, in) @ W^T}; {@code training} matters to weights with dropout of their own (LoRA);
     * {@code b} is this pass's {@link #newBuffers()}.
     */
    void forward(float[] x, int n, float[] y, Matmul mm, boolean training, Buffers b);

    /**
     * For {@code dy (n, out)} of the forward on {@code x (n, in)} that filled {@code b}: adds this weight's
     * gradients (if it trains) and writes {@code dx (n, in) = dy @ W}.
     */
    void backward(float[] dy, float[] x, int n, float[] dx, Matmul mm, Buffers b);

    /** Writes the effective {@code W (out, in)} into {@code dst[off..]}: for reading a state_dict, merging and checks. */
    void writeTo(float[] dst, int off);

    /** Every float32 tensor this weight stores, in state_dict order (none for a quantized base). */
    List<Parameter> parameters();

    /** The tensors the optimiser updates (a frozen base has none). */
    List<Parameter> trainable();

    /** Scalars stored other than as float32 {@link #parameters()} (a quantized base's): counted in the model's size. */
    default long otherScalars() {
        return 0;
    }

    /** Bytes of the stored weight. */
    default long bytes() {
        long floats = 0;
        for (Parameter p : parameters()) floats += p.size();
        return 4 * floats;
    }
}
