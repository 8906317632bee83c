package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Matmul;

/**
 * What stands in for a {@link Linear}'s weight while the model is fine-tuned (see {@link AdaptedWeight}).
 * The layer keeps its three products; the hook says which {@code (out, in)} weight they run on and takes
 * the gradients. Without a hook the layer uses its own weight.
 */
interface LinearHook {
    /** The {@code (out, in)} weight of this forward pass; may live in a buffer shared between layers. */
    float[] weight(boolean training);

    /** After the product: adds what is not folded into the weight (LoRA's dropout branch) into {@code y (n, out)} rows. */
    void afterForward(float[] x, int n, float[] y, int yOff, int yStride);

    /** Gradients for {@code dy (n, out)} and the last input {@code x (n, in)}: the adapter's; the base gets none. */
    void backward(float[] dy, float[] x, int n, Matmul mm);

    /** The weight of the last forward pass again, for {@code dx = dy @ W} (rebuilt: a shared buffer may have been reused). */
    float[] backwardWeight();

    /** After {@code dx = dy @ W}: adds what the weight does not carry (the dropout branch) into {@code dx (n, in)}. */
    void addInputGradient(float[] dy, int dyOff, int dyStride, float[] dx);

    /** Copies (or dequantizes) the base weight alone into {@code dst[off..]} {@code (out, in)}. */
    void writeBase(float[] dst, int off);
}
