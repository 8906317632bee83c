package io.buildgpt.cells;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code nn.Embedding(num, dim)}: row {@code i} of a {@code (num, dim)} table for every id {@code i}.
 * Computed as {@code one_hot(idx) @ weight} (notebook 03 shows the two are the same), because
 * SameDiff's {@code gather} does not train in ND4J 1.0.0-M2.1.
 */
public final class Embedding extends Module implements Layer {
    public final Param weight; // (num, dim)
    private final transient long num, dim;

    /** {@code nn.Embedding(num, dim)}: N(0, 1) values drawn from {@code g} as PyTorch draws them. */
    public Embedding(TorchGenerator g, int num, int dim) {
        this(new Param(TorchInit.embedding(g, num, dim), num, dim));
    }

    /** A table with these initial values {@code (num, dim)}, e.g. weights loaded by name. */
    public Embedding(INDArray weight) {
        this(new Param(weight));
    }

    public Embedding(Param weight) {
        if (weight.shape().length != 2) throw new IllegalArgumentException("an embedding table must be (num, dim), got rank " + weight.shape().length);
        this.weight = weight;
        this.num = weight.shape()[0];
        this.dim = weight.shape()[1];
    }

    /** Ids of any shape {@code S} (e.g. {@code (B, T)} or {@code (T)}) to vectors {@code S + (dim)}. */
    @Override
    public SDVariable forward(SDVariable idx) {
        long[] s = F.shape(idx);
        long n = 1;
        for (long d : s) n *= d;
        long[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = dim;
        SDVariable oneHot = idx.getSameDiff().oneHot(idx, (int) num).reshape(n, num); // (N, num)
        return oneHot.mmul(weight.in(idx)).reshape(out);                               // (N, dim) -> S + (dim)
    }
}
