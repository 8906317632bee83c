package io.buildgpt.tensor;

import java.util.Arrays;

/** Elementwise ops with PyTorch's broadcasting, each with its backward right below its forward. */
final class Elementwise {
    private Elementwise() {}

    enum Op { ADD, SUB, MUL, DIV }               // in the order of Backend.Binary

    enum Fn { EXP, LOG, TANH, RELU, SQRT }       // in the order of Backend.Unary

    private static final Backend.Binary[] BINARY = Backend.Binary.values();
    private static final Backend.Unary[] UNARY = Backend.Unary.values();

    static void requireFloat(Tensor t, String op) {
        if (t.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException(op + " needs float32 tensors, got " + t.dtype + " of shape " + Shapes.str(t.shape)
                    + ": convert ids with toType(DType.FLOAT32) first");
        }
    }

    /** The index map of {@code t} read as {@code shape}, or null when it is a plain run from its offset. */
    static int[] indexMap(Tensor t, int[] shape) {
        return Arrays.equals(t.shape, shape) && t.isContiguous() ? null : Shapes.offsets(t, shape);
    }

    /** {@code a op b}, broadcast. */
    static Tensor binary(Tensor a, Tensor b, Op op) {
        requireFloat(a, op.name().toLowerCase());
        requireFloat(b, op.name().toLowerCase());
        int[] shape = Shapes.broadcast(a.shape, b.shape);
        float[] out = new float[Shapes.numel(shape)];
        Backend.get().binary(BINARY[op.ordinal()], a.f, indexMap(a, shape), a.offset, b.f, indexMap(b, shape), b.offset, out);
        Tensor r = Tensor.of(out, shape);
        return switch (op) {
            case ADD -> Autograd.record(r, "AddBackward0", g -> {
                a.accumulateGrad(g);                                   // d(a+b)/da = 1, summed over broadcast dims
                b.accumulateGrad(g);
            }, a, b);
            case SUB -> Autograd.record(r, "SubBackward0", g -> {
                a.accumulateGrad(g);
                b.accumulateGrad(g.neg());
            }, a, b);
            case MUL -> Autograd.record(r, "MulBackward0", g -> {
                if (a.requiresGrad) a.accumulateGrad(g.mul(b));       // d(a*b)/da = b
                if (b.requiresGrad) b.accumulateGrad(g.mul(a));
            }, a, b);
            case DIV -> Autograd.record(r, "DivBackward0", g -> {
                if (a.requiresGrad) a.accumulateGrad(g.div(b));       // d(a/b)/da = 1/b
                if (b.requiresGrad) b.accumulateGrad(g.mul(a).div(b.mul(b)).neg()); // d(a/b)/db = -a/b^2
            }, a, b);
        };
    }

    /** {@code t op v} for a constant {@code v} (as PyTorch, the constant is a float32 value). */
    static Tensor scalar(Tensor t, double v, Op op) {
        requireFloat(t, op.name().toLowerCase());
        float c = (float) v;
        Tensor r = binaryWithConstant(t, c, op);
        return switch (op) {
            case ADD, SUB -> Autograd.record(r, op == Op.ADD ? "AddBackward0" : "SubBackward0", t::accumulateGrad, t);
            case MUL -> Autograd.record(r, "MulBackward0", g -> t.accumulateGrad(g.mul(v)), t);
            case DIV -> Autograd.record(r, "DivBackward0", g -> t.accumulateGrad(g.div(v)), t);
        };
    }

    private static Tensor binaryWithConstant(Tensor t, float c, Op op) {
        float[] out = new float[t.numel()];
        Backend.get().binary(BINARY[op.ordinal()], t.f, indexMap(t, t.shape), t.offset, new float[]{c}, new int[out.length], 0, out);
        return Tensor.of(out, t.shape.clone());
    }

