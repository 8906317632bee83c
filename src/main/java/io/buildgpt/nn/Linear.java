package io.buildgpt.nn;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import io.buildgpt.tensor.Tensor;

/** {@code nn.Linear(in, out, bias)}: {@code y = x @ W^T + b}, W stored (out, in), initialised as PyTorch initialises it. */
public class Linear extends Module {
    public final Tensor weight;
    public final Tensor bias;        // null without bias
    private final int in, out;

    public Linear(int in, int out) { this(in, out, true, Tensor.defaultGenerator()); }
    public Linear(int in, int out, boolean bias) { this(in, out, bias, Tensor.defaultGenerator()); }

    /** Draws the weight, then the bias, from {@code g}, in PyTorch's order. */
    public Linear(int in, int out, boolean bias, TorchGenerator g) {
        this.in = in;
        this.out = out;
        this.weight = Tensor.tensor(TorchInit.linearWeight(g, in, out), out, in).requiresGrad_(true);
        this.bias = bias ? Tensor.tensor(TorchInit.linearBias(g, in, out), out).requiresGrad_(true) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.matmul(weight.transpose(0, 1));     // (..., in) @ (in, out) -> (..., out)
        return bias == null ? y : y.add(bias);
    }

    @Override protected String extraRepr() { return "in_features=" + in + ", out_features=" + out + ", bias=" + (bias != null ? "True" : "False"); }
}
