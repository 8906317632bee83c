package io.buildgpt.model;

/**
 * The three matrix products a layer needs, on flat row-major {@code float[]}, each written so that
 * the innermost loop walks contiguous memory in every array it touches. HotSpot's C2 compiler turns
 * such loops into SIMD code (AVX2/AVX-512 here); a dot-product inner loop would not vectorise,
 * because Java may not reorder a floating-point sum.
 *
 * <p>Why k is unrolled by four: the plain i-k-j loop loads and stores a row of {@code C} for every
 * k. Adding four products per pass quarters that traffic, which is what limits these kernels.
 *
 * <p>{@link #multiplyTransposed} is the dot-product form for a handful of rows (token-by-token
 * generation), where transposing the weight first would cost as much as the product. It adds the
 * same products in the same order as {@link #multiply}, so both give bit-identical results: that
 * is what lets cached generation reproduce uncached generation exactly.
 */
public final class Matmul {
    private Matmul() {}

    /** {@code c(n,m) = a(n,k) @ b(k,m)}, overwriting {@code c}. */
    public static void multiply(float[] a, float[] b, float[] c, int n, int k, int m) {
        for (int i = 0; i < n; i++) {
            int cRow = i * m, aRow = i * k;
            java.util.Arrays.fill(c, cRow, cRow + m, 0f);
            int p = 0;
            for (; p + 3 < k; p += 4) {
                float a0 = a[aRow + p], a1 = a[aRow + p + 1], a2 = a[aRow + p + 2], a3 = a[aRow + p + 3];
                int b0 = p * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
                for (int j = 0; j < m; j++) {
                    c[cRow + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
                }
            }
            for (; p < k; p++) {
                float a0 = a[aRow + p];
                int b0 = p * m;
                for (int j = 0; j < m; j++) c[cRow + j] += a0 * b[b0 + j];
            }
        }
    }

    /**
     * {@code c(k,m) += a(n,k)^T @ b(n,m)}: the weight gradient {@code dW += dY^T @ X}. Row {@code p}
     * of {@code c} gathers {@code a[i,p] * b[i,:]} over all rows {@code i}, four rows at a time.
     */
    public static void accumulateTransposedA(float[] a, float[] b, float[] c, int n, int k, int m) {
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
            int b0 = i * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
            for (int p = 0; p < k; p++) {
                float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
                int cRow = p * m;
                for (int j = 0; j < m; j++) {
                    c[cRow + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
                }
            }
        }
        for (; i < n; i++) {
            int a0 = i * k, b0 = i * m;
            for (int p = 0; p < k; p++) {
                float x0 = a[a0 + p];
                int cRow = p * m;
                for (int j = 0; j < m; j++) c[cRow + j] += x0 * b[b0 + j];
            }
        }
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
