package io.buildgpt.tensor;

import io.buildgpt.engine.kernels.Blas;
import io.buildgpt.engine.kernels.Softmax;

import java.nio.FloatBuffer;

/**
 * The CPU backend: plain loops on heap arrays, and products through the engine's {@link Blas}
 * (OpenBLAS {@code sgemm} on each thread's direct buffers, one call per matrix of a batch).
 */
final class CpuBackend implements Backend {
    static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public void unary(Unary fn, float[] x, int[] idx, int off, float[] out) {
        int n = out.length;
        switch (fn) {
            case EXP -> { for (int i = 0; i < n; i++) out[i] = (float) Math.exp(x[at(idx, off, i)]); }
            case LOG -> { for (int i = 0; i < n; i++) out[i] = (float) Math.log(x[at(idx, off, i)]); }
            case TANH -> { for (int i = 0; i < n; i++) out[i] = (float) Math.tanh(x[at(idx, off, i)]); }
            case RELU -> { for (int i = 0; i < n; i++) out[i] = Math.max(x[at(idx, off, i)], 0f); }
            case SQRT -> { for (int i = 0; i < n; i++) out[i] = (float) Math.sqrt(x[at(idx, off, i)]); }
        }
    }

    private static int at(int[] idx, int off, int i) {
        return idx == null ? off + i : idx[i];
    }

    @Override
    public void binary(Binary op, float[] a, int[] aIdx, int aOff, float[] b, int[] bIdx, int bOff, float[] out) {
        int n = out.length;
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[i] = a[at(aIdx, aOff, i)] + b[at(bIdx, bOff, i)]; }
            case SUB -> { for (int i = 0; i < n; i++) out[i] = a[at(aIdx, aOff, i)] - b[at(bIdx, bOff, i)]; }
            case MUL -> { for (int i = 0; i < n; i++) out[i] = a[at(aIdx, aOff, i)] * b[at(bIdx, bOff, i)]; }
            case DIV -> { for (int i = 0; i < n; i++) out[i] = a[at(aIdx, aOff, i)] / b[at(bIdx, bOff, i)]; }
        }
    }

    @Override
    public void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int aStep, float[] b, int bOff, int bStep, float[] c) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            java.util.Arrays.fill(c, 0, batch * m * n, 0f);
            return;
        }
        Blas.Scratch s = Blas.scratch();
        int lda = transA ? m : k, ldb = transB ? k : n;
        FloatBuffer sb = null;
        for (int i = 0; i < batch; i++) {
            FloatBuffer sa = s.a(a, aOff + i * aStep, m * k);
            if (sb == null || bStep != 0) sb = s.b(b, bOff + i * bStep, k * n);     // a shared right operand is copied once
            FloatBuffer sc = s.c(m * n);
            Blas.sgemm(transA, transB, m, n, k, 1f, sa, lda, sb, ldb, 0f, sc, n);
            Blas.copyOut(sc, c, i * m * n, m * n);
        }
    }

    @Override
    public void sum(float[] x, int outer, int n, int inner, float[] out) {
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner;
            for (int i = 0; i < inner; i++) {
                float s = 0f;
                for (int j = 0; j < n; j++) s += x[base + j * inner + i];
                out[o * inner + i] = s;
            }
        }
    }

    @Override
    public void max(float[] x, int outer, int n, int inner, float[] out, long[] argmax) {
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner;
            for (int i = 0; i < inner; i++) {
                float best = Float.NEGATIVE_INFINITY;
                int at = 0;
                for (int j = 0; j < n; j++) {
                    float v = x[base + j * inner + i];
                    if (v > best || Float.isNaN(v) && !Float.isNaN(best)) {
                        best = v;
                        at = j;
                    }
                }
                out[o * inner + i] = n == 0 ? Float.NEGATIVE_INFINITY : x[base + at * inner + i];
                argmax[o * inner + i] = at;
            }
        }
    }

    @Override
    public void softmaxRows(float[] x, int rows, int n, float[] out) {
        for (int r = 0; r < rows; r++) {
            int off = r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, x[off + j]);
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float e = Softmax.exp(x[off + j] - max);                // x - max <= 0: the engine's fast float exp
                out[off + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < n; j++) out[off + j] *= inv;
        }
    }
}
