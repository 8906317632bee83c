package io.buildgpt.nn;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import io.buildgpt.tensor.Tensor;

/** {@code nn.Embedding(num, dim)}: a (num, dim) table from N(0, 1); {@code forward(ids)} picks rows. */
public class Embedding extends Module {
    public final Tensor weight;

    public Embedding(int num, int dim) { this(num, dim, Tensor.defaultGenerator()); }

    public Embedding(int num, int dim, TorchGenerator g) {
        this.weight = Tensor.tensor(TorchInit.embedding(g, num, dim), num, dim).requiresGrad_(true);
    }

    /** int64 ids of any shape -> ids.shape + (dim). */
    @Override
    public Tensor forward(Tensor ids) { return weight.index(ids); }

    @Override protected String extraRepr() { return weight.size(0) + ", " + weight.size(1); }
}
