package io.buildgpt.engine.kernels;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.presets.openblas_nolapack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The one door to BLAS: {@code cblas_sgemm} of the OpenBLAS that {@code nd4j-native} already brings
 * in (JavaCPP's {@code org.bytedeco.openblas}), on direct (off-heap) buffers that each thread keeps
 * and reuses ({@link Scratch}). Loading it does not start ND4J. Its kernel is chosen for the CPU before it
 * loads ({@link BlasSetup}).
 *
 * <p>Why not the engine's heap {@code float[]} directly: JavaCPP passes a heap array (or a heap
 * {@code FloatBuffer}) through JNI's {@code GetFloatArrayElements}, which on HotSpot copies the
 * <em>whole</em> array in and back out on every call (figures in BENCHMARKS.md), and two threads writing different rows of one array overwrite each other's
 * rows with stale copies. So the engine copies exactly the operands' rows into its thread's direct
 * buffers (a memcpy, smaller than the product it feeds; figures in BENCHMARKS.md) and copies the result rows back.
 *
 * <p>Threads: OpenBLAS runs on one thread; the engine splits its products itself over its own pool
 * ({@link Parallel}) in row blocks of fixed size ({@link Matmul}). That keeps the cores from being
 * oversubscribed by two pools spinning at once (OpenBLAS's and the engine's), and keeps results
 * bit-identical between 1 and N threads and between machines with other core counts: OpenBLAS's own
 * threading splits by thread count and changes the last bits. The setting is process-wide, and ND4J's
 * backend sets it to one thread per core when it starts (any {@code Nd4j} call in a cell can start it,
 * after the engine's first product), so {@link #sgemm} sets it back before every product: one native call
 * that stores an int.
 */
public final class Blas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final openblas_nolapack.SetNumThreads SET_THREADS;

    static {
        BlasSetup.apply(); // the kernel for this CPU, before the library reads OPENBLAS_CORETYPE
        Loader.load(openblas.class);
        openblas.blas_set_num_threads(1);
        SET_THREADS = new openblas_nolapack.SetNumThreads() { };   // JavaCPP's own holder of the function pointer,
        SET_THREADS.put(Loader.addressof("openblas_set_num_threads")); // filled as its blas_set_num_threads fills it
    }

    private Blas() {}

    /** Forces the native library to load, once per process, so that its load time is not charged to the first product (figures in BENCHMARKS.md). */
    public static void load() {
        // the static initialiser does the work
    }

    /** One line for a notebook or a benchmark: the OpenBLAS version, the kernel it runs and why ({@link BlasSetup}). */
    public static String describe() {
        return BlasSetup.describe();
    }

    /** This thread's three operand buffers. */
    public static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * {@code C(m,n) = alpha * op(A)(m,k) @ op(B)(k,n) + beta * C} on direct buffers read from position 0,
     * row-major, each with its leading dimension (the row stride of the stored matrix).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      FloatBuffer a, int lda, FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc) {
        if (m == 0 || n == 0) return;
        SET_THREADS.call(1);             // undo ND4J's start-up setting (class comment); for 1 it only stores the count
        openblas.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /**
     * Growable direct float buffers owned by one thread, by slot: 0, 1, 2 are a product's A, B and C;
     * attention uses slots 3 to {@link #SLOTS}-1 for a sequence's q, k, v, scores and gradients.
     * They grow to the largest operand seen and are reused.
     */
    public static final class Scratch {
        public static final int SLOTS = 8;
        private final FloatBuffer[] slots = new FloatBuffer[SLOTS];
        private float[] staging;                // heap rows packed for one bulk copy (gather, scatter)

        /** Slot {@code i} with room for {@code len} floats, at position 0 (contents undefined). */
        public FloatBuffer get(int i, int len) {
            FloatBuffer buf = slots[i];
            if (buf == null || buf.capacity() < len) slots[i] = buf = allocate(len);
            buf.clear();
            return buf;
        }

        /** {@code src[off .. off+len)} copied into A, which is returned at position 0. */
        public FloatBuffer a(float[] src, int off, int len) {
            return fill(get(0, len), src, off, len);
        }

        public FloatBuffer b(float[] src, int off, int len) {
            return fill(get(1, len), src, off, len);
        }

        public FloatBuffer c(int len) {
            return get(2, len);
        }

        public FloatBuffer c(float[] src, int off, int len) {
            return fill(get(2, len), src, off, len);
        }

        /**
         * {@code rows} rows from {@code src[base]}, {@code stride} apart, each contributing the runs of {@code w}
         * floats of the parts {@code p < parts} whose bit {@code 1 << p} is set in {@code partMask} (run {@code p}
         * starts at {@code p * partStride + colOff} in the row), packed into slot {@code i} as {@code (rows, parts * w)}
         * (the parts not selected hold undefined values): packed first on the heap, then moved in one bulk copy (a
         * bulk copy into a direct buffer costs about as much for 16 floats as for 500).
         */
        public FloatBuffer gather(int i, float[] src, int base, int stride, int rows, int parts, int colOff, int w, int partStride,
                                  int partMask) {
            int width = parts * w;
            float[] packed = staging(rows * width);
            for (int r = 0; r < rows; r++) {
                for (int p = 0; p < parts; p++) {
                    if ((partMask & 1 << p) == 0) continue;
                    System.arraycopy(src, base + r * stride + p * partStride + colOff, packed, r * width + p * w, w);
                }
            }
            return fill(get(i, rows * width), packed, 0, rows * width);
        }

        /** The inverse of {@link #gather}: the selected parts of the packed {@code (rows, parts * w)} in {@code buf} written back to {@code dst}. */
        public void scatter(FloatBuffer buf, float[] dst, int base, int stride, int rows, int parts, int colOff, int w, int partStride,
                            int partMask) {
            int width = parts * w;
            float[] packed = staging(rows * width);
            buf.get(0, packed, 0, rows * width);
            for (int r = 0; r < rows; r++) {
                for (int p = 0; p < parts; p++) {
                    if ((partMask & 1 << p) == 0) continue;
                    System.arraycopy(packed, r * width + p * w, dst, base + r * stride + p * partStride + colOff, w);
                }
            }
        }

        /** The packed {@code (rows, cols)} in {@code buf} written back as rows {@code stride} apart from {@code dst[base]} (one bulk copy). */
        public void scatter(FloatBuffer buf, float[] dst, int base, int stride, int rows, int cols) {
            scatter(buf, dst, base, stride, rows, 1, 0, cols, 0, 1);
        }

        private float[] staging(int len) {
            if (staging == null || staging.length < len) staging = new float[Math.max(64, len + len / 4)];
            return staging;
        }

        private static FloatBuffer fill(FloatBuffer dst, float[] src, int off, int len) {
            dst.put(0, src, off, len);
            return dst;
        }

        private static FloatBuffer allocate(int floats) {
            // a quarter extra, at most 4 MB: a growing operand does not reallocate every call, a large one (GPT-2's
            // 154 MB token embedding read as lm_head) costs no more than itself
            int n = Math.max(64, floats + Math.min(floats / 4, 1 << 20));
            return direct(n);
        }
    }

    /** A new direct buffer of exactly {@code floats} floats, in the CPU's byte order. */
    static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** {@code buf} from float {@code off} on, as a buffer of its own: an operand that starts inside a packed matrix. */
    public static FloatBuffer at(FloatBuffer buf, int off) {
        return off == 0 ? buf : buf.duplicate().position(off).slice();
    }

    /** {@code len} floats of {@code buf} from position 0 into {@code dst[off..]}. */
    public static void copyOut(FloatBuffer buf, float[] dst, int off, int len) {
        buf.get(0, dst, off, len);
    }
}
