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
 * with no float32 copy: each product dequantizes one block of {@code W} at a time into a small buffer and
 * multiplies by that block, so the float32 values of a weight never exist all at once, and each value is
 * dequantized once per product.
 * <pre>
 *   forward   y[:, j..j+R) = x @ deq(W[j..j+R, :])^T     (n,in) @ (in,R) -> (n,R)      row blocks of W
 *   backward  dx[:, i..i+K) = dy @ deq(W[:, i..i+K))     (n,out) @ (out,K) -> (n,K)   column blocks of W
 * </pre>
 * The threads share out the blocks; every output value comes from one product over the whole inner
 * dimension, so the split does not change any bit.
 */
public final class QuantizedBase implements Weight {
    /** Rows of W per forward block: 256 rows of GPT-2's 768 inputs are 768 KB, a product wide enough for BLAS. */
    static final int ROWS = 256;
    /** Columns of W per backward block (a multiple of the quantization groups' 64 values). */
    static final int COLUMNS = 256;

    private final QuantizedWeight q;
    private final int out, in;
    /** One dequantized block per thread, shared by every quantized weight (a thread computes one product at a time). */
    private static final ThreadLocal<float[][]> BLOCK = ThreadLocal.withInitial(() -> new float[1][0]);

    public QuantizedBase(QuantizedWeight q) {
        int[] s = q.shape();
        if (s.length != 2) throw new IllegalArgumentException("a Linear's weight is a matrix (out, in); got shape " + java.util.Arrays.toString(s));
        this.q = q;
        this.out = s[0];
        this.in = s[1];
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
    public void forward(float[] x, int n, float[] y, Matmul mm, boolean training, Buffers unused) {
        if (n < Matmul.DOT_ROWS) {                                          // a generation step: dot products, nothing copied
            mm.parallel().forRange((out + ROWS - 1) / ROWS, (worker, from, to) -> {
                float[] w = block(Math.max(ROWS * in, out * Math.min(COLUMNS, in)));
                for (int blk = from; blk < to; blk++) {
                    int j0 = blk * ROWS, rows = Math.min(ROWS, out - j0);
                    q.dequantizeRange(j0 * in, rows * in, w, 0);             // W[j0..j0+rows) (rows,in)
                    Matmul.multiplyTransposed(x, w, y, j0, out, n, in, rows); // (n,in) @ (in,rows) -> columns j0.. of y
                }
            });
            return;
        }
        FloatBuffer xb = Blas.scratch().a(x, 0, n * in);                       // (n,in): one copy, read by every worker
        mm.parallel().forRange((out + ROWS - 1) / ROWS, (worker, from, to) -> {
            Blas.Scratch s = Blas.scratch();
            float[] w = block(Math.max(ROWS * in, out * Math.min(COLUMNS, in)));
            for (int blk = from; blk < to; blk++) {
                int j0 = blk * ROWS, m = Math.min(ROWS, out - j0);
                q.dequantizeRange(j0 * in, m * in, w, 0);                      // W[j0..j0+m) (m,in)
                FloatBuffer yb = s.c(n * m);
                Blas.sgemm(false, true, n, m, in, 1f, xb, in, s.b(w, 0, m * in), in, 0f, yb, m); // (n,in) @ (in,m) -> (n,m)
                s.scatter(yb, y, j0, out, n, m);                               // -> columns j0.. of y (n,out)
            }
        });
    }

    @Override
    public void backward(float[] dy, float[] x, int n, float[] dx, Matmul mm, Buffers unused) {
        FloatBuffer dyb = Blas.scratch().a(dy, 0, n * out);                    // (n,out): one copy, read by every worker
        mm.parallel().forRange((in + COLUMNS - 1) / COLUMNS, (worker, from, to) -> {
            Blas.Scratch s = Blas.scratch();
            float[] w = block(Math.max(ROWS * in, out * Math.min(COLUMNS, in)));
            for (int blk = from; blk < to; blk++) {
                int i0 = blk * COLUMNS, k = Math.min(COLUMNS, in - i0);
                for (int r = 0; r < out; r++) q.dequantizeRange(r * in + i0, k, w, r * k); // W[:, i0..i0+k) (out,k)
                FloatBuffer dxb = s.c(n * k);
                Blas.sgemm(false, false, n, k, out, 1f, dyb, out, s.b(w, 0, out * k), k, 0f, dxb, k); // (n,out) @ (out,k) -> (n,k)
                s.scatter(dxb, dx, i0, in, n, k);                              // -> columns i0.. of dx (n,in)
            }
        });
    }

    private static float[] block(int len) {
        float[][] b = BLOCK.get();
        if (b[0].length < len) b[0] = new float[len];
        return b[0];
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
