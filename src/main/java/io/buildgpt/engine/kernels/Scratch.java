package io.buildgpt.engine.kernels;

/**
 * Working buffers shared by every fine-tuned layer of one model: the weight a product runs on
 * ({@code deq(W) + s * B @ A}) and its gradient. A layer fills the buffer just before its product and
 * rebuilds it for its backward pass, so one buffer of the largest layer's size serves the whole model,
 * and a quantized base keeps no float32 copy of its weights. One model computes one layer at a time,
 * so the buffers are never used by two layers at once.
 */
public final class Scratch {
    private float[] weight = new float[0], gradient = new float[0];

    /** A buffer of at least {@code size} floats for a weight; contents undefined. */
    public float[] weight(int size) {
        if (weight.length < size) weight = new float[size];
        return weight;
    }

    /** A buffer of at least {@code size} floats for a weight's gradient; contents undefined. */
    public float[] gradient(int size) {
        if (gradient.length < size) gradient = new float[size];
        return gradient;
    }

    /** Bytes held by both buffers. */
    public long bytes() {
        return 4L * (weight.length + gradient.length);
    }
}
