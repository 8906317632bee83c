package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Parallel;

import io.buildgpt.engine.kernels.Profile.Op;
import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * The lecture's {@code FeedForward}: {@code nn.Sequential(Linear(C, 4C), ReLU(), Linear(4C, C), Dropout)},
 * the per-token "thinking" after the tokens have talked in attention. Parameter names follow the
 * Sequential's indices: {@code net.0} and {@code net.2}.
 */
public final class FeedForward {
    private final int nEmbd;
    private final Linear fc1, fc2;
    private final Dropout dropout;
    private final Parallel par;
    private final boolean gelu;   // GPT-2: GELU (tanh approximation) instead of ReLU

    public FeedForward(String name, int nEmbd, double dropout, long dropoutSeed) {
        this(name, nEmbd, dropout, dropoutSeed, Parallel.SERIAL, false);
    }

    FeedForward(String name, int nEmbd, double dropout, long dropoutSeed, Parallel par, boolean gelu) {
        this.nEmbd = nEmbd;
        this.gelu = gelu;
        this.fc1 = new Linear(name + ".net.0", nEmbd, 4 * nEmbd, true, par);
        this.fc2 = new Linear(name + ".net.2", 4 * nEmbd, nEmbd, true, par);
        this.dropout = new Dropout(dropout, dropoutSeed);
        this.par = par;
    }

    /** One pass's activations (the caller's: the layer keeps none). */
    public static final class Buffers {
        private final Linear.Buffers fc1 = new Linear.Buffers(), fc2 = new Linear.Buffers();
        private final Dropout.Buffers dropout = new Dropout.Buffers();
        private float[] h, a, dh; // pre-activation (fc1's output), ReLU output, and its gradient: (n, 4C) each
        private int n;
    }

    /** {@code (n, C) -> (n, C)}, into {@code b}. */
    public float[] forward(Buffers b, float[] x, int n, boolean training) {
        b.n = n;
        int hidden = 4 * nEmbd;
        if (b.a == null || b.a.length < n * hidden) {
            b.a = new float[n * hidden];
            b.dh = new float[n * hidden];
        }
        float[] h = b.h = fc1.forward(b.fc1, x, n, training), a = b.a; // (n,C) @ (C,4C) -> (n,4C)
        Profile.lap(Op.FF1_F);
        if (gelu) elementwise(n * hidden, (from, to) -> Gelu.forward(h, a, from, to)); // gelu (n,4C)
        else elementwise(n * hidden, (from, to) -> relu(h, a, from, to)); // relu (n,4C)
        Profile.lap(Op.RELU_F);
        float[] y = fc2.forward(b.fc2, a, n, training);           // (n,4C) @ (4C,C) -> (n,C)
        y = dropout.forward(b.dropout, y, n * nEmbd, training);   // (n,C)
        Profile.lap(Op.FF2_F);
        return y;
    }

    /** {@code dy (n, C) -> dx (n, C)} for the forward that filled {@code b}, adding the Linears' gradients. */
    public float[] backward(Buffers b, float[] dOut) {
        float[] dy = dropout.backward(b.dropout, dOut);           // (n,C)
        float[] da = fc2.backward(b.fc2, dy);                     // (n,C) @ (C,4C) -> (n,4C)
        Profile.lap(Op.FF2_B);
        float[] h = b.h, dh = b.dh;
        if (gelu) elementwise(b.n * 4 * nEmbd, (from, to) -> Gelu.backward(h, da, dh, from, to)); // gelu' (n,4C)
        else elementwise(b.n * 4 * nEmbd, (from, to) -> reluBackward(h, da, dh, from, to)); // relu' (n,4C)
        Profile.lap(Op.RELU_B);
        float[] dx = fc1.backward(b.fc1, dh);                     // (n,4C) @ (4C,C) -> (n,C)
        Profile.lap(Op.FF1_B);
        return dx;
    }

    /**
     * {@code dh = h > 0 ? da : 0}, without a branch: about half of the pre-activations are positive in no
     * predictable order, and a mispredicted branch per element made this loop cost a third of a matrix
     * product. A float's bits read as an int are positive exactly when the float is above +0 (NaN aside),
     * so {@code (-bits & ~bits) >> 31} is all ones there and 0 elsewhere ({@code -0.0}'s bits included).
     */
    static void reluBackward(float[] h, float[] da, float[] dh, int from, int to) {
        for (int i = from; i < to; i++) {
            int bits = Float.floatToRawIntBits(h[i]);
            int keep = (-bits & ~bits) >> 31;                                    // -1 where h > 0, else 0
            dh[i] = Float.intBitsToFloat(Float.floatToRawIntBits(da[i]) & keep);
        }
    }

    private static void relu(float[] h, float[] a, int from, int to) {
        for (int i = from; i < to; i++) a[i] = Math.max(h[i], 0f);
    }

    private interface Range {
        void run(int from, int to);
    }

    /** {@code body} over {@code 0..len-1}, split over the threads when long (each value on its own: the same bits). */
    private void elementwise(int len, Range body) {
        Parallel p = len < LayerNorm.PARALLEL_VALUES ? Parallel.SERIAL : par;
        p.forRange(len, (w, from, to) -> body.run(from, to));
    }

    /** Every generator a training forward draws from: the dropout's and the Linears' weights'. */
    void randomStreams(List<TorchGenerator> out) {
        dropout.randomStreams(out);
        for (Linear l : linears()) l.randomStreams(out);
    }

    List<Linear> linears() {
        return List.of(fc1, fc2);
    }

    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(fc1.parameters());
        out.addAll(fc2.parameters());
        return out;
    }
}
