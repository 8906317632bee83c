package io.buildgpt.tensor;

import io.buildgpt.random.TorchGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * An n-dimensional array of float32 or int64 with reverse-mode autograd: the project's {@code torch.Tensor}.
 * Row-major storage with strides, so that {@link #transpose}, {@link #select} and {@link #slice} are views;
 * PyTorch's broadcasting for the elementwise ops; {@link #backward()} fills {@link #grad()} of every leaf
 * created with {@link #requiresGrad_(boolean)}. The ops live in small classes by kind (elementwise,
 * reductions, views, matmul, nn ops) with each backward next to its forward; this class is their face.
 */
public final class Tensor {
    final DType dtype;
    final float[] f;          // storage when FLOAT32
    final long[] l;           // storage when INT64
    final int[] shape;
    final int[] strides;
    final int offset;
    boolean requiresGrad;
    Tensor grad;
    Autograd.Node gradFn;

    Tensor(DType dtype, float[] f, long[] l, int[] shape, int[] strides, int offset) {
        this.dtype = dtype;
        this.f = f;
        this.l = l;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A new contiguous float32 tensor over {@code data} (not copied). */
    static Tensor of(float[] data, int... shape) {
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Shapes.str(shape));
        }
        return new Tensor(DType.FLOAT32, data, null, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** A new contiguous int64 tensor over {@code data} (not copied). */
    static Tensor ofLongs(long[] data, int... shape) {
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Shapes.str(shape));
        }
        return new Tensor(DType.INT64, null, data, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** A view of the same storage with another shape, strides and offset. */
    Tensor view(int[] shape, int[] strides, int offset) {
        return new Tensor(dtype, f, l, shape, strides, offset);
    }

    // ---- factories (torch.zeros, torch.tensor, ...) ----------------------------------------------

    /** {@code torch.tensor(data).view(shape)}: float32 values, copied. */
    public static Tensor tensor(float[] data, int... shape) { return of(data.clone(), shape.length == 0 ? new int[]{data.length} : shape); }
    /** {@code torch.tensor(data)} of int64 ids, copied; shape {@code (len)} unless given. */
    public static Tensor tensor(long[] data, int... shape) { return ofLongs(data.clone(), shape.length == 0 ? new int[]{data.length} : shape); }
    /** {@code torch.tensor([[...], ...])}: a float32 matrix from rows of equal length. */
    public static Tensor tensor(float[][] rows) { return Factories.matrix(rows); }
    /** A 0-dim float32 tensor, {@code torch.tensor(value)}. */
    public static Tensor scalar(double value) { return of(new float[]{(float) value}); }
    public static Tensor zeros(int... shape) { return of(new float[Shapes.numel(shape)], shape); }
    /** {@code torch.zeros(shape, dtype=...)}: {@code zeros(DType.INT64, 1, 1)} is generation's start context. */
    public static Tensor zeros(DType type, int... shape) { return type == DType.INT64 ? ofLongs(new long[Shapes.numel(shape)], shape) : zeros(shape); }
    /** {@code torch.tensor(ids, dtype=torch.long)} from a tokenizer's {@code int[]}; shape {@code (len)} unless given. */
    public static Tensor tensor(int[] ids, int... shape) { return ofLongs(java.util.Arrays.stream(ids).asLongStream().toArray(), shape.length == 0 ? new int[]{ids.length} : shape); }
    public static Tensor ones(int... shape) { return Factories.full(1f, shape); }
    public static Tensor full(double value, int... shape) { return Factories.full((float) value, shape); }
    public static Tensor zerosLike(Tensor t) { return zeros(t.shape); }
    public static Tensor onesLike(Tensor t) { return ones(t.shape); }
    /** {@code torch.arange(end)}: int64 {@code 0..end-1}. */
    public static Tensor arange(int end) { return Factories.arange(end); }
    /** {@code torch.tril(t)}: the lower triangle (with the diagonal) of the last two dims, the rest 0. */
    public static Tensor tril(Tensor t) { return Factories.tril(t); }
    /** {@code torch.randn(shape)} from the default generator ({@link #manualSeed}). */
    public static Tensor randn(int... shape) { return randn(Factories.generator(), shape); }
    public static Tensor randn(TorchGenerator g, int... shape) { return Factories.randn(g, shape); }
    /** {@code torch.randint(high, shape)}: int64 in {@code [0, high)} from the default generator. */
    public static Tensor randint(long high, int... shape) { return randint(Factories.generator(), high, shape); }
    public static Tensor randint(TorchGenerator g, long high, int... shape) { return Factories.randint(g, high, shape); }
    /** {@code torch.multinomial(probs, numSamples)} with one sample per row ((rows, C) -> (rows, 1)); default generator. */
    public static Tensor multinomial(Tensor probs, int numSamples) { return multinomial(probs, numSamples, Factories.generator()); }
    public static Tensor multinomial(Tensor probs, int numSamples, TorchGenerator g) { return Factories.multinomial(probs, numSamples, g); }
    /** {@code torch.manual_seed(seed)} on the default generator that the factories, layers and dropout draw from. */
    public static TorchGenerator manualSeed(long seed) { return Factories.manualSeed(seed); }
    /** The default generator ({@code torch.default_generator}). */
    public static TorchGenerator defaultGenerator() { return Factories.generator(); }
    /** {@code torch.cat(tensors, dim)}. */
    public static Tensor cat(List<Tensor> tensors, int dim) { return Views.cat(tensors, dim); }
    /** {@code torch.stack(tensors, dim)}. */
    public static Tensor stack(List<Tensor> tensors, int dim) { return Views.stack(tensors, dim); }
    /** An ND4J array copied into a new tensor (float types to float32, integer types to int64). */
    public static Tensor from(INDArray array) { return Nd4jTensors.from(array); }
    /** This tensor's values copied into a new ND4J array (FLOAT or INT64). */
    public INDArray toINDArray() { return Nd4jTensors.to(this); }

    /**
     * {@code with torch.no_grad():} as {@code try (var g = Tensor.noGrad()) { ... }}: inside, ops record no
     * graph (faster, and nothing to backpropagate). Scopes nest; each belongs to its thread.
     */
    public static NoGrad noGrad() { return new NoGrad(); }

    /** The no-grad scope; closing it turns gradient recording back on (unless an outer scope is open). */
    public static final class NoGrad implements AutoCloseable {
        private boolean open = true;
        NoGrad() { Autograd.enter(); }
        @Override public void close() { if (open) { open = false; Autograd.exit(); } }
    }

    // ---- what it is --------------------------------------------------------------------------------

    public int[] shape() { return shape.clone(); }
    public int size(int dim) { return shape[Shapes.dim(dim, shape.length)]; }
    public int dim() { return shape.length; }
    public int numel() { return Shapes.numel(shape); }
    public DType dtype() { return dtype; }
    public boolean isContiguous() { return Shapes.isContiguous(shape, strides); }
    /** The one value of a one-element tensor, {@code t.item()}. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("a Tensor with " + numel() + " elements cannot be converted to a scalar (shape " + Shapes.str(shape) + ")");
        return dtype == DType.FLOAT32 ? f[offset] : l[offset];
    }
    /** The values in row-major order, a copy. */
    public float[] toFloatArray() { return dtype == DType.FLOAT32 ? Views.copy(this).f : Factories.toFloats(this); }
    public long[] toLongArray() { return dtype == DType.INT64 ? Views.copy(this).l : Factories.toLongs(this); }
    /** Row-major copy if this is a non-contiguous view, else this. */
    public Tensor contiguous() { return Views.contiguous(this); }
    /** {@code t.float()} / {@code t.long()}: a copy in the other type (no gradient flows). */
    public Tensor toType(DType type) { return Factories.convert(this, type); }

    // ---- autograd -----------------------------------------------------------------------------------

    public boolean requiresGrad() { return requiresGrad; }
    /** Marks a leaf as needing its gradient ({@code requires_grad_()}); returns this. */
    public Tensor requiresGrad_(boolean on) {
        if (gradFn != null) throw new IllegalStateException("you can only change requires_grad flags of leaf variables; this tensor comes from " + gradFn.name());
        if (on && dtype != DType.FLOAT32) throw new IllegalStateException("only float32 tensors can require gradients, not " + dtype);
        requiresGrad = on;
        return this;
    }
    /** The accumulated gradient of a leaf after {@link #backward()}, or null. */
    public Tensor grad() { return grad; }
    /** Sets or clears ({@code null}) the gradient: {@code p.grad = None}. */
    public void setGrad(Tensor g) { grad = g; }
    /** The name of the op that made this tensor ({@code grad_fn}), or null for a leaf. */
    public String gradFnName() { return gradFn == null ? null : gradFn.name(); }
    /** {@code loss.backward()} for a one-element tensor: adds d(this)/d(leaf) into each leaf's {@link #grad()}. */
    public void backward() {
        if (numel() != 1) throw new IllegalStateException("grad can be implicitly created only for scalar outputs; this one has shape " + Shapes.str(shape));
        Autograd.backward(this, onesLike(this));
    }
    /**
     * The storage of a contiguous float32 tensor that owns it from its start (a parameter), written in place by
     * optimisers and weight loaders; a view or an int64 tensor is refused.
     */
    public float[] data() {
        if (dtype != DType.FLOAT32 || offset != 0 || !isContiguous() || f.length != numel()) {
            throw new IllegalStateException("data() needs a contiguous float32 tensor that owns its storage, not a view of shape " + Shapes.str(shape));
        }
        return f;
    }
    /**
     * {@code t.copy_(src)} outside the graph: this tensor's values, or the part of its storage this view covers,
     * overwritten by {@code src}'s (broadcast). So {@code xbow[b, t] = x} is {@code xbow.get(b + ", " + t).copy_(x)}.
     */
    public Tensor copy_(Tensor src) {
        if (src.dim() > dim() || !java.util.Arrays.equals(Shapes.broadcast(src.shape, shape), shape)) {
            throw new IllegalArgumentException("copy_: the source of shape " + Shapes.str(src.shape) + " does not broadcast to this tensor's shape "
                    + Shapes.str(shape) + ": view it first");
        }
        if (requiresGrad && gradFn == null && Autograd.enabled()) {
            throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation: wrap it in Tensor.noGrad()");
        }
        int[] di = Shapes.offsets(this, shape), si = Shapes.offsets(src, shape);
        for (int i = 0; i < di.length; i++) {
            double v = src.dtype == DType.FLOAT32 ? src.f[si[i]] : src.l[si[i]];
            if (dtype == DType.FLOAT32) f[di[i]] = (float) v;
            else l[di[i]] = (long) v;
        }
        return this;
    }
    /** {@code torch.allclose(this, other)}: {@code |a - b| <= 1e-8 + 1e-5 |b|} everywhere (shapes broadcast). */
    public boolean allclose(Tensor other) {
        int[] s = Shapes.broadcast(shape, other.shape);
        float[] a = Tensor.zeros(s).add(toType(DType.FLOAT32)).f, b = Tensor.zeros(s).add(other.toType(DType.FLOAT32)).f;
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-8 + 1e-5 * Math.abs(b[i])) && !(a[i] == b[i])) return false;
        }
        return true;
    }
    /** {@code t.shape} as PyTorch prints a {@code torch.Size}: {@code [4, 8]}. */
    public java.util.List<Integer> size() { return java.util.Arrays.stream(shape).boxed().toList(); }
    /** The same values, cut from the graph ({@code t.detach()}); shares storage. */
    public Tensor detach() { return view(shape, strides, offset); }

    void accumulateGrad(Tensor g) {
        if (!requiresGrad) return;
        if (!java.util.Arrays.equals(g.shape, shape)) g = Autograd.sumTo(g, shape);
        if (grad == null) grad = g.clone();   // its own storage: later steps add into it in place
        else Elementwise.addInPlace(grad, g);
    }

    /** {@code t.clone()}: a contiguous copy with its own storage; the gradient flows through. */
    @Override public Tensor clone() { return Autograd.record(Views.copy(this), "CloneBackward0", this::accumulateGrad, this); }

    // ---- elementwise (broadcasting) ---------------------------------------------------------------------

    public Tensor add(Tensor o) { return Elementwise.binary(this, o, Elementwise.Op.ADD); }
    public Tensor sub(Tensor o) { return Elementwise.binary(this, o, Elementwise.Op.SUB); }
    public Tensor mul(Tensor o) { return Elementwise.binary(this, o, Elementwise.Op.MUL); }
    public Tensor div(Tensor o) { return Elementwise.binary(this, o, Elementwise.Op.DIV); }
    public Tensor add(double v) { return Elementwise.scalar(this, v, Elementwise.Op.ADD); }
    public Tensor sub(double v) { return Elementwise.scalar(this, v, Elementwise.Op.SUB); }
    public Tensor mul(double v) { return Elementwise.scalar(this, v, Elementwise.Op.MUL); }
    public Tensor div(double v) { return Elementwise.scalar(this, v, Elementwise.Op.DIV); }
    /** {@code t ** p} for a constant exponent. */
    public Tensor pow(double p) { return Elementwise.pow(this, p); }
    public Tensor neg() { return mul(-1.0); }
    public Tensor exp() { return Elementwise.unary(this, Elementwise.Fn.EXP); }
    public Tensor log() { return Elementwise.unary(this, Elementwise.Fn.LOG); }
    public Tensor tanh() { return Elementwise.unary(this, Elementwise.Fn.TANH); }
    public Tensor relu() { return Elementwise.unary(this, Elementwise.Fn.RELU); }
    public Tensor sqrt() { return Elementwise.unary(this, Elementwise.Fn.SQRT); }
    /** {@code t.masked_fill(mask, value)}: {@code value} where {@code mask} (broadcast) is non-zero. */
    public Tensor maskedFill(Tensor mask, double value) { return Elementwise.maskedFill(this, mask, value); }
    /** {@code t == value} as 0/1 (PyTorch gives bool; here an int64 mask that {@link #maskedFill} accepts). */
    public Tensor eq(double value) { return Elementwise.eq(this, value); }

    // ---- reductions ---------------------------------------------------------------------------------------

    public Tensor sum() { return Reductions.sumAll(this); }
    public Tensor sum(int dim) { return sum(dim, false); }
    public Tensor sum(int dim, boolean keepdim) { return Reductions.sum(this, dim, keepdim); }
    public Tensor mean() { return sum().div(numel()); }
    public Tensor mean(int dim) { return mean(dim, false); }
    public Tensor mean(int dim, boolean keepdim) { return sum(dim, keepdim).div(size(dim)); }
    /** {@code t.var()}: over all elements, unbiased (divides by n - 1) as {@code torch.var}. */
    public Tensor var() { return Reductions.var(reshape(-1), 0, true, false); }
    public Tensor var(int dim) { return var(dim, false); }
    public Tensor var(int dim, boolean keepdim) { return Reductions.var(this, dim, true, keepdim); }
    /** {@code t.var(dim, unbiased=..., keepdim=...)}; {@code unbiased=false} divides by n. */
    public Tensor var(int dim, boolean unbiased, boolean keepdim) { return Reductions.var(this, dim, unbiased, keepdim); }
    /** {@code t.std()}: the square root of {@link #var()} (unbiased). */
    public Tensor std() { return var().sqrt(); }
    public Tensor std(int dim, boolean keepdim) { return var(dim, keepdim).sqrt(); }
    /** {@code t.max(dim, keepdim).values}; the gradient goes to the first maximum, as PyTorch's. */
    public Tensor max(int dim, boolean keepdim) { return Reductions.max(this, dim, keepdim); }
    /** {@code t.argmax(dim)}: int64 index of the first maximum. */
    public Tensor argmax(int dim) { return Reductions.argmax(this, dim); }
    /** {@code F.softmax(t, dim)}. */
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim); }

    // ---- shape and indexing (views where PyTorch makes views) ---------------------------------------

    /** {@code a @ b} with {@code torch.matmul}'s rules: 1-D, 2-D, and batched with broadcast batch dims. */
    public Tensor matmul(Tensor o) { return MatmulOp.matmul(this, o); }
    /** {@code t.transpose(d0, d1)}: a view. */
    public Tensor transpose(int d0, int d1) { return Views.transpose(this, d0, d1); }
    /** {@code t.view(shape)}: a view of a contiguous tensor; one size may be -1. */
    public Tensor view(int... shape) { return Views.view(this, shape); }
    /** {@code t.reshape(shape)}: a view when possible, else a copy. */
    public Tensor reshape(int... shape) { return Views.reshape(this, shape); }
    /** {@code t[..., i, ...]} at {@code dim} (negative counts from the end): a view, one dim fewer. */
    public Tensor select(int dim, int index) { return Views.select(this, dim, index); }
    /** {@code t[..., start:end, ...]} at {@code dim}, Python's rules (negative from the end, clamped): a view. */
    public Tensor slice(int dim, int start, int end) { return Views.slice(this, dim, start, end); }
    /** {@code t[..., start:, ...]} at {@code dim}. */
    public Tensor slice(int dim, int start) { return Views.slice(this, dim, start, Integer.MAX_VALUE); }
    /**
     * Python's basic indexing from a string: {@code t.get(":, -1, :")} is {@code t[:, -1, :]},
     * {@code idx.get(":, -8:")} is {@code idx[:, -8:]}; integers select, {@code a:b} slices.
     */
    public Tensor get(String index) { return Views.index(this, index); }
    /** {@code weight[ids]}: rows of this (V, ...) picked by int64 {@code ids} of any shape -> ids.shape + (...). */
    public Tensor index(Tensor ids) { return Views.gatherRows(this, ids); }

    @Override public String toString() { return Printer.print(this); }
}
