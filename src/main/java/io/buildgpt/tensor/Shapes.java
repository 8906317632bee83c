package io.buildgpt.tensor;

import java.util.Arrays;

/** Shape arithmetic: sizes, row-major strides, negative dims, PyTorch's broadcasting, and the offsets a strided view reads. */
final class Shapes {
    private Shapes() {}

    static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in shape " + str(shape));
            n *= s;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31 elements");
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** {@code dim} in {@code [-rank, rank)} turned into {@code [0, rank)}, as PyTorch's wrap_dim. */
    static int dim(int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + -r + ", " + (r - 1) + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** The broadcast shape of {@code a} and {@code b} (trailing dims aligned, sizes equal or 1). */
    static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int x = i < n - a.length ? 1 : a[i - (n - a.length)];
            int y = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("The size of tensor a (" + x + ") must match the size of tensor b (" + y
                        + ") at non-singleton dimension " + i + ": shapes " + str(a) + " and " + str(b) + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /**
     * The storage offset of each element of {@code t} broadcast to {@code outShape}, in row-major order of
     * {@code outShape}: one loop handles broadcasting (stride 0), transposes and slices alike.
     */
    static int[] offsets(Tensor t, int[] outShape) {
        int n = outShape.length, size = numel(outShape);
        if (t.isContiguous() && isSuffix(t.shape, outShape)) {        // a contiguous block repeated (or once): no odometer
            int[] out = new int[size];
            int period = Math.max(1, numel(t.shape));
            for (int k = 0; k < size; k++) out[k] = t.offset + k % period;
            return out;
        }
        int[] st = new int[n];
        int shift = n - t.shape.length;
        for (int i = 0; i < t.shape.length; i++) st[i + shift] = t.shape[i] == 1 ? 0 : t.strides[i];
        int[] out = new int[size];
        int[] idx = new int[n];
        int off = t.offset;
        for (int k = 0; k < size; k++) {
            out[k] = off;
            for (int d = n - 1; d >= 0; d--) {           // odometer: next index, carry to the left
                idx[d]++;
                off += st[d];
                if (idx[d] < outShape[d]) break;
                off -= st[d] * idx[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /** Whether {@code shape}, leading 1s dropped, equals the trailing dims of {@code out}. */
    private static boolean isSuffix(int[] shape, int[] out) {
        int lead = 0;
        while (lead < shape.length && shape[lead] == 1) lead++;
        int len = shape.length - lead;
        if (len > out.length) return false;
        for (int i = 0; i < len; i++) if (shape[lead + i] != out[out.length - len + i]) return false;
        return true;
    }

    static boolean isContiguous(int[] shape, int[] strides) {
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) return false;
            s *= shape[i];
        }
        return true;
    }

    static String str(int[] shape) {
        return "[" + String.join(", ", Arrays.stream(shape).mapToObj(Integer::toString).toArray(String[]::new)) + "]";
    }

    /** {@code view}'s shape with at most one {@code -1} inferred. */
    static int[] infer(int[] newShape, int numel, int[] oldShape) {
        int[] s = newShape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("only one dimension can be inferred in shape " + str(newShape));
                unknown = i;
            } else known *= s[i];
        }
        if (unknown >= 0 && known != 0 && numel % known == 0) s[unknown] = (int) (numel / known);
        if (unknown >= 0 && s[unknown] < 0 || known * (unknown >= 0 ? Math.max(s[unknown], 0) : 1) != numel) {
            throw new IllegalArgumentException("shape " + str(newShape) + " is invalid for input of size " + numel + " (shape " + str(oldShape) + ")");
        }
        return s;
    }
}
