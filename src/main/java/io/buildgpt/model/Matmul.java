package io.buildgpt.model;

/**
 * The matrix products a layer needs, on flat row-major {@code float[]}, written so that the
 * innermost loop runs over one index {@code j} into arrays that all start at 0. Why: HotSpot 17's
 * C2 turns {@code acc[j] += a * row[j]} into SIMD code, but not {@code c[off1 + j] += a * b[off2 + j]}
 * on two float arrays it cannot prove distinct (measured: 4.5 against 30 GFLOP/s for
 * 512x64 @ 64x192). So an instance keeps scratch rows: the operand whose rows the inner loop walks is
 * copied into separate {@code float[]} rows (a cost of one pass over it, against {@code n} passes for
 * the product), and output rows are accumulated in a row at offset 0 and copied out.
 *
 * <p>Why k is unrolled by four: the plain i-k-j loop loads and stores the output row for every k;
 * adding four products per pass quarters that traffic.
 *
 * <p>{@link #multiplyTransposed} is the dot-product form for a handful of rows (token-by-token
 * generation), where copying the weight first would cost as much as the product. It adds the same
 * products in the same order as {@link #multiply}, so both give bit-identical results: that is what
 * lets cached generation reproduce uncached generation exactly. One instance per layer: not thread-safe
 * itself (its own parallel calls use per-worker scratch).
 */
public final class Matmul {
    private final Parallel par;
    private float[][] rows = new float[0][0];  // scratch rows of the walked operand, shared read-only by workers
    private final float[][][] quads;           // per worker: four rows of b
    private final float[][] accs;              // per worker: one output row
    private float[][] wT = new float[0][0];    // the last transposed weight (m,k), and the weight it came from:
    private float[] wCopy = new float[0];      // in generation the weights do not change, so the transpose is reused
    private int wLength = -1, wCols;

    public Matmul() {
        this(Parallel.SERIAL);
    }

    /** Splits the products by output rows over {@code par}'s threads; the results do not depend on the split. */
    Matmul(Parallel par) {
        this.par = par;
        this.quads = new float[par.threads()][4][0];
        this.accs = new float[par.threads()][0];
    }

    /** {@code c(n,m) = a(n,k) @ b(k,m)}, overwriting {@code c}. */
    public void multiply(float[] a, float[] b, float[] c, int n, int k, int m) {
        float[][] r = rows(k, m);
        for (int p = 0; p < k; p++) System.arraycopy(b, p * m, r[p], 0, m);
        multiplyRows(a, r, c, n, k, m);
    }

    /** {@code c(n,k) = a(n,m) @ w(k,m)^T} for larger {@code n}: {@code w} is transposed into scratch rows first. */
    public void multiplyByTransposeOf(float[] a, float[] w, float[] c, int n, int m, int k) {
        multiplyRows(a, transposed(w, m, k), c, n, m, k);
    }

    /**
     * {@code w (k,m)} transposed into rows {@code (m,k)}. Why the comparison: a strided transpose of a
     * 64x256 weight costs about a third of a 32-row product (a generation step), while comparing with
     * a copy of the last weight is one vectorised pass; training changes the weights every step and
     * pays one extra contiguous copy.
     */
    private float[][] transposed(float[] w, int m, int k) {
        int len = k * m;
        if (len == wLength && m == wCols && java.util.Arrays.equals(w, 0, len, wCopy, 0, len)) return wT;
        if (wT.length < m || (m > 0 && wT[0].length < k)) wT = new float[m][k];
        if (wCopy.length < len) wCopy = new float[len];
        System.arraycopy(w, 0, wCopy, 0, len);
        wLength = len;
        wCols = m;
        for (int row = 0; row < k; row++) {
            for (int col = 0; col < m; col++) wT[col][row] = w[row * m + col]; // (k,m) -> (m,k)
        }
        return wT;
    }

    private void multiplyRows(float[] a, float[][] b, float[] c, int n, int k, int m) {
        par.forRange(n, (w, from, to) -> multiplyRows(a, b, c, k, m, acc(w, m), from, to));
    }

