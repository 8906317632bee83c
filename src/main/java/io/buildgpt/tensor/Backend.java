package io.buildgpt.tensor;

/**
 * The few compute primitives the tensor ops are written on, so that another device (a GPU) could be added
 * behind them without touching the ops or the notebooks. Arrays are flat row-major {@code float[]}; an
 * index map {@code idx} (null for a plain run from {@code off}) lets one call read broadcast and strided
 * views. Only {@link CpuBackend} exists.
 */
interface Backend {
    /** The backend the ops use. */
    static Backend get() {
        return CpuBackend.INSTANCE;
    }

    /** Elementwise functions of one value. */
    enum Unary { EXP, LOG, TANH, RELU, SQRT }

    /** Elementwise functions of two values. */
    enum Binary { ADD, SUB, MUL, DIV }

    /** {@code out[i] = fn(x[at(i)])} for {@code i < out.length}. */
    void unary(Unary fn, float[] x, int[] idx, int off, float[] out);

    /** {@code out[i] = a[at_a(i)] op b[at_b(i)]}. */
    void binary(Binary op, float[] a, int[] aIdx, int aOff, float[] b, int[] bIdx, int bOff, float[] out);

    /**
     * {@code batch} products {@code c_i(m,n) = op(a_i)(m,k) @ op(b_i)(k,n)}, contiguous operands from
     * {@code aOff}/{@code bOff}, {@code aStep}/{@code bStep}/{@code m*n} floats apart (a step of 0 repeats one matrix: broadcasting).
     */
    void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, int aStep, float[] b, int bOff, int bStep, float[] c);

    /** {@code out[o, i] = sum_j x[o, j, i]} for a contiguous {@code (outer, n, inner)} array. */
    void sum(float[] x, int outer, int n, int inner, float[] out);

    /** The first maximum over the middle dim of {@code (outer, n, inner)}: values and their positions. */
    void max(float[] x, int outer, int n, int inner, float[] out, long[] argmax);

    /** Softmax of each of {@code rows} contiguous rows of {@code n}, in float as PyTorch (max subtracted first). */
    void softmaxRows(float[] x, int rows, int n, float[] out);
}
