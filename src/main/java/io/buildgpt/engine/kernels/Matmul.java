package io.buildgpt.engine.kernels;

import java.nio.FloatBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The matrix products a layer needs, on flat row-major {@code float[]}, through BLAS ({@link Blas}:
 * OpenBLAS's {@code sgemm}, the operands' rows copied to direct buffers). Shapes in the method names' terms:
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
 * operands whatever the thread count: results are bit-identical for 1 and N threads. The calling thread
 * copies the right operand to its direct buffer once per product and every worker reads that one copy
 * (BLAS only reads it); each worker copies its own blocks' rows in and out ({@link Blas} says why the
 * engine's heap arrays are not handed to BLAS directly). Why 256 rows:
 * smaller blocks repack the right operand too often (BENCHMARKS.md), and 256 still splits the small GPT's 512 rows over two cores.
 *
 * <p>What is not bit-identical any more: a product of 1 row and the same row inside a product of 256
 * rows may differ in the last bit (OpenBLAS picks kernels by shape); generation's cached and uncached
 * paths give logits equal to about 1e-6 and, in the tests, the same tokens.
 */
public final class Matmul {
    /** Rows of output per BLAS call and per unit of work handed to a thread; fixed, so results do not depend on threads. */
    public static final int BLOCK_ROWS = 256;
    /** Rows of a weight gradient per BLAS call and per unit of work in {@link #accumulateTransposedA}; why 192: see there. */
    public static final int GRADIENT_ROWS = 192;
    /** The largest right operand {@link #pinWeights} keeps: the small and lecture GPTs' weights, not GPT-2's. */
    static final int PIN_MAX_FLOATS = 1 << 20;
    private final Parallel par;
    private boolean pinning;                                            // see pinWeights
    private final Map<float[], Pinned> pinned = new IdentityHashMap<>();

    /** A right operand's copy in a direct buffer, and how many floats of it are set. */
    private static final class Pinned {
        final FloatBuffer buf;
        final int len;

        Pinned(float[] b, int len) {
            this.buf = Blas.direct(len);
            this.buf.put(0, b, 0, len);
            this.len = len;
        }
    }

    public Matmul() {
        this(Parallel.SERIAL);
    }

    /** Splits the products by blocks of output rows over {@code par}'s threads; the results do not depend on the split. */
    public Matmul(Parallel par) {
        this.par = par;
        Blas.load();
    }

    /**
     * While on, the right operands of this instance's row-block products (the weights: {@code y = x @ W^T}) are
     * copied to direct buffers of their own on first use and read from there by later products, instead of
     * being copied again for every product. For generation: a sliding-window pass per token multiplies by every
     * weight, and copying the weights took about a third of the pass. The caller guarantees that no array it
     * passes as a right operand changes while on; switching off drops the copies. Operands above
     * {@link #PIN_MAX_FLOATS} floats are not kept (GPT-2's largest would double their memory). The values, and so
     * the results, are the same.
     */
    public void pinWeights(boolean on) {
        pinning = on;
        if (!on) pinned.clear();
    }

    /** The right operand {@code b[0..len)} in a direct buffer: a pinned copy, or a copy in this thread's scratch. */
    private FloatBuffer rightOperand(float[] b, int len) {
        if (!pinning || len > PIN_MAX_FLOATS) return Blas.scratch().b(b, 0, len);
        Pinned p = pinned.get(b);
        if (p == null || p.len != len) pinned.put(b, p = new Pinned(b, len));
        return p.buf;
    }

    /** The threads this instance splits its products over. */
    public Parallel parallel() {
        return par;
    }

    /** {@code c(n,m) = a(n,k) @ b(k,m)}, overwriting {@code c}. */
    public void multiply(float[] a, float[] b, float[] c, int n, int k, int m) {
        rowBlocks(a, b, false, c, n, k, m);
    }

