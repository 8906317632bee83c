package io.buildgpt.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Shape and indexing ops. Transpose, view, select and slice share the input's storage (new shape, strides
 * and offset, as PyTorch's views); their backward is one rule: make zeros of the input's shape, take the same
 * view of them, and write the output's gradient through it.
 */
final class Views {
    private Views() {}

    /** The gradient of {@code in} for an op that is the view {@code op(in)}: {@code g} placed through the same view of zeros. */
    private static Tensor record(Tensor in, Tensor out, String name, UnaryOperator<Tensor> op) {
        return Autograd.record(out, name, g -> {
            Tensor gin = Tensor.zeros(in.shape);
            Tensor through = op.apply(gin);
            int[] at = Shapes.offsets(through, through.shape);
            int[] gi = Shapes.offsets(g, through.shape);
            for (int i = 0; i < at.length; i++) gin.f[at[i]] += g.f[gi[i]];
            in.accumulateGrad(gin);
        }, in);
    }

    static Tensor copy(Tensor t) {
        if (t.isContiguous()) {                                   // one block copy
            return t.dtype == DType.INT64 ? Tensor.ofLongs(java.util.Arrays.copyOfRange(t.l, t.offset, t.offset + t.numel()), t.shape.clone())
                    : Tensor.of(java.util.Arrays.copyOfRange(t.f, t.offset, t.offset + t.numel()), t.shape.clone());
        }
        int[] idx = Shapes.offsets(t, t.shape);
        if (t.dtype == DType.INT64) {
            long[] out = new long[idx.length];
            for (int i = 0; i < out.length; i++) out[i] = t.l[idx[i]];
            return Tensor.ofLongs(out, t.shape.clone());
        }
        float[] out = new float[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = t.f[idx[i]];
        return Tensor.of(out, t.shape.clone());
    }

    static Tensor contiguous(Tensor t) {
        if (t.isContiguous()) return t;
        return Autograd.record(copy(t), "CloneBackward0", t::accumulateGrad, t);
    }

    static Tensor transpose(Tensor t, int d0, int d1) {
        int a = Shapes.dim(d0, t.dim()), b = Shapes.dim(d1, t.dim());
        int[] shape = t.shape.clone(), strides = t.strides.clone();
        shape[a] = t.shape[b];
        shape[b] = t.shape[a];
        strides[a] = t.strides[b];
        strides[b] = t.strides[a];
        return Autograd.record(t.view(shape, strides, t.offset), "TransposeBackward0", g -> t.accumulateGrad(transpose(g, d0, d1)), t);
    }

    static Tensor view(Tensor t, int[] newShape) {
        int[] shape = Shapes.infer(newShape, t.numel(), t.shape);
        if (!t.isContiguous()) {
            throw new IllegalArgumentException("view size is not compatible with input tensor's size and stride (shape " + Shapes.str(t.shape)
                    + " is a non-contiguous view, e.g. after transpose): use reshape(...) or contiguous().view(...) instead");
        }
        int[] inShape = t.shape;                                  // the gradient of a view is the output's gradient viewed back
        return Autograd.record(t.view(shape, Shapes.contiguousStrides(shape), t.offset), "ViewBackward0",
                g -> t.accumulateGrad(reshape(g, inShape)), t);
    }

    static Tensor reshape(Tensor t, int[] newShape) {
        return view(contiguous(t), newShape);
    }

    static Tensor select(Tensor t, int dim, int index) {
        int d = Shapes.dim(dim, t.dim());
        int n = t.shape[d];
        if (index < -n || index >= n) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension " + d + " with size " + n
                    + " (shape " + Shapes.str(t.shape) + ")");
        }
        int i = index < 0 ? index + n : index;
        int[] shape = remove(t.shape, d), strides = remove(t.strides, d);
        return record(t, t.view(shape, strides, t.offset + i * t.strides[d]), "SelectBackward0", x -> select(x, d, i));
    }

    static Tensor slice(Tensor t, int dim, int start, int end) {
        int d = Shapes.dim(dim, t.dim());
        int n = t.shape[d];
        int s = clamp(start < 0 ? start + n : start, n), e = clamp(end < 0 ? end + n : end, n);
        if (e < s) e = s;
        int[] shape = t.shape.clone();
        shape[d] = e - s;
        int from = s, to = e;
        return record(t, t.view(shape, t.strides.clone(), t.offset + s * t.strides[d]), "SliceBackward0", x -> slice(x, d, from, to));
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(i, n));
    }

    private static int[] remove(int[] a, int d) {
        int[] r = new int[a.length - 1];
        for (int i = 0, j = 0; i < a.length; i++) if (i != d) r[j++] = a[i];
        return r;
    }

    /** Python's basic indexing written as a string: {@code ":, -1, :"}, {@code ":, -8:"}, {@code "0, :3"}. */
    static Tensor index(Tensor t, String spec) {
        String[] parts = spec.split(",", -1);
        if (parts.length > t.dim()) {
            throw new IndexOutOfBoundsException("too many indices for tensor of dimension " + t.dim() + ": [" + spec + "]");
        }
        Tensor r = t;
        int dim = 0;
        for (String raw : parts) {
            String p = raw.strip();
            try {
                if (p.contains(":")) {
                    String[] se = p.split(":", -1);
                    if (se.length != 2) throw new IllegalArgumentException("steps are not supported: '" + p + "'");
                    int start = se[0].isBlank() ? 0 : Integer.parseInt(se[0].strip());
                    int end = se[1].isBlank() ? Integer.MAX_VALUE : Integer.parseInt(se[1].strip());
                    r = slice(r, dim++, start, end);
                } else {
                    r = select(r, dim, Integer.parseInt(p));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cannot read index '" + p + "' in [" + spec + "]: use integers, 'a:b', 'a:' or ':'");
            }
        }
        return r;
    }

    /** {@code weight[ids]} (embedding lookup): backward adds each output row into its id's row. */
    static Tensor gatherRows(Tensor w, Tensor ids) {
        if (ids.dtype != DType.INT64) throw new IllegalArgumentException("indices must be int64, got " + ids.dtype);
        Tensor wc = contiguous(w).detach();
        int rows = w.shape[0], width = w.numel() / Math.max(rows, 1);
        long[] id = ids.contiguous().l;
        int idOff = ids.contiguous().offset, n = ids.numel();
        int[] shape = new int[ids.dim() + w.dim() - 1];
        System.arraycopy(ids.shape, 0, shape, 0, ids.dim());
        System.arraycopy(w.shape, 1, shape, ids.dim(), w.dim() - 1);
        Tensor out = w.dtype == DType.INT64 ? Tensor.ofLongs(new long[n * width], shape) : Tensor.of(new float[n * width], shape);
        for (int i = 0; i < n; i++) {
            long r = id[idOff + i];
            if (r < 0 || r >= rows) throw new IndexOutOfBoundsException("index " + r + " is out of range for a table of " + rows + " rows");
            if (w.dtype == DType.INT64) System.arraycopy(wc.l, wc.offset + (int) r * width, out.l, i * width, width);
            else System.arraycopy(wc.f, wc.offset + (int) r * width, out.f, i * width, width);
        }
        return Autograd.record(out, "EmbeddingBackward0", g -> {
            Tensor gw = Tensor.zeros(w.shape);
            Tensor gc = g.contiguous();
            for (int i = 0; i < n; i++) {
                int dst = (int) id[idOff + i] * width, src = gc.offset + i * width;
                for (int j = 0; j < width; j++) gw.f[dst + j] += gc.f[src + j];
            }
            w.accumulateGrad(gw);
        }, w);
    }

    /** {@code torch.cat(tensors, dim)}: backward hands each input its slice of the gradient. */
    static Tensor cat(List<Tensor> ts, int dim) {
        if (ts.isEmpty()) throw new IllegalArgumentException("cat needs at least one tensor");
        Tensor first = ts.get(0);
        int d = Shapes.dim(dim, first.dim());
        int[] shape = first.shape.clone();
        shape[d] = 0;
        for (Tensor t : ts) {
            boolean same = t.dim() == first.dim() && t.dtype == first.dtype;
            for (int i = 0; same && i < shape.length; i++) same = i == d || t.shape[i] == first.shape[i];
            if (!same) {
                throw new IllegalArgumentException("Sizes of tensors must match except in dimension " + d + ": got " + Shapes.str(first.shape)
                        + " " + first.dtype + " and " + Shapes.str(t.shape) + " " + t.dtype);
            }
            shape[d] += t.shape[d];
        }
        Tensor out = first.dtype == DType.INT64 ? Tensor.ofLongs(new long[Shapes.numel(shape)], shape) : Tensor.zeros(shape);
        int at = 0;
        List<int[]> ranges = new ArrayList<>();
        for (Tensor t : ts) {
            Tensor dst = slice(out.detach(), d, at, at + t.shape[d]);
            int[] di = Shapes.offsets(dst, dst.shape), si = Shapes.offsets(t, dst.shape);
            for (int i = 0; i < di.length; i++) {
                if (out.dtype == DType.INT64) out.l[di[i]] = t.l[si[i]];
                else out.f[di[i]] = t.f[si[i]];
            }
            ranges.add(new int[]{at, at + t.shape[d]});
            at += t.shape[d];
        }
        Tensor[] inputs = ts.toArray(new Tensor[0]);
        return Autograd.record(out, "CatBackward0", g -> {
            for (int i = 0; i < inputs.length; i++) inputs[i].accumulateGrad(slice(g, d, ranges.get(i)[0], ranges.get(i)[1]));
        }, inputs);
    }

    /** {@code torch.stack(tensors, dim)}: each gets a new size-1 dim, then cat. */
    static Tensor stack(List<Tensor> ts, int dim) {
        if (ts.isEmpty()) throw new IllegalArgumentException("stack needs at least one tensor");
        int d = Shapes.dim(dim, ts.get(0).dim() + 1);
        List<Tensor> expanded = new ArrayList<>();
        for (Tensor t : ts) {
            int[] s = new int[t.dim() + 1];
            for (int i = 0, j = 0; i < s.length; i++) s[i] = i == d ? 1 : t.shape[j++];
            expanded.add(reshape(t, s));
        }
        return cat(expanded, d);
    }

    static String shapes(List<Tensor> ts) {
        return Arrays.toString(ts.stream().map(t -> Shapes.str(t.shape)).toArray());
    }
}
