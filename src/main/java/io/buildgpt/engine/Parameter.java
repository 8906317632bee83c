package io.buildgpt.engine;

import io.buildgpt.nd4j.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * A trainable tensor: its values and the gradient of the loss with respect to them, both flat
 * row-major {@code float[]} on the Java heap.
 *
 * <p>Why not an ND4J array: a training step touches each parameter a handful of times, and on
 * these small shapes one ND4J call costs more than the arithmetic (figures in BENCHMARKS.md). {@link #value()} gives an ND4J copy to look at.
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    final float[] data;
    private float[] grad;           // allocated on first use: a frozen weight (LoRA's base) never gets one

    public Parameter(String name, int... shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 1) throw new IllegalArgumentException(name + ": every dimension must be at least 1, got " + Arrays.toString(shape));
            size *= d;
        }
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException(name + ": too large " + Arrays.toString(shape));
        this.name = name;
        this.shape = shape.clone();
        this.data = new float[(int) size];
    }

    /** Fills with N(0, std^2) samples from {@code g}: {@code torch.nn.init.normal_(p, 0, std)}, the same draws. */
    public Parameter normal(TorchGenerator g, double std) {
        g.normal_(data, 0, data.length, 0.0, std);
        return this;
    }

    /** Fills with U(-bound, bound) samples from {@code g}: {@code torch.nn.init.uniform_(p, -bound, bound)}, the same draws. */
    public Parameter uniform(TorchGenerator g, double bound) {
        g.uniform_(data, 0, data.length, -bound, bound);
        return this;
    }

    /** Sets every value to {@code value}, like {@code torch.nn.init.constant_}. */
    public Parameter fill(float value) {
        Arrays.fill(data, value);
        return this;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return data.length;
    }

    /** The values themselves (not a copy): optimisers and layers update them in place. */
    public float[] data() {
        return data;
    }

    /**
     * The gradient (not a copy), written by the model's backward pass. It is allocated on the first call (zeros), so a
     * weight whose gradient nothing asks for (a frozen base under LoRA) costs no gradient memory.
     */
    public float[] grad() {
        if (grad == null) grad = new float[data.length];
        return grad;
    }

    /** Whether {@link #grad()} was ever called: false for a weight that stayed frozen. */
    public boolean hasGrad() {
        return grad != null;
    }

    /** Zeroes the gradient (nothing to do while none was allocated). */
    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    /** An ND4J copy of the values, shaped like the parameter. */
    public INDArray value() {
        Nd4jLoader.ensureLoaded();
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return Nd4j.create(data.clone(), s, 'c');
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape);
    }
}
