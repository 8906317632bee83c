package io.buildgpt.engine;

import io.buildgpt.engine.kernels.Matmul;

import java.util.List;

/**
 * A float32 weight {@code (out, in)}, row-major as PyTorch's {@code nn.Linear.weight}, so a state_dict maps
 * onto it without transposing: BLAS reads it transposed where a product needs {@code W^T}.
 * <pre>
 *   forward  y  = x  @ W^T   (n,in) @ (in,out) -> (n,out)     Matmul.multiplyByTransposeOf
 *   backward dW += dy^T @ x  (out,n) @ (n,in) -> (out,in)     Matmul.accumulateTransposedA
 *   backward dx = dy @ W     (n,out) @ (out,in) -> (n,in)     Matmul.multiply
 * </pre>
 * Below {@link Matmul#DOT_ROWS} rows (a generation step) the forward product is Java dot products on
 * {@code W} as stored: BLAS would first copy the whole matrix into its buffers.
 *
 * <p>{@code trains} false makes it a frozen base: no gradient is computed and none allocated.
 */
public final class DenseWeight implements Weight {
    private final Parameter w;
    private final boolean trains;

    public DenseWeight(Parameter w) {
        this(w, true);
    }

    public DenseWeight(Parameter w, boolean trains) {
        if (w.shape().length != 2) throw new IllegalArgumentException(w + ": a weight is a matrix (out, in)");
        this.w = w;
        this.trains = trains;
    }

    @Override
    public int outFeatures() {
        return w.shape()[0];
    }

    @Override
    public int inFeatures() {
        return w.shape()[1];
    }

    @Override
    public void forward(float[] x, int n, float[] y, Matmul mm, boolean training, Buffers unused) {
        int out = outFeatures(), in = inFeatures();
        if (n < Matmul.DOT_ROWS) mm.fewRows(x, w.data, y, n, in, out);                         // (n,in) @ (out,in)^T -> (n,out)
        else mm.multiplyByTransposeOf(x, w.data, y, n, in, out);                                // (n,in) @ (out,in)^T -> (n,out)
    }

    @Override
    public void backward(float[] dy, float[] x, int n, float[] dx, Matmul mm, Buffers unused) {
        int out = outFeatures(), in = inFeatures();
        if (trains) mm.accumulateTransposedA(dy, x, w.grad(), n, out, in);  // (n,out)^T @ (n,in) -> (out,in)
        mm.multiply(dy, w.data, dx, n, out, in);                            // (n,out) @ (out,in) -> (n,in)
    }

    @Override
    public void writeTo(float[] dst, int off) {
        System.arraycopy(w.data, 0, dst, off, w.size());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(w);
    }

    @Override
    public List<Parameter> trainable() {
        return trains ? List.of(w) : List.of();
    }

    /** The parameter itself. */
    public Parameter parameter() {
        return w;
    }

    public boolean trains() {
        return trains;
    }
}