    /** {@code c(n,k) = a(n,m) @ w(k,m)^T}: {@code w} is used as stored, BLAS reads it transposed. */
    public void multiplyByTransposeOf(float[] a, float[] w, float[] c, int n, int m, int k) {
        rowBlocks(a, w, true, c, n, m, k);
    }

    /** {@code c(n,m) = a(n,k) @ op(b)(k,m)} by blocks of rows; {@code b} goes to a direct buffer once, read by every worker. */
    private void rowBlocks(float[] a, float[] b, boolean transB, float[] c, int n, int k, int m) {
        FloatBuffer sb = rightOperand(b, k * m);                               // (k,m), or (m,k) to read transposed
        forBlocks(n, (from, to) -> {
            Blas.Scratch s = Blas.scratch();
            for (int row = from; row < to; row += BLOCK_ROWS) {
                int rows = Math.min(BLOCK_ROWS, to - row);
                FloatBuffer sc = s.c(rows * m);
                Blas.sgemm(false, transB, rows, m, k, 1f, s.a(a, row * k, rows * k), k, sb, transB ? k : m, 0f, sc, m);
                Blas.copyOut(sc, c, row * m, rows * m);                           // (rows,m) -> c[row..]
            }
        });
    }

    /**
     * {@code c(k,m) += a(n,k)^T @ b(n,m)}: the weight gradient {@code dW += dY^T @ X}. Blocks of
     * {@link #GRADIENT_ROWS} rows {@code p} of {@code c} go to the threads; each is one {@code sgemm} over
     * all {@code n}, so no sum is split. Why 192 rows: {@code k} is {@code C}, {@code 3C} or {@code 4C}, and
     * for the lecture's C = 384 that makes 2, 6 and 8 blocks, which two threads share evenly; 256-row
     * blocks would cut C = 384 into one block of 256 and one of 128, which two threads cannot share evenly,
     * and one thread gains nothing from the larger blocks (figures in BENCHMARKS.md).
     */
    public void accumulateTransposedA(float[] a, float[] b, float[] c, int n, int k, int m) {
        FloatBuffer sb = Blas.scratch().b(b, 0, n * m);                        // (n,m): one copy, read by every worker
        forBlocks(k, GRADIENT_ROWS, (from, to) -> {
            Blas.Scratch s = Blas.scratch();
            for (int p = from; p < to; p += GRADIENT_ROWS) {
                int rows = Math.min(GRADIENT_ROWS, to - p);
                FloatBuffer sa = rows == k ? s.a(a, 0, n * k)                    // a[:, p..p+rows) (n,rows): all of a,
                        : s.gather(0, a, p, k, n, 1, 0, rows, 0, 1);               // or its columns packed, one bulk copy
                FloatBuffer sc = s.c(c, p * m, rows * m);                        // (rows,m), accumulated into
                Blas.sgemm(true, false, rows, m, n, 1f, sa, rows, sb, m, 1f, sc, m);
                Blas.copyOut(sc, c, p * m, rows * m);
            }
        });
    }

    /**
     * {@code c[i, cOff + j] = a(n,k)[i] . w(m,k)[j]} for {@code c} rows of length {@code cStride}:
     * {@code a @ w^T} written into columns {@code cOff..cOff+m-1} of a wider buffer (one call, this thread).
     */
    public static void multiplyTransposed(float[] a, float[] w, float[] c, int cOff, int cStride, int n, int k, int m) {
        if (n < DOT_ROWS) {                                                    // a generation step: dot products on w
            dotRows(a, w, c, cOff, cStride, n, k, m);                          // as stored, nothing copied
            return;
        }
        Blas.Scratch s = Blas.scratch();
        FloatBuffer sc = s.c(n * m);
        Blas.sgemm(false, true, n, m, k, 1f, s.a(a, 0, n * k), k, s.b(w, 0, m * k), k, 0f, sc, m);
        s.scatter(sc, c, cOff, cStride, n, m);                             // (n,m) -> columns cOff.. of c
    }

