package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * {@code nn.Dropout(p)}: in training, zero each element with probability {@code p} and scale the rest
 * by {@code 1 / (1 - p)}; in evaluation, pass {@code x} through. The mask is a placeholder of the
 * training graph, drawn before every step by the model's {@link MaskSource} in the order the
 * dropouts appear in {@code forward} (SameDiff's own dropout ops fail in training in M2.1).
 */
public final class Dropout extends Module implements Layer {
    private final transient double p;

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout p = " + p + " is out of range: it must be in [0, 1)");
        this.p = p;
    }

    @Override
    public SDVariable forward(SDVariable x) {
        Graph g = Graph.of(x);
        if (!g.training || p == 0) return x;
        return x.mul(g.mask(p, F.shape(x))); // x * mask, mask in {0, 1/(1-p)}
    }

    public double p() {
        return p;
    }
}
