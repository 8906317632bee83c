package io.buildgpt.model;

/**
 * The matrix products a layer needs, on flat row-major {@code float[]}, through BLAS ({@link Blas}:
 * OpenBLAS's {@code sgemm} on the heap arrays, no copies). Shapes in the method names' terms:
 * <pre>
 *   multiply                c(n,m)  = a(n,k) @ b(k,m)          dx = dy @ W
 *   multiplyByTransposeOf   c(n,k)  = a(n,m) @ w(k,m)^T        y  = x @ W^T  (W stored (out,in) as PyTorch)
 *   accumulateTransposedA   c(k,m) += a(n,k)^T @ b(n,m)        dW += dy^T @ x
 *   multiplyTransposed      c[:, off..] = a(n,k) @ w(m,k)^T    a few rows written into a wider buffer
 * </pre>
 *
 * <p>Threads: the output rows are cut into blocks of {@link #BLOCK_ROWS}, a number that does not depend
 * on the thread count, and the blocks are shared out over the model's {@link Parallel} pool, each block
 * one single-threaded {@code sgemm}. Every value is therefore computed by the same call on the same
 * operands whatever the thread count: results are bit-identical for 1 and N threads. Why 256 rows:
 * smaller blocks repack the right operand too often (64-row blocks ran at half the speed of one call for
 * 512x64x256), and 256 still splits the small GPT's 512 rows over two cores.
 *
 * <p>What is not bit-identical any more: a product of 1 row and the same row inside a product of 256
 * rows may differ in the last bit (OpenBLAS picks kernels by shape); generation's cached and uncached
 * paths give logits equal to about 1e-6 and, in the tests, the same tokens.
 */
public final class Matmul {
    /** Rows of output per BLAS call and per unit of work handed to a thread; fixed, so results do not depend on threads. */
    static final int BLOCK_ROWS = 256;
    private final Parallel par;

    public Matmul() {
        this(Parallel.SERIAL);
    }

    /** Splits the products by blocks of output rows over {@code par}'s threads; the results do not depend on the split. */
    Matmul(Parallel par) {
        this.par = par;
        Blas.load();
    }

    /** {@code c(n,m) = a(n,k) @ b(k,m)}, overwriting {@code c}. */
    public void multiply(float[] a, float[] b, float[] c, int n, int k, int m) {
        forBlocks(n, (from, rows) -> Blas.sgemm(false, false, rows, m, k, 1f, a, from * k, k, b, 0, m, 0f, c, from * m, m));
    }

    /** {@code c(n,k) = a(n,m) @ w(k,m)^T}: {@code w} is used as stored, BLAS reads it transposed. */
    public void multiplyByTransposeOf(float[] a, float[] w, float[] c, int n, int m, int k) {
        forBlocks(n, (from, rows) -> Blas.sgemm(false, true, rows, k, m, 1f, a, from * m, m, w, 0, m, 0f, c, from * k, k));
    }

    /**
     * {@code c(k,m) += a(n,k)^T @ b(n,m)}: the weight gradient {@code dW += dY^T @ X}. Blocks of rows
     * {@code p} of {@code c} go to the threads; each is one {@code sgemm} over all {@code n}, so no sum is split.
     */
    public void accumulateTransposedA(float[] a, float[] b, float[] c, int n, int k, int m) {
        forBlocks(k, (from, rows) -> Blas.sgemm(true, false, rows, m, n, 1f, a, from, k, b, 0, m, 1f, c, from * m, m));
    }

    /**
     * {@code c[i, cOff + j] = a(n,k)[i] . w(m,k)[j]} for {@code c} rows of length {@code cStride}:
     * {@code a @ w^T} written into columns {@code cOff..cOff+m-1} of a wider buffer (one call, this thread).
     */
    public static void multiplyTransposed(float[] a, float[] w, float[] c, int cOff, int cStride, int n, int k, int m) {
        Blas.sgemm(false, true, n, m, k, 1f, a, 0, k, w, 0, k, 0f, c, cOff, cStride);
    }

    /** {@code dst(cols, rows) = src(rows, cols)^T}. */
    public static void transpose(float[] src, float[] dst, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int s = r * cols;
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[s + c];
        }
    }

    private interface BlockTask {
        void run(int fromRow, int rows);
    }

    /** Runs {@code task} on row blocks {@code [i*BLOCK_ROWS, ...)} of {@code n} rows, the blocks split over the pool. */
    private void forBlocks(int n, BlockTask task) {
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        if (blocks <= 1) {
            task.run(0, n);
            return;
        }
        par.forRange(blocks, (w, from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int row = blk * BLOCK_ROWS;
                task.run(row, Math.min(BLOCK_ROWS, n - row));
            }
        });
    }
}
