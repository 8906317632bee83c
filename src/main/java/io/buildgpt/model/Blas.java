package io.buildgpt.model;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;

import java.nio.FloatBuffer;

/**
 * The one door to BLAS: {@code cblas_sgemm} of the OpenBLAS that {@code nd4j-native} already brings
 * in (JavaCPP's {@code org.bytedeco.openblas}), called directly on the engine's heap {@code float[]}
 * arrays. JavaCPP pins a heap array (or a heap {@code FloatBuffer.wrap(array, offset, length)}, which
 * is how an offset is passed) for the call: nothing is copied. Loading it does not start ND4J.
 *
 * <p>Threads: OpenBLAS is set to one thread, once, for the whole process. The engine splits its
 * products itself over its own pool ({@link Parallel}), in row blocks of fixed size, so that (1) the
 * cores are not oversubscribed by two pools spinning at once (OpenBLAS's threads and the engine's),
 * and (2) each block is computed by the same single-threaded call whatever the thread count, which
 * keeps results bit-identical between 1 and N threads: OpenBLAS's own threading splits by thread count
 * and changes the last bits. Measured on 2 cores (README): the engine's split was as fast as
 * OpenBLAS's two threads for the GPT's shapes.
 *
 * <p>Row-major everywhere; {@code transA}/{@code transB} say whether the stored operand is the transpose.
 */
final class Blas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    static {
        Loader.load(openblas.class);
        openblas.blas_set_num_threads(1);
    }

    private Blas() {}

    /** Forces the native library to load (a cost of about half a second, once). */
    static void load() {
        // the static initialiser does the work
    }

    /**
     * {@code C(m,n) = alpha * op(A)(m,k) @ op(B)(k,n) + beta * C}, each operand starting at its offset with
     * its leading dimension (the row stride of the stored matrix).
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        int ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
        if (aOff == 0 && bOff == 0 && cOff == 0) {
            openblas.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } else {
            openblas.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, wrap(a, aOff), lda, wrap(b, bOff), ldb, beta, wrap(c, cOff), ldc);
        }
    }

    private static FloatBuffer wrap(float[] array, int offset) {
        return FloatBuffer.wrap(array, offset, array.length - offset);
    }
}
