package io.buildgpt.tensor;

import io.buildgpt.random.TorchGenerator;

/** The factories behind {@link Tensor}'s static methods, and the default generator ({@code torch.manual_seed}). */
final class Factories {
    private static TorchGenerator generator = new TorchGenerator(0);   // reset by Tensor.manualSeed, as torch.manual_seed

    private Factories() {}

    static synchronized TorchGenerator manualSeed(long seed) {
        generator = new TorchGenerator(seed);
        return generator;
    }

    static synchronized TorchGenerator generator() {
        return generator;
    }

    static Tensor full(float v, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        java.util.Arrays.fill(d, v);
        return Tensor.of(d, shape);
    }

    static Tensor matrix(float[][] rows) {
        int n = rows.length, m = n == 0 ? 0 : rows[0].length;
        float[] d = new float[n * m];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != m) throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + m);
            System.arraycopy(rows[i], 0, d, i * m, m);
        }
        return Tensor.of(d, n, m);
    }

    static Tensor arange(int end) {
        if (end < 0) throw new IllegalArgumentException("arange end = " + end + " must not be negative");
        long[] d = new long[end];
        for (int i = 0; i < end; i++) d[i] = i;
        return Tensor.ofLongs(d, end);
    }

    /** Keeps {@code [..., i, j]} where {@code j <= i}. */
    static Tensor tril(Tensor t) {
        if (t.dim() < 2) throw new IllegalArgumentException("tril needs at least 2 dims, got shape " + Shapes.str(t.shape));
        int rows = t.shape[t.dim() - 2], cols = t.shape[t.dim() - 1];
        float[] keep = new float[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j <= i && j < cols; j++) keep[i * cols + j] = 1f;
        if (t.dtype == DType.INT64) {
            long[] out = t.contiguous().toLongArray();
            for (int i = 0; i < out.length; i++) if (keep[i % keep.length] == 0) out[i] = 0;
            return Tensor.ofLongs(out, t.shape.clone());
        }
        return t.mul(Tensor.of(keep, rows, cols));
    }

    /** {@code torch.randn}: PyTorch's normal_ on a contiguous tensor of this many elements. */
    static Tensor randn(TorchGenerator g, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        g.normal_(d, 0, d.length, 0, 1);
        return Tensor.of(d, shape);
    }

    static Tensor randint(TorchGenerator g, long high, int... shape) {
        return Tensor.ofLongs(g.randint(high, Shapes.numel(shape)), shape);
    }

    /** One draw per row of {@code probs} (1-D: one row); PyTorch's {@code multinomial(probs, 1)}. */
    static Tensor multinomial(Tensor probs, int numSamples, TorchGenerator g) {
        Elementwise.requireFloat(probs, "multinomial");
        if (numSamples != 1) throw new UnsupportedOperationException("multinomial draws one sample per row here (numSamples = 1), as the lecture does");
        if (probs.dim() < 1 || probs.dim() > 2) throw new IllegalArgumentException("prob_dist must be 1 or 2 dim, got shape " + Shapes.str(probs.shape));
        float[] p = probs.toFloatArray();
        int c = probs.shape[probs.dim() - 1], rows = p.length / Math.max(c, 1);
        long[] out = new long[rows];
        float[] scratch = new float[c];
        for (int r = 0; r < rows; r++) out[r] = g.multinomial(p, r * c, c, scratch);
        return probs.dim() == 1 ? Tensor.ofLongs(out, 1) : Tensor.ofLongs(out, rows, 1);
    }

    static float[] toFloats(Tensor t) {
        long[] l = t.toLongArray();
        float[] f = new float[l.length];
        for (int i = 0; i < l.length; i++) f[i] = l[i];
        return f;
    }

    static long[] toLongs(Tensor t) {
        float[] f = t.toFloatArray();
        long[] l = new long[f.length];
        for (int i = 0; i < f.length; i++) l[i] = (long) f[i];
        return l;
    }

    static Tensor convert(Tensor t, DType type) {
        if (type == DType.FLOAT32) return Tensor.of(t.toFloatArray(), t.shape.clone());
        return Tensor.ofLongs(t.toLongArray(), t.shape.clone());
    }
}
