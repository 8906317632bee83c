package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Parallel;

import io.buildgpt.engine.kernels.Profile.Op;
import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * The lecture's transformer {@code Block}, pre-LayerNorm with residual connections:
 * <pre>
 *   x = x + sa(ln1(x))      communication: tokens look at earlier tokens
 *   x = x + ffwd(ln2(x))    computation: each token on its own
 * </pre>
 * The residual additions pass the gradient straight through, which is what lets deep stacks train.
 */
public final class Block {
    private final int c;
    private final Attention sa;
    private final FeedForward ffwd;
    private final LayerNorm ln1, ln2;

    /** One pass's activations (the caller's: the block keeps none); {@link #newBuffers()} makes them. */
    public static final class Buffers {
        private final LayerNorm.Buffers ln1 = new LayerNorm.Buffers(), ln2 = new LayerNorm.Buffers();
        private final Attention.Buffers sa;
        private final FeedForward.Buffers ffwd = new FeedForward.Buffers();
        private float[] x1, y, dx1, dx; // (B*T, C) each
        private int n;

        private Buffers(Attention sa) {
            this.sa = sa.newBuffers();
        }

        /** Whether a pass ever wrote here (checkpointing leaves every block's own buffers empty). */
        boolean used() {
            return y != null;
        }

        /** The attention's buffers (its weights, for plots). */
        Attention.Buffers attention() {
            return sa;
        }
    }

    public Block(String name, GptConfig config, TorchGenerator dropoutSeeds) {
        this(name, config, dropoutSeeds, Parallel.SERIAL);
    }

    Block(String name, GptConfig config, TorchGenerator dropoutSeeds, Parallel par) {
        this.c = config.nEmbd();
        GptConfig.Variant v = config.variant();
        this.sa = new Attention(name + ".sa", c, config.nHead(), config.dropout(), dropoutSeeds, par, v.qkvBias());
        this.ffwd = new FeedForward(name + ".ffwd", c, config.dropout(), dropoutSeeds.next64(), par, v.gelu());
        this.ln1 = new LayerNorm(name + ".ln1", c, par);
        this.ln2 = new LayerNorm(name + ".ln2", c, par);
    }

    /** Empty buffers for one pass, grown on first use. */
    public Buffers newBuffers() {
        return new Buffers(sa);
    }

    /** {@code (B,T,C) -> (B,T,C)}; returns {@code b}'s output buffer. */
    public float[] forward(Buffers b, float[] x, int batch, int time, boolean training) {
        return forward(b, x, batch, time, training, null, false);
    }

    /**
     * As above; with {@code lastOnly} (evaluation, the last block when only the next token is wanted) the block
     * returns the last position of each sequence only, {@code (B,T,C) -> (B,C)}: the attention still reads every
     * position's key and value, and the rest of the block runs on {@code B} rows instead of {@code B*T}.
     */
    public float[] forward(Buffers b, float[] x, int batch, int time, boolean training, KvCache cache, boolean lastOnly) {
        boolean last = lastOnly && time > 1;
        int n = batch * time, rows = last ? batch : n;
        ensureRows(b, n);
        b.n = rows;
        float[] x1 = b.x1, y = b.y;
        float[] h = ln1.forward(b.ln1, x, n);                                // (B,T,C)
        Profile.lap(Op.LN_F);
        float[] a = sa.forward(b.sa, h, batch, time, training, cache, lastOnly); // (B,T,C) -> (B,T,C), or (B,C)
        if (last) {
            for (int s = 0; s < batch; s++) {
                int row = ((s + 1) * time - 1) * c;                          // the last position of sequence s
                for (int j = 0; j < c; j++) x1[s * c + j] = x[row + j] + a[s * c + j];
            }
        } else {
            for (int i = 0; i < n * c; i++) x1[i] = x[i] + a[i];             // x + sa(ln1(x))
        }
        Profile.lap(Op.RESID_F);
        h = ln2.forward(b.ln2, x1, rows);                                    // (rows,C)
        Profile.lap(Op.LN_F);
        float[] f = ffwd.forward(b.ffwd, h, rows, training);                 // (rows,C) -> (rows,C)
        for (int i = 0; i < rows * c; i++) y[i] = x1[i] + f[i];              // x1 + ffwd(ln2(x1))
        Profile.lap(Op.RESID_F);
        return y;
    }

    /** {@code dy (B,T,C) -> dx (B,T,C)} for the forward that filled {@code b}: each residual adds the branch's gradient to the one passing through. */
    public float[] backward(Buffers b, float[] dOut) {
        int n = b.n;
        float[] dx1 = b.dx1, dx = b.dx;
        float[] dBranch = ffwd.backward(b.ffwd, dOut);                       // (B,T,C)
        dBranch = ln2.backward(b.ln2, dBranch);                              // (B,T,C)
        Profile.lap(Op.LN_B);
        for (int i = 0; i < n * c; i++) dx1[i] = dOut[i] + dBranch[i];       // (B,T,C)
        Profile.lap(Op.RESID_B);
        dBranch = sa.backward(b.sa, dx1);                                    // (B,T,C)
        dBranch = ln1.backward(b.ln1, dBranch);                              // (B,T,C)
        Profile.lap(Op.LN_B);
        for (int i = 0; i < n * c; i++) dx[i] = dx1[i] + dBranch[i];         // (B,T,C)
        Profile.lap(Op.RESID_B);
        return dx;
    }

    private void ensureRows(Buffers b, int rows) {
        if (b.y == null || b.y.length < rows * c) {
            b.x1 = new float[rows * c];
            b.y = new float[rows * c];
            b.dx1 = new float[rows * c];
            b.dx = new float[rows * c];
        }
    }

    public Attention attention() {
        return sa;
    }

    FeedForward feedForward() {
        return ffwd;
    }

    LayerNorm ln1() {
        return ln1;
    }

    LayerNorm ln2() {
        return ln2;
    }

    /** Every generator the block's training forward draws from, in a fixed order (gradient checkpointing replays them). */
    void randomStreams(List<TorchGenerator> out) {
        sa.randomStreams(out);
        ffwd.randomStreams(out);
    }

    /** Every Linear of the block: c_attn, proj, then ffwd's two. */
    List<Linear> linears() {
        List<Linear> out = new ArrayList<>(sa.linears());
        out.addAll(ffwd.linears());
        return out;
    }

    /** sa, ffwd, ln1, ln2: the order of PyTorch's state_dict. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(sa.parameters());
        out.addAll(ffwd.parameters());
        out.addAll(ln1.parameters());
        out.addAll(ln2.parameters());
        return out;
    }
}
