package io.buildgpt.nn;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.tensor.F;
import io.buildgpt.tensor.Tensor;

/** {@code nn.Dropout(p)}: active in {@link #train()} mode, the identity in {@link #eval()} mode. */
public class Dropout extends Module {
    private final double p;
    private final TorchGenerator generator;    // null: the default generator at the time of the call

    public Dropout(double p) { this(p, null); }

    public Dropout(double p, TorchGenerator g) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability has to be in [0, 1), but got " + p);
        this.p = p;
        this.generator = g;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), generator != null ? generator : Tensor.defaultGenerator());
    }

    @Override protected String extraRepr() { return "p=" + p; }
}
