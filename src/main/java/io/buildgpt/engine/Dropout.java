package io.buildgpt.engine;

import io.buildgpt.random.TorchGenerator;

import java.util.List;

/**
 * {@code nn.Dropout(p)}, inverted: in training each value is zeroed with probability {@code p}
 * and the survivors are scaled by {@code 1/(1-p)}, so evaluation needs no rescaling and simply
 * passes values through. The mask is PyTorch's ({@code F.dropout}: {@code bernoulli_(1 - p)} divided
 * by {@code 1 - p}, see {@link TorchGenerator#dropoutMask}), drawn from this layer's own seeded
 * generator: the same rule as PyTorch, not PyTorch's single stream shared with the batches. With
 * {@code p = 0}, or outside training, nothing is drawn and the input array itself is returned.
 */
public final class Dropout {
    private final double p;      // kept in double: PyTorch draws bernoulli(1 - p) with p a double
    private final TorchGenerator rng;

    /** One pass's output, mask and gradient (the caller's: the layer keeps none). */
    public static final class Buffers {
        private float[] y, mask, dx; // (n) each
        private boolean active;      // whether the forward dropped anything
        private int n;
    }

    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout p = " + p + " is out of range: it must be in [0, 1)");
        this.p = p;
        this.rng = new TorchGenerator(seed);
    }

    /** {@code (n) -> (n)}: the input itself when inactive, else {@code b}'s output buffer. */
    public float[] forward(Buffers b, float[] x, int n, boolean training) {
        b.active = training && p > 0;
        if (!b.active) return x;
        b.n = n;
        if (b.y == null || b.y.length < n) {
            b.y = new float[n];
            b.mask = new float[n];
            b.dx = new float[n];
        }
        float[] y = b.y, mask = b.mask;
        rng.dropoutMask(mask, 0, n, p);               // (n): 0 or 1/(1-p)
        for (int i = 0; i < n; i++) y[i] = x[i] * mask[i]; // (n) * (n)
        return y;
    }

    /** {@code dy (n) -> dx (n)} through the mask of the forward that filled {@code b}. */
    public float[] backward(Buffers b, float[] dy) {
        if (!b.active) return dy;
        float[] dx = b.dx, mask = b.mask;
        for (int i = 0; i < b.n; i++) dx[i] = dy[i] * mask[i]; // (n) * (n)
        return dx;
    }

    /** Adds this layer's generator to {@code out} when it draws masks at all ({@code p > 0}). */
    void randomStreams(List<TorchGenerator> out) {
        if (p > 0) out.add(rng);
    }

    public double p() {
        return p;
    }
}
