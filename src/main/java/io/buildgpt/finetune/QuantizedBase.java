package io.buildgpt.finetune;

import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.Weight;
import io.buildgpt.engine.kernels.Blas;
import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.engine.kernels.Parallel;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * A frozen Linear weight {@code W (out, in)} stored quantized ({@link QuantizedWeight}: int4, int8, NF4),
 * with no float32 copy: each product dequantizes {@link #ROWS} rows of {@code W} at a time into a small
 * buffer and multiplies by that block, so the float32 values of a weight never exist all at once.
 * <pre>
 *   forward   y[:, j..j+R) = x @ deq(W[j..j+R))^T      (n,in) @ (in,R) -> (n,R), block after block
 *   backward  dx = sum_j dy[:, j..j+R) @ deq(W[j..j+R))  (n,R) @ (R,in) -> (n,in), in the same block order
 * </pre>
 * Threads split the rows {@code n} (each dequantizes every block for its own rows), so each output row
 * is the same sum in the same order for any thread count.
 */
public final class QuantizedBase implements Weight {
    /** Rows of W dequantized per product: a block of 64 rows of GPT-2's 768 inputs is 192 KB, in the CPU's L2 cache. */
    static final int ROWS = 64;
    /** Rows of x per unit of work handed to a thread; fixed, so the split does not change any sum. */
    static final int X_ROWS = 256;

    private final QuantizedWeight q;
    private final int out, in;
    private final ThreadLocal<float[]> block;

    public QuantizedBase(QuantizedWeight q) {
        int[] s = q.shape();
        if (s.length != 2) throw new IllegalArgumentException("a Linear's weight is a matrix (out, in); got shape " + java.util.Arrays.toString(s));
        this.q = q;
        this.out = s[0];
        this.in = s[1];
        this.block = ThreadLocal.withInitial(() -> new float[ROWS * in]);
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public void forward(float[] x, int n, float[] y, Matmul mm, boolean training) {
        if (n < Matmul.DOT_ROWS) {                                          // a generation step: dot products, nothing copied
            float[] w = block.get();
            for (int j0 = 0; j0 < out; j0 += ROWS) {
                int rows = Math.min(ROWS, out - j0);
                q.dequantizeRange(j0 * in, rows * in, w, 0);                 // W[j0..j0+rows) (rows,in)
                Matmul.multiplyTransposed(x, w, y, j0, out, n, in, rows);    // (n,in) @ (in,rows) -> columns j0.. of y
            }
            return;
        }
        mm.parallel().forRange((n + X_ROWS - 1) / X_ROWS, (worker, from, to) -> {
            for (int chunk = from; chunk < to; chunk++) {
                int r0 = chunk * X_ROWS, rows = Math.min(X_ROWS, n - r0);
                forwardRows(x, r0, rows, y);
            }
        });
    }

    private void forwardRows(float[] x, int r0, int rows, float[] y) {
        Blas.Scratch s = Blas.scratch();
        FloatBuffer xb = s.a(x, r0 * in, rows * in);                           // (rows,in), copied once for every block
        FloatBuffer yb = s.c(rows * out);
        float[] w = block.get();
        for (int j0 = 0; j0 < out; j0 += ROWS) {
            int m = Math.min(ROWS, out - j0);
            q.dequantizeRange(j0 * in, m * in, w, 0);                          // W[j0..j0+m) (m,in)
            FloatBuffer wb = s.b(w, 0, m * in);
            Blas.sgemm(false, true, rows, m, in, 1f, xb, in, wb, in, 0f, Blas.at(yb, j0), out); // (rows,in) @ (in,m) -> y[:, j0..)
        }
        Blas.copyOut(yb, y, r0 * out, rows * out);
    }

    @Override
    public void backward(float[] dy, float[] x, int n, float[] dx, Matmul mm) {
        mm.parallel().forRange((n + X_ROWS - 1) / X_ROWS, (worker, from, to) -> {
            for (int chunk = from; chunk < to; chunk++) {
                int r0 = chunk * X_ROWS, rows = Math.min(X_ROWS, n - r0);
                backwardRows(dy, r0, rows, dx);
            }
        });
    }

    private void backwardRows(float[] dy, int r0, int rows, float[] dx) {
        Blas.Scratch s = Blas.scratch();
        FloatBuffer dyb = s.a(dy, r0 * out, rows * out);                       // (rows,out)
        FloatBuffer dxb = s.c(rows * in);
        float[] w = block.get();
        for (int j0 = 0; j0 < out; j0 += ROWS) {
            int m = Math.min(ROWS, out - j0);
            q.dequantizeRange(j0 * in, m * in, w, 0);                          // W[j0..j0+m) (m,in)
            FloatBuffer wb = s.b(w, 0, m * in);
            Blas.sgemm(false, false, rows, in, m, 1f, Blas.at(dyb, j0), out, wb, in, j0 == 0 ? 0f : 1f, dxb, in); // += dy[:, j0..) @ W[j0..)
        }
        Blas.copyOut(dxb, dx, r0 * in, rows * in);
    }

    @Override
    public void writeTo(float[] dst, int off) {
        q.dequantizeInto(dst, off);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public List<Parameter> trainable() {
        return List.of();
    }

    @Override
    public long otherScalars() {
        return q.size();
    }

    @Override
    public long bytes() {
        return q.bytes();
    }

    /** The quantized values. */
    public QuantizedWeight quantized() {
        return q;
    }
}
