package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code nn.LayerNorm(dim)}: normalise the last axis to mean 0 and variance 1 (the biased variance,
 * {@code eps = 1e-5} inside the square root, as PyTorch), then scale by {@code weight} (ones) and
 * shift by {@code bias} (zeros). Written out from mean and variance so that the arithmetic is PyTorch's.
 */
public final class LayerNorm extends Module implements Layer {
    public final Param weight; // (dim), starts at 1
    public final Param bias;   // (dim), starts at 0
    private final transient double eps;

    public LayerNorm(int dim) {
        this(dim, 1e-5);
    }

    public LayerNorm(int dim, double eps) {
        this.weight = new Param(Nd4j.ones(DataType.FLOAT, dim));
        this.bias = new Param(Nd4j.zeros(DataType.FLOAT, dim));
        this.eps = eps;
    }

    @Override
    public SDVariable forward(SDVariable x) {
        int last = F.shape(x).length - 1;
        SDVariable mean = x.mean(true, last);                                    // (..., 1)
        SDVariable centred = x.sub(mean);                                         // (..., dim)
        SDVariable var = centred.mul(centred).mean(true, last);                   // (..., 1), biased
        SDVariable xhat = centred.div(var.add(eps).pow(0.5));                     // (..., dim)
        return xhat.mul(weight.in(x)).add(bias.in(x));                            // (..., dim)
    }
}
