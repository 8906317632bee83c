package io.buildgpt.model;

import java.util.List;
import java.util.Random;

/**
 * {@code nn.Linear(in, out, bias)}: {@code y = x @ W^T + b} over {@code n} rows.
 *
 * <p>The weight is stored {@code (out, in)} row-major, exactly as PyTorch's {@code weight}, so a
 * state_dict maps onto it without transposing. For the forward product the layer's {@link Matmul}
 * transposes it into scratch rows {@code (in, out)} on every call (it costs {@code in*out}, against
 * {@code n*in*out} for the product): with that all three products are contiguous-inner-loop kernels:
 * <pre>
 *   forward  y  = x  @ W^T   x (n,in)  @ W^T (in,out)  [transposed copy]  Matmul.multiplyByTransposeOf
 *   backward dx = dy @ W     dy (n,out) @ W (out,in)                        Matmul.multiply
 *   backward dW += dy^T @ x  dy^T (out,n) @ x (n,in)                        Matmul.accumulateTransposedA
 * </pre>
 * Below {@link #FEW_ROWS} rows (generation), the forward pass uses dot products on {@code W}
 * directly, bit-identical to the other path.
 *
 * <p>Initialisation is PyTorch's default: weight and bias U(-1/sqrt(in), 1/sqrt(in)), drawn from
 * the caller's seeded generator, weight first.
 *
 * <p>The input array passed to {@link #forward} is kept by reference for the backward pass: the
 * caller must not change it in between (the layers here never do).
 */
public final class Linear {
    static final int FEW_ROWS = 8;
    private final int in, out;
    private final Parameter weight; // (out, in)
    private final Parameter bias;   // (out) or null
    private final Matmul mm;
    private float[] y, dx;          // (n, out), (n, in), grown on demand
    private float[] x;              // the last input (n, in), by reference
    private int n;

    public Linear(String name, int in, int out, boolean withBias, Random init) {
        this(name, in, out, withBias, init, Parallel.SERIAL);
    }

    Linear(String name, int in, int out, boolean withBias, Random init, Parallel par) {
        this.mm = new Matmul(par);
        if (in < 1 || out < 1) throw new IllegalArgumentException(name + ": in = " + in + " and out = " + out + " must both be at least 1");
        this.in = in;
        this.out = out;
        double bound = 1 / Math.sqrt(in);
        this.weight = new Parameter(name + ".weight", out, in).uniform(init, bound);
        this.bias = withBias ? new Parameter(name + ".bias", out).uniform(init, bound) : null;
    }

    /** {@code (n, in) -> (n, out)}; returns this layer's output buffer (valid until the next forward). */
    public float[] forward(float[] x, int n) {
        ensureRows(n);
        this.x = x;
        this.n = n;
        if (n < FEW_ROWS) {
            Matmul.multiplyTransposed(x, weight.data, y, 0, out, n, in, out); // (n,in) @ (out,in)^T -> (n,out)
        } else {
            mm.multiplyByTransposeOf(x, weight.data, y, n, in, out);           // (n,in) @ (out,in)^T -> (n,out)
        }
        if (bias != null) addBias(y, bias.data, n, out);                       // (n,out) + (out) -> (n,out)
        return y;
    }

    /** Adds this layer's weight and bias gradients for {@code dy (n, out)}; returns {@code dx (n, in)}. */
    public float[] backward(float[] dy) {
        mm.accumulateTransposedA(dy, x, weight.grad, n, out, in);              // (n,out)^T @ (n,in) -> (out,in)
        if (bias != null) sumRows(dy, bias.grad, n, out);                      // (n,out) -> (out)
        mm.multiply(dy, weight.data, dx, n, out, in);                          // (n,out) @ (out,in) -> (n,in)
        return dx;
    }

    static void addBias(float[] y, float[] b, int n, int m) {
        for (int i = 0; i < n; i++) {
            int row = i * m;
            for (int j = 0; j < m; j++) y[row + j] += b[j];
        }
    }

    static void sumRows(float[] dy, float[] db, int n, int m) {
        for (int i = 0; i < n; i++) {
            int row = i * m;
            for (int j = 0; j < m; j++) db[j] += dy[row + j];
        }
    }

    private void ensureRows(int rows) {
        if (y == null || y.length < rows * out) {
            y = new float[rows * out];
            dx = new float[rows * in];
        }
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for {@code bias=False}. */
    public Parameter bias() {
        return bias;
    }

    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
