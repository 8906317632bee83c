package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Parallel;

import java.util.List;

/**
 * {@code nn.LayerNorm(dim)}: each row is shifted to mean 0 and scaled to variance 1 (biased
 * variance, eps 1e-5 inside the square root), then scaled by {@code weight} and shifted by
 * {@code bias}. PyTorch's initialisation: weight 1, bias 0.
 *
 * <p>Backward, per row, with {@code xhat = (x - mean) * rstd}:
 * {@code dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))} where {@code dxhat = dy * weight}.
 * Row statistics are summed in double: 64 values in float lose digits the gradient check notices.
 */
public final class LayerNorm {
    static final double EPS = 1e-5;
    private final int dim;
    private final Parameter weight, bias; // (dim), (dim)
    private float[] y, xhat, dx;          // (n, dim) each
    private boolean trains = true;
    private float[] rstd;                 // (n): 1 / sqrt(var + eps) per row
    private int n;
    private final Parallel par;
    /** Below this many values ({@code n * dim}) the rows stay on the caller's thread: a hand-off costs more. */
    static final int PARALLEL_VALUES = 1 << 16;

    public LayerNorm(String name, int dim) {
        this(name, dim, Parallel.SERIAL);
    }

    /** Rows split over {@code par}'s threads when there are many (each row is computed the same way on any thread). */
    LayerNorm(String name, int dim, Parallel par) {
        this.par = par;
        if (dim < 1) throw new IllegalArgumentException(name + ": dim = " + dim + " must be at least 1");
        this.dim = dim;
        this.weight = new Parameter(name + ".weight", dim).fill(1f);
        this.bias = new Parameter(name + ".bias", dim).fill(0f);
    }

    /** {@code (n, dim) -> (n, dim)}; returns this layer's output buffer. */
    public float[] forward(float[] x, int n) {
        ensureRows(n);
        this.n = n;
        pool(n).forRange(n, (w, from, to) -> forwardRows(x, from, to));
        return y;
    }

    private void forwardRows(float[] x, int from, int to) {
        float[] g = weight.data, b = bias.data;
        for (int i = from; i < to; i++) {
            int row = i * dim;
            double mean = sum(x, row, dim) / dim;                            // (n,dim) -> (n)
            double var = squaredDeviations(x, row, dim, mean);               // (n)
            float r = (float) (1 / Math.sqrt(var / dim + EPS));               // (n)
            rstd[i] = r;
            float m = (float) mean;
            for (int j = 0; j < dim; j++) {
                float h = (x[row + j] - m) * r;                               // (n,dim)
                xhat[row + j] = h;
                y[row + j] = h * g[j] + b[j];                                 // (n,dim) * (dim) + (dim)
            }
        }
    }

    /** Adds the weight and bias gradients for {@code dy (n, dim)}; returns {@code dx (n, dim)}. */
    public float[] backward(float[] dy) {
        if (trains) accumulateGradients(dy);
        pool(n).forRange(n, (w, from, to) -> backwardRows(dy, from, to));    // each row on its own
        return dx;
    }

    /** Whether weight and bias take gradients (fine-tuning freezes them with the base: no gradient arrays then). */
    public void setTrains(boolean trains) {
        this.trains = trains;
    }

    private void accumulateGradients(float[] dy) {
        float[] dg = weight.grad(), db = bias.grad();
        for (int i = 0; i < n; i++) {                                         // summed over rows in order, on this thread
            int row = i * dim;
            for (int j = 0; j < dim; j++) {
                dg[j] += dy[row + j] * xhat[row + j];                         // (n,dim) -> (dim)
                db[j] += dy[row + j];                                         // (n,dim) -> (dim)
            }
        }
    }

    private void backwardRows(float[] dy, int from, int to) {
        float[] g = weight.data;
        for (int i = from; i < to; i++) {
            int row = i * dim;
            // two sums over the row, each in four partial sums (as in sum): one running double sum is a chain
            // of dim dependent additions, which made this loop half of the layer's backward time
            double d0 = 0, d1 = 0, d2 = 0, d3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
            int j = 0;
            for (; j + 3 < dim; j += 4) {
                float a0 = dy[row + j] * g[j], a1 = dy[row + j + 1] * g[j + 1];   // dxhat (n,dim)
                float a2 = dy[row + j + 2] * g[j + 2], a3 = dy[row + j + 3] * g[j + 3];
                d0 += a0;
                d1 += a1;
                d2 += a2;
                d3 += a3;
                e0 += a0 * xhat[row + j];
                e1 += a1 * xhat[row + j + 1];
                e2 += a2 * xhat[row + j + 2];
                e3 += a3 * xhat[row + j + 3];
            }
            for (; j < dim; j++) {
                float a = dy[row + j] * g[j];
                d0 += a;
                e0 += a * xhat[row + j];
            }
            double sumD = (d0 + d1) + (d2 + d3), sumDX = (e0 + e1) + (e2 + e3);
            float meanD = (float) (sumD / dim), meanDX = (float) (sumDX / dim);
            float r = rstd[i];
            for (j = 0; j < dim; j++) {
                dx[row + j] = r * (dy[row + j] * g[j] - meanD - xhat[row + j] * meanDX); // (n,dim)
            }
        }
    }

    private Parallel pool(int rows) {
        return (long) rows * dim < PARALLEL_VALUES ? Parallel.SERIAL : par;
    }

    /**
     * {@code sum_j x[row+j]}, in double, with four partial sums: one running sum waits for each addition
     * to finish (a chain of {@code dim} dependent adds), four let the CPU overlap them (figures in
     * BENCHMARKS.md). In double the order changes the sum only far below a
     * float's precision.
     */
    private static double sum(float[] x, int row, int dim) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < dim; j += 4) {
            s0 += x[row + j];
            s1 += x[row + j + 1];
            s2 += x[row + j + 2];
            s3 += x[row + j + 3];
        }
        for (; j < dim; j++) s0 += x[row + j];
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code sum_j (x[row+j] - mean)^2}, four partial sums as in {@link #sum}. */
    private static double squaredDeviations(float[] x, int row, int dim, double mean) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < dim; j += 4) {
            double d0 = x[row + j] - mean, d1 = x[row + j + 1] - mean, d2 = x[row + j + 2] - mean, d3 = x[row + j + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; j < dim; j++) s0 += (x[row + j] - mean) * (x[row + j] - mean);
        return (s0 + s1) + (s2 + s3);
    }

    private void ensureRows(int rows) {
        if (y == null || y.length < rows * dim) {
            y = new float[rows * dim];
            xhat = new float[rows * dim];
            dx = new float[rows * dim];
            rstd = new float[rows];
        }
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
