package io.buildgpt.model;

import java.util.Random;

/**
 * {@code nn.Dropout(p)}, inverted: in training each value is zeroed with probability {@code p}
 * and the survivors are scaled by {@code 1/(1-p)}, so evaluation needs no rescaling and simply
 * passes values through. The mask comes from this layer's own seeded generator. With {@code p = 0},
 * or outside training, nothing is drawn and the input array itself is returned.
 */
public final class Dropout {
    private final float p;
    private final Random rng;
    private float[] y, mask, dx; // (n) each
    private boolean active;      // whether the last forward dropped anything
    private int n;

    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout p = " + p + " is out of range: it must be in [0, 1)");
        this.p = (float) p;
        this.rng = new Random(seed);
    }

    /** {@code (n) -> (n)}: the input itself when inactive, else this layer's buffer. */
    public float[] forward(float[] x, int n, boolean training) {
        active = training && p > 0;
        if (!active) return x;
        this.n = n;
        if (y == null || y.length < n) {
            y = new float[n];
            mask = new float[n];
            dx = new float[n];
        }
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextFloat() < p ? 0f : keep; // (n)
            y[i] = x[i] * mask[i];                      // (n) * (n)
        }
        return y;
    }

    /** {@code dy (n) -> dx (n)} through the last forward's mask. */
    public float[] backward(float[] dy) {
        if (!active) return dy;
        for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i]; // (n) * (n)
        return dx;
    }

    public double p() {
        return p;
    }
}
