package io.buildgpt.random;

/**
 * PyTorch's parameter initialisers with its rules and order of draws, as row-major {@code float[]}
 * in PyTorch's memory layout ({@code nn.Linear} weights are {@code (out, in)}). Calling these in
 * the order a PyTorch model's constructors run, on a generator seeded like
 * {@code torch.manual_seed(s)}, reproduces that model's initial weights.
 */
public final class TorchInit {
    private TorchInit() {
    }

    /** {@code nn.Embedding(num, dim).weight}: {@code (num, dim)}, N(0, 1). */
    public static float[] embedding(TorchGenerator g, int num, int dim) {
        return normal(g, checkedSize(num, dim, "embedding"), 0, 1);
    }

    /**
     * {@code nn.Linear(in, out).weight}: {@code (out, in)}, {@code kaiming_uniform_(a=sqrt(5))},
     * i.e. uniform in {@code +-1/sqrt(in)} with the bound computed as PyTorch computes it.
     */
    public static float[] linearWeight(TorchGenerator g, int in, int out) {
        float[] w = new float[checkedSize(out, in, "linear")];
        double a = Math.sqrt(5.0);
        double gain = Math.sqrt(2.0 / (1 + a * a));   // calculate_gain('leaky_relu', sqrt(5))
        double std = gain / Math.sqrt(in);
        double bound = Math.sqrt(3.0) * std;
        g.uniform_(w, 0, w.length, -bound, bound);
        return w;
    }

    /** {@code nn.Linear(in, out).bias}: {@code (out)}, uniform in {@code +-1/sqrt(in)}; drawn after the weight. */
    public static float[] linearBias(TorchGenerator g, int in, int out) {
        float[] b = new float[checkedSize(1, out, "linear bias")];
        double bound = in > 0 ? 1 / Math.sqrt(in) : 0;
        g.uniform_(b, 0, out, -bound, bound);
        return b;
    }

    /** {@code torch.nn.init.normal_(t, mean, std)} on a new tensor of {@code n} elements. */
    public static float[] normal(TorchGenerator g, int n, double mean, double std) {
        float[] t = new float[n];
        g.normal_(t, 0, n, mean, std);
        return t;
    }

    /** {@code torch.nn.init.uniform_(t, from, to)} on a new tensor of {@code n} elements. */
    public static float[] uniform(TorchGenerator g, int n, double from, double to) {
        float[] t = new float[n];
        g.uniform_(t, 0, n, from, to);
        return t;
    }

    private static int checkedSize(int rows, int cols, String what) {
        if (rows < 0 || cols < 0 || (long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " size " + rows + " x " + cols + " is out of range: both must be non-negative and the product below 2^31");
        }
        return rows * cols;
    }
}
