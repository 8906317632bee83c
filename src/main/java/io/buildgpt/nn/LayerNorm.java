package io.buildgpt.nn;

import io.buildgpt.tensor.F;
import io.buildgpt.tensor.Tensor;

/** {@code nn.LayerNorm(dim)} over the last dim: weight 1, bias 0, eps 1e-5; the fused op. */
public class LayerNorm extends Module {
    public final Tensor weight;
    public final Tensor bias;
    private final double eps;

    public LayerNorm(int dim) { this(dim, 1e-5); }

    public LayerNorm(int dim, double eps) {
        this.weight = Tensor.ones(dim).requiresGrad_(true);
        this.bias = Tensor.zeros(dim).requiresGrad_(true);
        this.eps = eps;
    }

    @Override
    public Tensor forward(Tensor x) { return F.layerNorm(x, weight, bias, eps); }

    @Override protected String extraRepr() { return "(" + weight.size(0) + ",), eps=" + eps; }
}
