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
    private boolean trains = true;
    private final Parallel par;

    /** One pass's output, normalised input, row scales and gradient (the caller's: the layer keeps none). */
    public static final class Buffers {
        private float[] y, xhat, dx;      // (n, dim) each
        private float[] rstd;             // (n): 1 / sqrt(var + eps) per row
        private int n;
    }
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

    /** {@code (n, dim) -> (n, dim)}; returns {@code buf}'s output buffer. */
    public float[] forward(Buffers buf, float[] x, int n) {
        ensureRows(buf, n);
        buf.n = n;
        pool(n).forRange(n, (w, from, to) -> forwardRows(buf, x, from, to));
        return buf.y;
    }

    private void forwardRows(Buffers buf, float[] x, int from, int to) {
        float[] g = weight.data, b = bias.data, y = buf.y, xhat = buf.xhat, rstd = buf.rstd;
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

    /** For the forward that filled {@code buf}: adds the weight and bias gradients for {@code dy (n, dim)}; returns {@code dx (n, dim)}. */
    public float[] backward(Buffers buf, float[] dy) {
        if (trains) accumulateGradients(buf, dy);
        pool(buf.n).forRange(buf.n, (w, from, to) -> backwardRows(buf, dy, from, to)); // each row on its own
        return buf.dx;
    }

    /** Whether weight and bias take gradients (fine-tuning freezes them with the base: no gradient arrays then). */
    public void setTrains(boolean trains) {
        this.trains = trains;
    }

    private void accumulateGradients(Buffers buf, float[] dy) {
        float[] dg = weight.grad(), db = bias.grad(), xhat = buf.xhat;
        for (int i = 0; i < buf.n; i++) {                                         // summed over rows in order, on this thread
            int row = i * dim;
            for (int j = 0; j < dim; j++) {
                dg[j] += dy[row + j] * xhat[row + j];                         // (n,dim) -> (dim)
                db[j] += dy[row + j];                                         // (n,dim) -> (dim)
            }
        }
    }

    private void backwardRows(Buffers buf, float[] dy, int from, int to) {
        float[] g = weight.data, xhat = buf.xhat, dx = buf.dx, rstd = buf.rstd;
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

    private void ensureRows(Buffers b, int rows) {
        if (b.y == null || b.y.length < rows * dim) {
            b.y = new float[rows * dim];
            b.xhat = new float[rows * dim];
            b.dx = new float[rows * dim];
            b.rstd = new float[rows];
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
