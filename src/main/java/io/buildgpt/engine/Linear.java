package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Parallel;
import io.buildgpt.engine.kernels.Matmul;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code nn.Linear(in, out, bias)}: {@code y = x @ W^T + b} over {@code n} rows.
 *
 * <p>The weight is stored {@code (out, in)} row-major, exactly as PyTorch's {@code weight}, so a
 * state_dict maps onto it without transposing: BLAS reads it transposed where a product needs
 * {@code W^T}. The three products, each one {@link Matmul} call (OpenBLAS {@code sgemm}):
 * <pre>
 *   forward  y  = x  @ W^T   x (n,in)  @ W^T (in,out)                     Matmul.multiplyByTransposeOf
 *   backward dx = dy @ W     dy (n,out) @ W (out,in)                        Matmul.multiply
 *   backward dW += dy^T @ x  dy^T (out,n) @ x (n,in)                        Matmul.accumulateTransposedA
 * </pre>
 * Below {@link #FEW_ROWS} rows (generation), the forward pass uses Java dot products on {@code W}
 * as stored (no copy into BLAS's buffers); they agree with the BLAS path to float rounding.
 *
 * <p>The constructor draws nothing: weight and bias start at zero and an initialiser fills them
 * ({@link LectureInit} with PyTorch's rules and order of draws: kaiming-uniform weight, then bias
 * U(-1/sqrt(in), 1/sqrt(in)), as {@code nn.Linear} does).
 *
 * <p>The input array passed to {@link #forward} is kept by reference for the backward pass: the
 * caller must not change it in between (the layers here never do).
 *
 * <p>Fine-tuning does not live here: a {@link LinearHook} (see {@link AdaptedWeight}: a frozen or
 * quantized base, a LoRA adapter) can stand in for the weight; the layer then asks it for the weight
 * each product uses and hands it the gradients. Without a hook the layer is the plain lecture layer.
 */
public final class Linear {
    static final int FEW_ROWS = 8;
    private final int in, out;
    private Parameter weight;       // (out, in), null while a quantized base stands in for it
    private final Parameter bias;   // (out) or null
    private final Matmul mm;
    private float[] y, dx;          // (n, out), (n, in), grown on demand
    private float[] x;              // the last input (n, in), by reference
    private int n;
    private final String name;
    private LinearHook hook;        // fine-tuning (frozen or quantized base, LoRA adapter), or null

    public Linear(String name, int in, int out, boolean withBias) {
        this(name, in, out, withBias, Parallel.SERIAL);
    }

    Linear(String name, int in, int out, boolean withBias, Parallel par) {
        this.mm = new Matmul(par);
        if (in < 1 || out < 1) throw new IllegalArgumentException(name + ": in = " + in + " and out = " + out + " must both be at least 1");
        this.in = in;
        this.out = out;
        this.name = name;
        this.weight = new Parameter(name + ".weight", out, in);             // zeros until an initialiser fills it
        this.bias = withBias ? new Parameter(name + ".bias", out) : null;
    }

    /** {@code (n, in) -> (n, out)}, eval mode for the adapter (no adapter dropout); returns this layer's output buffer (valid until the next forward). */
    public float[] forward(float[] x, int n) {
        return forward(x, n, false);
    }

    /** {@code (n, in) -> (n, out)}; {@code training} matters only to a hook (LoRA dropout). Returns this layer's output buffer (valid until the next forward). */
    public float[] forward(float[] x, int n, boolean training) {
        ensureRows(n);
        this.x = x;
        this.n = n;
        float[] w = hook == null ? weight.data : hook.weight(training);       // (out,in)
        if (n < FEW_ROWS) {
            Matmul.multiplyTransposed(x, w, y, 0, out, n, in, out);           // (n,in) @ (out,in)^T -> (n,out)
        } else {
            mm.multiplyByTransposeOf(x, w, y, n, in, out);                     // (n,in) @ (out,in)^T -> (n,out)
        }
        if (bias != null) addBias(y, bias.data, n, out);                       // (n,out) + (out) -> (n,out)
        if (hook != null) hook.afterForward(x, n, y, 0, out);                  // LoRA dropout branch, if any (n,out)
        return y;
    }

    /** Adds this layer's weight and bias gradients for {@code dy (n, out)}; returns {@code dx (n, in)}. */
    public float[] backward(float[] dy) {
        if (hook == null) mm.accumulateTransposedA(dy, x, weight.grad(), n, out, in); // (n,out)^T @ (n,in) -> (out,in)
        else hook.backward(dy, x, n, mm);                                      // the adapter's gradients; the base is frozen
        if (bias != null) sumRows(dy, bias.grad(), n, out);                      // (n,out) -> (out)
        float[] w = hook == null ? weight.data : hook.backwardWeight();        // (out,in), as in the forward pass
        mm.multiply(dy, w, dx, n, out, in);                                    // (n,out) @ (out,in) -> (n,in)
        if (hook != null) hook.addInputGradient(dy, 0, out, dx);               // LoRA dropout branch, if any (n,in)
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

    /** The float weight {@code (out, in)}, or null while a quantized base stands in for it. */
    public Parameter weight() {
        return weight;
    }

    /** Copies (or, through the hook, dequantizes) the base weight {@code (out, in)} into {@code dst[off..]}. */
    void writeBaseWeight(float[] dst, int off) {
        if (hook != null) hook.writeBase(dst, off);
        else System.arraycopy(weight.data, 0, dst, off, out * in);
    }

    /** Adds {@code dW = src[off..] (out, in)} to the weight's gradient, unless a hook (frozen base) stands in. */
    void accumulateWeightGradient(float[] src, int off) {
        if (hook != null) return;
        float[] g = weight.grad();
        for (int i = 0; i < g.length; i++) g[i] += src[off + i];
    }

    /** The fine-tuning hook, or null. */
    LinearHook hook() {
        return hook;
    }

    void setHook(LinearHook hook) {
        this.hook = hook;
    }

    /** Replaces the float weight (null while a quantized base stands in); {@link #parameters()} follows. */
    void setWeight(Parameter weight) {
        this.weight = weight;
    }

    String name() {
        return name;
    }

    /** The bias, or null for {@code bias=False}. */
    public Parameter bias() {
        return bias;
    }

    /** The float weight (absent once quantized) and the bias; not the adapter's. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(2);
        if (weight != null) out.add(weight);
        if (bias != null) out.add(bias);
        return out;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