    /**
     * Multiply-adds above which {@link #fewRows} shares the weight's rows out over the threads: a generation
     * step's product with a large weight (GPT-2's) is worth splitting, a small model's is not.
     */
    public static final long FEW_ROWS_PARALLEL_WORK = 1 << 20;
    /** Weight rows per unit of work in {@link #fewRows}: fixed, and each output is its own dot product, so any split gives the same bits. */
    static final int FEW_ROWS_BLOCK = 256;

    /**
     * {@code c(n,m) = a(n,k) @ w(m,k)^T} for fewer than {@link #DOT_ROWS} rows: dot products on {@code w} as
     * stored (nothing copied), the weight's rows split over the threads when the product is large.
     */
    public void fewRows(float[] a, float[] w, float[] c, int n, int k, int m) {
        if ((long) n * k * m < FEW_ROWS_PARALLEL_WORK || par.threads() == 1) {
            dotRows(a, w, c, 0, m, n, k, m);
            return;
        }
        par.forRange((m + FEW_ROWS_BLOCK - 1) / FEW_ROWS_BLOCK, (worker, from, to) -> {
            for (int i = 0; i < n; i++) {
                for (int j = from * FEW_ROWS_BLOCK, end = Math.min(m, to * FEW_ROWS_BLOCK); j < end; j++) {
                    c[i * m + j] = dot(a, i * k, w, j * k, k);                 // row i of a . row j of w
                }
            }
        });
    }

    /**
     * Below this many rows {@link #multiplyTransposed} runs Java dot products instead of BLAS. Why: a
     * generation step multiplies one row per sequence by each weight, and handing a weight to BLAS means
     * copying it into a direct buffer first ({@link Blas}), which costs as much as the product itself.
     */
    public static final int DOT_ROWS = 8;

    private static void dotRows(float[] a, float[] w, float[] c, int cOff, int cStride, int n, int k, int m) {
        for (int i = 0; i < n; i++) {
            int aRow = i * k;
            for (int j = 0; j < m; j++) {
                c[i * cStride + cOff + j] = dot(a, aRow, w, j * k, k);         // row i of a . row j of w
            }
        }
    }

    /**
     * {@code a[aOff..aOff+len) . b[bOff..bOff+len)} with four partial sums: a single running sum waits
     * for each addition before the next, four let the CPU overlap them
     * (and the JIT keeps them in registers). Generation's one-row products and attention's scores use it.
     */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int d = 0;
        for (; d + 3 < len; d += 4) {
            s0 += a[aOff + d] * b[bOff + d];
            s1 += a[aOff + d + 1] * b[bOff + d + 1];
            s2 += a[aOff + d + 2] * b[bOff + d + 2];
            s3 += a[aOff + d + 3] * b[bOff + d + 3];
        }
        for (; d < len; d++) s0 += a[aOff + d] * b[bOff + d];
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code dst(cols, rows) = src(rows, cols)^T}. */
    public static void transpose(float[] src, float[] dst, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int s = r * cols;
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[s + c];
        }
    }

    /** Rows {@code from..to-1}, a whole number of blocks (but the last), for one worker. */
    private interface BlockRange {
        void run(int from, int to);
    }

    /**
     * Cuts {@code n} rows into blocks of {@link #BLOCK_ROWS} and gives each worker a contiguous run of
     * whole blocks. A worker computes each of its blocks with one call, so the blocks, and the bits, are
     * the same for every thread count.
     */
    private void forBlocks(int n, BlockRange task) {
        forBlocks(n, BLOCK_ROWS, task);
    }

    private void forBlocks(int n, int blockRows, BlockRange task) {
        int blocks = (n + blockRows - 1) / blockRows;
        if (blocks <= 1) {
            task.run(0, n);
            return;
        }
        par.forRange(blocks, (w, from, to) -> task.run(from * blockRows, Math.min(n, to * blockRows)));
    }
}
