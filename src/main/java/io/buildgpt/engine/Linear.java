package io.buildgpt.engine;

import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.engine.kernels.Parallel;
import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code nn.Linear(in, out, bias)}: {@code y = x @ W^T + b} over {@code n} rows. The products are the
 * {@link Weight}'s: a trainable {@link DenseWeight} unless fine-tuning put another in its place
 * ({@link #setWeight}); the layer itself adds the bias and keeps the buffers.
 *
 * <p>The constructor draws nothing: weight and bias start at zero and an initialiser fills them
 * ({@link LectureInit}: kaiming-uniform weight, then bias U(-1/sqrt(in), 1/sqrt(in)), as {@code nn.Linear}).
 *
 * <p>The layer keeps no activations: a pass writes into the caller's {@link Buffers} (the model's
 * {@link Activations}), and the backward pass reads the same ones. The input array passed to {@link #forward}
 * is kept there by reference: the caller must not change it before the backward pass (the layers here never do).
 */
public final class Linear {
    private final String name;
    private final int in, out;
    private Weight weight;                 // (out, in)
    private final Parameter bias;          // (out) or null
    private final Matmul mm;
    private boolean trainsBias = true;

    /** One pass's output and input gradient, its input by reference, and what the weight keeps (the caller's). */
    public static final class Buffers {
        private float[] y, dx;             // (n, out), (n, in), grown on demand
        private float[] x;                 // the pass's input (n, in), by reference
        private int n;
        private Weight owner;              // the weight whose buffers wb are: fine-tuning may swap the weight
        private Weight.Buffers wb;
    }

    public Linear(String name, int in, int out, boolean withBias) {
        this(name, in, out, withBias, Parallel.SERIAL);
    }

    Linear(String name, int in, int out, boolean withBias, Parallel par) {
        if (in < 1 || out < 1) throw new IllegalArgumentException(name + ": in = " + in + " and out = " + out + " must both be at least 1");
        this.name = name;
        this.in = in;
        this.out = out;
        this.mm = new Matmul(par);
        this.weight = new DenseWeight(new Parameter(name + ".weight", out, in)); // zeros until an initialiser fills it
        this.bias = withBias ? new Parameter(name + ".bias", out) : null;
    }

    /** Keeps this layer's weight in a direct buffer of its own while on (generation): see {@link Matmul#pinWeights}. */
    void pinWeights(boolean on) {
        mm.pinWeights(on);
    }

    /** {@code (n, in) -> (n, out)} in evaluation mode. Returns {@code b}'s output buffer. */
    public float[] forward(Buffers b, float[] x, int n) {
        return forward(b, x, n, false);
    }

    /** {@code (n, in) -> (n, out)}; {@code training} matters only to a weight with dropout of its own (LoRA). */
    public float[] forward(Buffers b, float[] x, int n, boolean training) {
        ensureRows(b, n);
        if (b.owner != weight) {                                              // first pass, or a new weight (fine-tuning)
            b.owner = weight;
            b.wb = weight.newBuffers();
        }
        b.x = x;
        b.n = n;
        weight.forward(x, n, b.y, mm, training, b.wb);                        // (n,in) @ (out,in)^T -> (n,out)
        if (bias != null) addBias(b.y, bias.data, n, out);                    // (n,out) + (out) -> (n,out)
        return b.y;
    }

    /** For the forward that filled {@code b}: adds the weight's and bias's gradients for {@code dy (n, out)}; returns {@code dx (n, in)}. */
    public float[] backward(Buffers b, float[] dy) {
        if (b.owner != weight) throw new IllegalStateException(name + ": its weight was replaced after the forward pass; run the forward again");
        weight.backward(dy, b.x, b.n, b.dx, mm, b.wb);                        // dW (out,in); dx = dy @ W (n,in)
        if (bias != null && trainsBias) sumRows(dy, bias.grad(), b.n, out);   // (n,out) -> (out)
        return b.dx;
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

    private void ensureRows(Buffers b, int rows) {
        if (b.y == null || b.y.length < rows * out) {
            b.y = new float[rows * out];
            b.dx = new float[rows * in];
        }
    }

    /** Whether a backward pass adds into any gradient here (the weight's own, or the bias's). */
    boolean takesGradients() {
        return !weight.trainable().isEmpty() || (bias != null && trainsBias);
    }

    /** The generators the weight draws from in training ({@link Weight#randomStreams}). */
    void randomStreams(List<TorchGenerator> out) {
        weight.randomStreams(out);
    }

    public Weight weight() {
        return weight;
    }

    /** Puts another weight of the same shape in place of this one (fine-tuning: frozen, quantized, with LoRA). */
    public void setWeight(Weight w) {
        if (w.outFeatures() != out || w.inFeatures() != in) {
            throw new IllegalArgumentException(name + " is (" + out + ", " + in + "); the new weight is (" + w.outFeatures() + ", "
                    + w.inFeatures() + ")");
        }
        this.weight = w;
    }

    /** Whether the bias takes gradients (fine-tuning freezes it with the base). */
    public void setTrainsBias(boolean trains) {
        this.trainsBias = trains;
    }

    public String name() {
        return name;
    }

    /** The bias, or null for {@code bias=False}. */
    public Parameter bias() {
        return bias;
    }

    /** The weight's float tensors, then the bias. */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(weight.parameters());
        if (bias != null) all.add(bias);
        return all;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
