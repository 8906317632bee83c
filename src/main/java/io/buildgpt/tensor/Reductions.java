package io.buildgpt.tensor;

/** Sum, mean's sum, variance, max and softmax over a dim, each with its backward. */
final class Reductions {
    private Reductions() {}

    /** {@code (outer, n, inner)} around dim {@code d}. */
    private static int[] split(int[] shape, int d) {
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        return new int[]{outer, shape[d], inner};
    }

    private static int[] reducedShape(int[] shape, int d, boolean keepdim) {
        if (keepdim) {
            int[] s = shape.clone();
            s[d] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) s[j++] = shape[i];
        return s;
    }

    private static Tensor flat(Tensor t) {
        Tensor c = t.contiguous().detach();
        if (c.offset == 0 && c.f.length == c.numel()) return c;
        return Views.copy(c);
    }

    static Tensor sumAll(Tensor t) {
        Elementwise.requireFloat(t, "sum");
        Tensor c = flat(t);
        float[] out = new float[1];
        Backend.get().sum(c.f, 1, c.numel(), 1, out);
        return Autograd.record(Tensor.of(out), "SumBackward0",
                g -> t.accumulateGrad(Tensor.zeros(t.shape).add(g)), t);       // every element gets the same gradient
    }

    static Tensor sum(Tensor t, int dim, boolean keepdim) {
        Elementwise.requireFloat(t, "sum");
        int d = Shapes.dim(dim, t.dim());
        int[] s = split(t.shape, d);
        float[] out = new float[s[0] * s[2]];
        Backend.get().sum(flat(t).f, s[0], s[1], s[2], out);
        return Autograd.record(Tensor.of(out, reducedShape(t.shape, d, keepdim)), "SumBackward1",
                g -> t.accumulateGrad(Tensor.zeros(t.shape).add(g.reshape(reducedShape(t.shape, d, true)))), t);
    }

    /** {@code torch.var}: the mean of squared deviations, divided by {@code n - 1} when unbiased; written with the ops above. */
    static Tensor var(Tensor t, int dim, boolean unbiased, boolean keepdim) {
        int d = Shapes.dim(dim, t.dim());
        int n = t.shape[d];
        Tensor dev = t.sub(t.mean(d, true));                        // x - mean
        return dev.mul(dev).sum(d, keepdim).div(unbiased ? n - 1 : n);
    }

    static Tensor max(Tensor t, int dim, boolean keepdim) {
        Elementwise.requireFloat(t, "max");
        int d = Shapes.dim(dim, t.dim());
        int[] s = split(t.shape, d);
        float[] out = new float[s[0] * s[2]];
        long[] arg = new long[out.length];
        Backend.get().max(flat(t).f, s[0], s[1], s[2], out, arg);
        return Autograd.record(Tensor.of(out, reducedShape(t.shape, d, keepdim)), "MaxBackward0", g -> {
            Tensor gin = Tensor.zeros(t.shape);                      // all of the gradient to the (first) maximum
            Tensor gc = g.contiguous();
            for (int o = 0; o < s[0]; o++) {
                for (int i = 0; i < s[2]; i++) {
                    int k = o * s[2] + i;
                    gin.f[(o * s[1] + (int) arg[k]) * s[2] + i] += gc.f[gc.offset + k];
                }
            }
            t.accumulateGrad(gin);
        }, t);
    }

    static Tensor argmax(Tensor t, int dim) {
        Elementwise.requireFloat(t, "argmax");
        int d = Shapes.dim(dim, t.dim());
        int[] s = split(t.shape, d);
        long[] arg = new long[s[0] * s[2]];
        Backend.get().max(flat(t).f, s[0], s[1], s[2], new float[arg.length], arg);
        return Tensor.ofLongs(arg, reducedShape(t.shape, d, false));
    }

    /** {@code softmax(x)_i = e^{x_i} / sum_j e^{x_j}}; backward {@code dx = y * (g - sum(g * y))} along the dim. */
    static Tensor softmax(Tensor t, int dim) {
        Elementwise.requireFloat(t, "softmax");
        int d = Shapes.dim(dim, t.dim());
        int last = t.dim() - 1;
        if (t.dim() == 0) return softmax(t.reshape(1), 0).reshape();
        if (d != last) return softmax(t.transpose(d, last), last).transpose(d, last);
        Tensor c = flat(t);
        int n = t.shape[last];
        float[] out = new float[c.numel()];
        Backend.get().softmaxRows(c.f, n == 0 ? 0 : out.length / n, n, out);
        Tensor y = Tensor.of(out, t.shape.clone());
        return Autograd.record(y, "SoftmaxBackward0",
                g -> t.accumulateGrad(y.mul(g.sub(g.mul(y).sum(last, true)))), t);
    }
}