    /** {@code t ** p}. */
    static Tensor pow(Tensor t, double p) {
        requireFloat(t, "pow");
        float[] x = t.contiguous().f;
        int off = t.contiguous().offset;
        float[] out = new float[t.numel()];
        for (int i = 0; i < out.length; i++) out[i] = p == 2 ? x[off + i] * x[off + i] : (float) Math.pow(x[off + i], p);
        return Autograd.record(Tensor.of(out, t.shape.clone()), "PowBackward0",
                g -> t.accumulateGrad(g.mul(t.pow(p - 1)).mul(p)), t);   // d(x^p)/dx = p x^(p-1)
    }

    /** {@code fn(t)}. */
    static Tensor unary(Tensor t, Fn fn) {
        requireFloat(t, fn.name().toLowerCase());
        float[] out = new float[t.numel()];
        Backend.get().unary(UNARY[fn.ordinal()], t.f, indexMap(t, t.shape), t.offset, out);
        Tensor r = Tensor.of(out, t.shape.clone());
        return switch (fn) {
            case EXP -> Autograd.record(r, "ExpBackward0", g -> t.accumulateGrad(g.mul(r)), t);        // d e^x = e^x
            case LOG -> Autograd.record(r, "LogBackward0", g -> t.accumulateGrad(g.div(t)), t);        // d ln x = 1/x
            case TANH -> Autograd.record(r, "TanhBackward0",
                    g -> t.accumulateGrad(g.mul(r.mul(r).neg().add(1.0))), t);                          // 1 - tanh^2
            case RELU -> Autograd.record(r, "ReluBackward0", g -> t.accumulateGrad(passPositive(g, r)), t); // g where out > 0, else 0
            case SQRT -> Autograd.record(r, "SqrtBackward0", g -> t.accumulateGrad(g.div(r.mul(2.0))), t); // 1/(2 sqrt x)
        };
    }

    private static Tensor passPositive(Tensor g, Tensor r) {
        int[] gi = indexMap(g, r.shape);
        float[] d = new float[r.numel()];
        for (int i = 0; i < d.length; i++) d[i] = r.f[i] > 0 ? g.f[gi == null ? g.offset + i : gi[i]] : 0f;
        return Tensor.of(d, r.shape.clone());
    }

    /** {@code t.masked_fill(mask, value)}: the gradient passes where the mask is 0. */
    static Tensor maskedFill(Tensor t, Tensor mask, double value) {
        requireFloat(t, "masked_fill");
        int[] shape = Shapes.broadcast(t.shape, mask.shape);
        if (!Arrays.equals(shape, t.shape)) {
            throw new IllegalArgumentException("masked_fill: mask of shape " + Shapes.str(mask.shape) + " must broadcast to the tensor's shape "
                    + Shapes.str(t.shape));
        }
        int[] ti = Shapes.offsets(t, shape), mi = Shapes.offsets(mask, shape);
        float[] out = new float[ti.length], keep = new float[ti.length];
        float v = (float) value;
        for (int i = 0; i < out.length; i++) {
            boolean masked = mask.dtype == DType.INT64 ? mask.l[mi[i]] != 0 : mask.f[mi[i]] != 0;
            out[i] = masked ? v : t.f[ti[i]];
            keep[i] = masked ? 0f : 1f;
        }
        return Autograd.record(Tensor.of(out, shape), "MaskedFillBackward0",
                g -> t.accumulateGrad(g.mul(Tensor.of(keep, shape))), t);
    }

    /** {@code t == value} as an int64 0/1 mask (no gradient). */
    static Tensor eq(Tensor t, double value) {
        int[] idx = Shapes.offsets(t, t.shape);
        long[] out = new long[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = (t.dtype == DType.FLOAT32 ? t.f[idx[i]] : t.l[idx[i]]) == value ? 1 : 0;
        return Tensor.ofLongs(out, t.shape.clone());
    }

    /** {@code acc += g} in place, {@code acc} contiguous with its own storage (gradient accumulation). */
    static void addInPlace(Tensor acc, Tensor g) {
        int[] gi = indexMap(g, acc.shape);
        for (int i = 0; i < acc.f.length; i++) acc.f[i] += g.f[gi == null ? g.offset + i : gi[i]];
    }
}