    private static void multiplyRows(float[] a, float[][] b, float[] c, int k, int m, float[] s, int from, int to) {
        for (int i = from; i < to; i++) {
            java.util.Arrays.fill(s, 0, m, 0f);
            int aRow = i * k, p = 0;
            for (; p + 3 < k; p += 4) {
                float a0 = a[aRow + p], a1 = a[aRow + p + 1], a2 = a[aRow + p + 2], a3 = a[aRow + p + 3];
                float[] b0 = b[p], b1 = b[p + 1], b2 = b[p + 2], b3 = b[p + 3];
                for (int j = 0; j < m; j++) s[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
            }
            for (; p < k; p++) {
                float a0 = a[aRow + p];
                float[] b0 = b[p];
                for (int j = 0; j < m; j++) s[j] += a0 * b0[j];
            }
            System.arraycopy(s, 0, c, i * m, m);
        }
    }

    /**
     * {@code c(k,m) += a(n,k)^T @ b(n,m)}: the weight gradient {@code dW += dY^T @ X}. Row {@code p}
     * of {@code c} gathers {@code a[i,p] * b[i,:]} over all rows {@code i}, four rows at a time.
     * Threads split the rows {@code p} of {@code c}; each walks all of {@code i} in the same order.
     */
    public void accumulateTransposedA(float[] a, float[] b, float[] c, int n, int k, int m) {
        float[][] cr = rows(k, m);
        for (float[][] q : quads) for (int i = 0; i < 4; i++) if (q[i].length < m) q[i] = new float[m];
        par.forRange(k, (w, from, to) -> accumulateTransposedA(a, b, c, cr, quads[w], n, k, m, from, to));
    }

    private static void accumulateTransposedA(float[] a, float[] b, float[] c, float[][] cr, float[][] quad,
                                              int n, int k, int m, int from, int to) {
        for (int p = from; p < to; p++) System.arraycopy(c, p * m, cr[p], 0, m);
        float[] b0 = quad[0], b1 = quad[1], b2 = quad[2], b3 = quad[3];
        int i = 0;
        for (; i + 3 < n; i += 4) {
            System.arraycopy(b, i * m, b0, 0, m);
            System.arraycopy(b, (i + 1) * m, b1, 0, m);
            System.arraycopy(b, (i + 2) * m, b2, 0, m);
            System.arraycopy(b, (i + 3) * m, b3, 0, m);
            int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
            for (int p = from; p < to; p++) {
                float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
                float[] row = cr[p];
                for (int j = 0; j < m; j++) row[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j];
            }
        }
        for (; i < n; i++) {
            System.arraycopy(b, i * m, b0, 0, m);
            for (int p = from; p < to; p++) {
                float x0 = a[i * k + p];
                float[] row = cr[p];
                for (int j = 0; j < m; j++) row[j] += x0 * b0[j];
            }
        }
        for (int p = from; p < to; p++) System.arraycopy(cr[p], 0, c, p * m, m);
    }

    private float[] acc(int worker, int m) {
        if (accs[worker].length < m) accs[worker] = new float[m];
        return accs[worker];
    }

    /** At least {@code k} scratch rows of at least {@code m} floats; grows only, so a layer's shapes settle after one step. */
    private float[][] rows(int k, int m) {
        if (rows.length < k || (k > 0 && rows[0].length < m)) {
            rows = new float[Math.max(k, rows.length)][Math.max(m, rows.length == 0 ? 0 : rows[0].length)];
        }
        return rows;
    }

    /**
     * {@code c[i, cOff + j] = a(n,k)[i] . w(m,k)[j]} for {@code c} rows of length {@code cStride}:
     * {@code a @ w^T} without transposing {@code w}, summed in {@link #multiply}'s order.
     */
    public static void multiplyTransposed(float[] a, float[] w, float[] c, int cOff, int cStride, int n, int k, int m) {
        for (int i = 0; i < n; i++) {
            int aRow = i * k;
            for (int j = 0; j < m; j++) {
                int wRow = j * k;
                float s = 0f;
                int p = 0;
                for (; p + 3 < k; p += 4) {
                    s += a[aRow + p] * w[wRow + p] + a[aRow + p + 1] * w[wRow + p + 1]
                            + a[aRow + p + 2] * w[wRow + p + 2] + a[aRow + p + 3] * w[wRow + p + 3];
                }
                for (; p < k; p++) s += a[aRow + p] * w[wRow + p];
                c[i * cStride + cOff + j] = s;
            }
        }
    }

    /** {@code dst(cols, rows) = src(rows, cols)^T}. */
    public static void transpose(float[] src, float[] dst, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int s = r * cols;
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[s + c];
        }
    }
}
