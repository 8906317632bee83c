package io.buildgpt.tensor;

import java.util.Arrays;

/**
 * {@code torch.matmul}: 1-D operands promoted to matrices and squeezed back, batch dims broadcast, each
 * matrix product one BLAS call through the {@link Backend}. Backward: {@code dA = dC @ B^T},
 * {@code dB = A^T @ dC}, summed over the batch dims an operand was broadcast along.
 */
final class MatmulOp {
    private MatmulOp() {}

    static Tensor matmul(Tensor a, Tensor b) {
        Elementwise.requireFloat(a, "matmul");
        Elementwise.requireFloat(b, "matmul");
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are " + a.dim() + "D and " + b.dim() + "D");
        }
        Tensor a2 = a.dim() == 1 ? a.reshape(1, a.shape[0]) : a;        // (k) -> (1,k)
        Tensor b2 = b.dim() == 1 ? b.reshape(b.shape[0], 1) : b;        // (k) -> (k,1)
        Tensor c = product(a2, b2);
        if (a.dim() > 1 && b.dim() > 1) return c;
        int[] s = c.shape;
        int keep = s.length - (a.dim() == 1 ? 1 : 0) - (b.dim() == 1 ? 1 : 0);
        int[] out = new int[keep];
        int j = 0;
        for (int i = 0; i < s.length - 2; i++) out[j++] = s[i];
        if (a.dim() > 1) out[j++] = s[s.length - 2];
        if (b.dim() > 1) out[j] = s[s.length - 1];
        return c.reshape(out);
    }

    /** Both at least 2-D. */
    private static Tensor product(Tensor a, Tensor b) {
        int ra = a.dim(), rb = b.dim();
        int m = a.shape[ra - 2], k = a.shape[ra - 1], n = b.shape[rb - 1];
        if (b.shape[rb - 2] != k) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + m + "x" + k + " and " + b.shape[rb - 2] + "x" + n
                    + "): shapes " + Shapes.str(a.shape) + " @ " + Shapes.str(b.shape) + " need the last dim of the first to equal the second-to-last of the second");
        }
        int[] batch = Shapes.broadcast(Arrays.copyOf(a.shape, ra - 2), Arrays.copyOf(b.shape, rb - 2));
        int nb = Shapes.numel(batch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        float[] out = new float[nb * m * n];
        if (Shapes.numel(Arrays.copyOf(b.shape, rb - 2)) == 1 && ra > 2 && Arrays.equals(Arrays.copyOf(a.shape, ra - 2), batch)) {
            Operand oa = Operand.of(a.detach().reshape(nb * m, k), new int[0]); // (..., m, k) @ (k, n): one product of nb*m rows
            Operand ob = Operand.of(b, new int[0]);
            Backend.get().gemm(1, oa.trans, ob.trans, nb * m, n, k, oa.data, oa.off, 0, ob.data, ob.off, 0, out);
        } else {
            Operand oa = Operand.of(a, batch), ob = Operand.of(b, batch);
            Backend.get().gemm(nb, oa.trans, ob.trans, m, n, k, oa.data, oa.off, oa.step, ob.data, ob.off, ob.step, out);
        }
        return Autograd.record(Tensor.of(out, outShape), "BmmBackward0", g -> {
            if (a.requiresGrad) a.accumulateGrad(product(g, b.transpose(-2, -1)));   // dA = dC @ B^T
            if (b.requiresGrad && b.dim() == 2 && a.dim() > 2) {                      // a weight: one product over all rows
                b.accumulateGrad(product(a.reshape(-1, k).transpose(0, 1), g.reshape(-1, n)));   // dB = A^T @ dC, (k, n)
            } else if (b.requiresGrad) {
                b.accumulateGrad(product(a.transpose(-2, -1), g));                   // dB = A^T @ dC, per batch
            }
        }, a, b);
    }

    /** One operand as BLAS reads it: an array, where it starts, the step between batch matrices (0: shared), transposed or not. */
    private record Operand(float[] data, int off, int step, boolean trans) {
        static Operand of(Tensor t, int[] batch) {
            int r = t.dim();
            int rows = t.shape[r - 2], cols = t.shape[r - 1];
            int[] own = Arrays.copyOf(t.shape, r - 2);
            boolean shared = Shapes.numel(own) == 1;
            if (shared || Arrays.equals(own, batch)) {
                Tensor mat = shared ? t.view(new int[]{rows, cols}, new int[]{t.strides[r - 2], t.strides[r - 1]}, t.offset) : t.detach();
                if (mat.isContiguous()) return new Operand(mat.f, mat.offset, shared ? 0 : rows * cols, false);
                Tensor tr = Views.transpose(mat, -2, -1);                              // a transposed contiguous view: BLAS reads it transposed
                if (tr.isContiguous()) return new Operand(tr.f, tr.offset, shared ? 0 : rows * cols, true);
                Tensor c = Views.copy(mat);
                return new Operand(c.f, 0, shared ? 0 : rows * cols, false);
            }
            int[] full = Arrays.copyOf(batch, batch.length + 2);               // broadcast batch dims: materialise
            full[batch.length] = rows;
            full[batch.length + 1] = cols;
            int[] idx = Shapes.offsets(t, full);
            float[] data = new float[idx.length];
            for (int i = 0; i < idx.length; i++) data[i] = t.f[idx[i]];
            return new Operand(data, 0, rows * cols, false);
        }
    }
}
