package io.buildgpt.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

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
 * <p>Initialisation is PyTorch's default: weight and bias U(-1/sqrt(in), 1/sqrt(in)), drawn from
 * the caller's seeded generator, weight first.
 *
 * <p>The input array passed to {@link #forward} is kept by reference for the backward pass: the
 * caller must not change it in between (the layers here never do).
 *
 * <p>Fine-tuning: the weight can be frozen (no gradient), replaced by a {@link QuantizedWeight}
 * (then {@link #weight()} is null), and given a {@link LoraAdapter}. With either of the last two the
 * layer builds an effective weight {@code deq(W) + s * B @ A} into a scratch {@code (out, in)} at each
 * forward pass, and the three products above run on it unchanged; backward computes that effective
 * weight's gradient and hands it to the adapter. The scratch costs as much as the float weight: the
 * saving of a quantized base is in what is stored (and saved), not in this layer's working set.
 * Adapter dropout ({@code p > 0}, training mode only) cannot be folded into a shared weight: then the
 * products run on the base weight alone and the adapter adds and differentiates its masked branch itself.
 */
public final class Linear {
    static final int FEW_ROWS = 8;
    private final int in, out;
    private Parameter weight;       // (out, in), null once quantized
    private final Parameter bias;   // (out) or null
    private final Matmul mm;
    private float[] y, dx;          // (n, out), (n, in), grown on demand
    private float[] x;              // the last input (n, in), by reference
    private int n;
    private final String name;
    private QuantizedWeight quantized;  // the frozen base in 4 or 8 bits, or null
    private LoraAdapter adapter;        // or null
    private boolean frozen;             // the base weight gets no gradient
    private float[] wEff, dwEff;        // (out, in): effective weight and its gradient, when quantized or adapted
    private float[] wUsed;              // the weight the last forward used (out, in)
    private boolean branch;             // the last forward ran the adapter's dropout branch explicitly

    public Linear(String name, int in, int out, boolean withBias, Random init) {
        this(name, in, out, withBias, init, Parallel.SERIAL);
    }

    Linear(String name, int in, int out, boolean withBias, Random init, Parallel par) {
        this.mm = new Matmul(par);
        if (in < 1 || out < 1) throw new IllegalArgumentException(name + ": in = " + in + " and out = " + out + " must both be at least 1");
        this.in = in;
        this.out = out;
        this.name = name;
        double bound = 1 / Math.sqrt(in);
        this.weight = new Parameter(name + ".weight", out, in).uniform(init, bound);
        this.bias = withBias ? new Parameter(name + ".bias", out).uniform(init, bound) : null;
    }

    /** {@code (n, in) -> (n, out)}, eval mode for the adapter (no adapter dropout); returns this layer's output buffer (valid until the next forward). */
    public float[] forward(float[] x, int n) {
        return forward(x, n, false);
    }

    /**
     * {@code (n, in) -> (n, out)}; in training with an adapter whose dropout is above 0, the base weight
     * alone runs the product and the adapter adds its masked branch (see {@link LoraAdapter}).
     * Returns this layer's output buffer (valid until the next forward).
     */
    public float[] forward(float[] x, int n, boolean training) {
        ensureRows(n);
        this.x = x;
        this.n = n;
        branch = adapter != null && adapter.dropsOut(training);
        float[] w = wUsed = branch ? baseWeight() : effectiveWeight();        // (out,in)
        if (n < FEW_ROWS) {
            Matmul.multiplyTransposed(x, w, y, 0, out, n, in, out);           // (n,in) @ (out,in)^T -> (n,out)
        } else {
            mm.multiplyByTransposeOf(x, w, y, n, in, out);                     // (n,in) @ (out,in)^T -> (n,out)
        }
        if (bias != null) addBias(y, bias.data, n, out);                       // (n,out) + (out) -> (n,out)
        if (branch) adapter.forwardBranch(x, n, y, 0, out);                    // + s * (drop(x) @ A^T) @ B^T (n,out)
        return y;
    }

    /** Adds this layer's weight and bias gradients for {@code dy (n, out)}; returns {@code dx (n, in)}. */
    public float[] backward(float[] dy) {
        if (!isFrozen()) {
            mm.accumulateTransposedA(dy, x, weight.grad, n, out, in);          // (n,out)^T @ (n,in) -> (out,in)
        } else if (adapter != null && !branch) {                               // only the adapter learns
            Arrays.fill(dwEff, 0f);
            mm.accumulateTransposedA(dy, x, dwEff, n, out, in);                // (n,out)^T @ (n,in) -> dW_eff (out,in)
            adapter.backward(dwEff, 0);                                        // dW_eff -> dA (r,in), dB (out,r)
        }
        if (bias != null) sumRows(dy, bias.grad, n, out);                      // (n,out) -> (out)
        mm.multiply(dy, wUsed, dx, n, out, in);                                // (n,out) @ (out,in) -> (n,in)
        if (branch) adapter.backwardBranch(dy, 0, out, dx);                    // dA, dB; dx += (dh @ A) * mask
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

    /** The float weight {@code (out, in)}, or null once the layer is quantized. */
    public Parameter weight() {
        return weight;
    }

    /** The weight the forward pass uses: the float weight itself, or {@code deq(W) + s * B @ A} in a scratch (out, in). */
    float[] effectiveWeight() {
        if (quantized == null && adapter == null) return weight.data;
        if (wEff == null) {
            wEff = new float[out * in];
            dwEff = new float[out * in];
        }
        writeBaseWeight(wEff, 0);                                              // deq(W) (out,in)
        if (adapter != null) adapter.addTo(wEff, 0);                           // + s * B (out,r) @ A (r,in)
        return wEff;
    }

    /** The base weight alone {@code (out, in)}: the float weight itself, or {@code deq(W)} in the scratch. */
    private float[] baseWeight() {
        if (quantized == null) return weight.data;
        if (wEff == null) {
            wEff = new float[out * in];
            dwEff = new float[out * in];
        }
        writeBaseWeight(wEff, 0);                                              // deq(W) (out,in)
        return wEff;
    }

    /** Copies (or dequantizes) the base weight {@code (out, in)} into {@code dst[off..]}. */
    void writeBaseWeight(float[] dst, int off) {
        if (quantized != null) quantized.dequantizeInto(dst, off);
        else System.arraycopy(weight.data, 0, dst, off, out * in);
    }

    /** Adds {@code dW = src[off..] (out, in)} to the weight's gradient, unless the base is frozen. */
    void accumulateWeightGradient(float[] src, int off) {
        if (isFrozen()) return;
        float[] g = weight.grad;
        for (int i = 0; i < g.length; i++) g[i] += src[off + i];
    }

    /** Adds {@code delta = src[off..] (out, in)} into the float weight, e.g. a merged adapter's {@code s * B @ A}. */
    void addToWeight(float[] src, int off) {
        if (quantized != null) throw new IllegalStateException(name + " is quantized: dequantize the base before merging into it");
        float[] w = weight.data;
        for (int i = 0; i < w.length; i++) w[i] += src[off + i];
    }

    boolean isFrozen() {
        return frozen || quantized != null;
    }

    void setFrozen(boolean frozen) {
        this.frozen = frozen;
    }

    LoraAdapter attachAdapter(LoraConfig config, Random init) {
        if (adapter != null) throw new IllegalStateException(name + " already has a LoRA adapter");
        adapter = new LoraAdapter(name, in, out, config, init);
        frozen = true;
        return adapter;
    }

    /** {@code W <- W + s * B @ A}, adapter removed. */
    void mergeAdapter() {
        if (adapter == null) return;
        if (quantized != null) throw new IllegalStateException(name + " is quantized: dequantize the base before merging into it");
        adapter.addTo(weight.data, 0);
        adapter = null;
    }

    /** The adapter, or null. */
    public LoraAdapter adapter() {
        return adapter;
    }

    /** Replaces the float weight by its {@code bits}-bit blocks; the weight leaves {@link #parameters()}. */
    void quantize(int bits, int blockSize) {
        if (quantized != null) throw new IllegalStateException(name + " is already quantized (" + quantized + ")");
        quantized = QuantizedWeight.quantize(weight.data, weight.shape(), bits, blockSize);
        weight = null;
    }

    /** Back to a float weight holding the dequantized values (the quantization error stays). */
    void dequantize() {
        if (quantized == null) return;
        weight = new Parameter(name + ".weight", out, in);
        quantized.dequantizeInto(weight.data, 0);
        quantized = null;
    }

    /** The quantized base, or null. */
    public QuantizedWeight quantized() {
        return quantized;
    }

    /** Bytes of the stored base weight and bias: float32, or the quantized blocks. */
    long baseBytes() {
        return (quantized != null ? quantized.bytes() : 4L * weight.size()) + (bias == null ? 0 : 4L * bias.size());
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
