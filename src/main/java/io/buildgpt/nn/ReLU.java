package io.buildgpt.nn;

import io.buildgpt.tensor.Tensor;

/** {@code nn.ReLU()}. */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) { return x.relu(); }
}
