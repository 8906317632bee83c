package io.buildgpt.cells;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * {@code nn.Linear(in, out, bias)}: {@code y = x @ weight.T + bias} over the last axis of {@code x}.
 * The weight is stored as PyTorch stores it, {@code (out, in)}, so weights move by name unchanged.
 * A rank-3 {@code x} is reshaped to {@code (B*T, in)} first: SameDiff's rank-3 by rank-2 matrix product fails.
 */
public final class Linear extends Module implements Layer {
    public final Param weight; // (out, in)
    public final Param bias;   // (out), or null
    private final transient long in, out;

    /** {@code nn.Linear(in, out, bias)}: PyTorch's initialisation drawn from {@code g}, the weight first, then the bias. */
    public Linear(TorchGenerator g, int in, int out, boolean bias) {
        this(new Param(TorchInit.linearWeight(g, in, out), out, in), bias ? new Param(TorchInit.linearBias(g, in, out), out) : null);
    }

    /** With initial values: weight {@code (out, in)}, bias {@code (out)} or null (e.g. weights loaded by name). */
    public Linear(INDArray weight, INDArray bias) {
        this(new Param(weight), bias == null ? null : new Param(bias));
    }

    public Linear(Param weight, Param bias) {
        long[] w = weight.shape();
        if (w.length != 2) throw new IllegalArgumentException("a Linear weight must be (out, in), got " + Arrays.toString(w));
        if (bias != null && (bias.shape().length != 1 || bias.shape()[0] != w[0])) {
            throw new IllegalArgumentException("the bias must be (" + w[0] + "), got " + Arrays.toString(bias.shape()));
        }
        this.weight = weight;
        this.bias = bias;
        this.out = w[0];
        this.in = w[1];
    }

    @Override
    public SDVariable forward(SDVariable x) {
        long[] s = F.shape(x);
        if (s[s.length - 1] != in) {
            throw new IllegalArgumentException("Linear(" + in + ", " + out + ") got an input of shape " + Arrays.toString(s) + "; its last axis must be " + in);
        }
        long n = 1;
        for (int i = 0; i < s.length - 1; i++) n *= s[i];
        long[] shapeOut = s.clone();
        shapeOut[s.length - 1] = out;
        SDVariable y = x.getSameDiff().mmul(x.reshape(n, in), weight.in(x), false, true, false); // (N, in) @ (in, out) -> (N, out)
        if (bias != null) y = y.add(bias.in(x));                                                   // + (out)
        return y.reshape(shapeOut);                                                                  // (..., out)
    }
}
