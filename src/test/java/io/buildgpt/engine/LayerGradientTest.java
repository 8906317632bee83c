package io.buildgpt.engine;

import io.buildgpt.random.TorchGenerator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;

class LayerGradientTest {
    private static final int B = 2, T = 4, C = 8;

    private static float[] input(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /**
     * The layers are built with zeros (their constructors draw nothing). These checks need some values: this
     * fills {@code params} in order with what the constructors drew before, U(-1/sqrt(in), 1/sqrt(in)) from
     * {@code java.util.Random(seed)}, weight then bias, LayerNorm untouched, so every check sees the numbers
     * it was written against (the feedForward case relies on where its kink lies).
     */
    static <L> L initialised(L layer, List<Parameter> params, long seed) {
        Random init = new Random(seed);
        int fanIn = -1;
        for (Parameter p : params) {
            if (p.name().contains(".ln")) continue;                          // LayerNorm: 1 and 0, no draw
            if (p.shape().length == 2) fanIn = p.shape()[1];
            double bound = 1 / Math.sqrt(fanIn);
            for (int i = 0; i < p.size(); i++) p.data()[i] = (float) ((init.nextDouble() * 2 - 1) * bound);
        }
        return layer;
    }

    static Linear linear(String name, int in, int out, boolean bias, long seed) {
        Linear l = new Linear(name, in, out, bias);
        return initialised(l, l.parameters(), seed);
    }

    static Attention attention(int nEmbd, int nHead, int blockSize, long seed) {
        Attention sa = new Attention("sa", nEmbd, nHead, 0.0, new TorchGenerator(seed + 1));
        Attention.Buffers saB = sa.newBuffers();
        return initialised(sa, sa.parameters(), seed);
    }

    @Test
    void linearWithAndWithoutBias() {
        for (int rows : new int[]{3, 12}) { // below and above Matmul.DOT_ROWS: both forward paths
            Linear lin = linear("lin", 5, 6, true, 1);
            Linear.Buffers linB = new Linear.Buffers();
            LayerCheck.check("Linear rows=" + rows, input(rows * 5, 2), rows * 6, x -> lin.forward(linB, x, rows), dy -> lin.backward(linB, dy), lin.parameters(), 1e-2);
        }
        Linear noBias = linear("key", 5, 3, false, 3);
        Linear.Buffers noBiasB = new Linear.Buffers();
        LayerCheck.check("Linear no bias", input(8 * 5, 4), 8 * 3, x -> noBias.forward(noBiasB, x, 8), dy -> noBias.backward(noBiasB, dy), noBias.parameters(), 1e-2);
    }

    @Test
    void layerNorm() {
        LayerNorm ln = new LayerNorm("ln", C);
        LayerNorm.Buffers lnB = new LayerNorm.Buffers();
        Random r = new Random(5); // move weight and bias off 1 and 0 so their gradients matter
        for (int i = 0; i < C; i++) {
            ln.weight().data()[i] = (float) (1 + 0.3 * r.nextGaussian());
            ln.bias().data()[i] = (float) (0.3 * r.nextGaussian());
        }
        LayerCheck.check("LayerNorm", input(B * T * C, 6), B * T * C, x -> ln.forward(lnB, x, B * T), dy -> ln.backward(lnB, dy), ln.parameters(), 1e-2);
    }

    @Test
    void multiHeadAttention() {
        Attention sa = attention(C, 2, T, 7);
        Attention.Buffers saB = sa.newBuffers();
        LayerCheck.check("Attention", input(B * T * C, 9), B * T * C, x -> sa.forward(saB, x, B, T, true), dy -> sa.backward(saB, dy), sa.parameters(), 1e-2);
    }

    @Test
    void attentionWithAShorterTimeThanTheBlock() {
        Attention sa = attention(C, 4, 6, 10);
        Attention.Buffers saB = sa.newBuffers();
        LayerCheck.check("Attention T=3", input(3 * 3 * C, 12), 3 * 3 * C, x -> sa.forward(saB, x, 3, 3, true), dy -> sa.backward(saB, dy), sa.parameters(), 1e-2);
    }

    @Test
    void attentionLongerThanOneCausalBlock() {
        int t = 2 * io.buildgpt.engine.kernels.CausalAttention.CAUSAL_BLOCK + 22, c = 4;                        // three row blocks, the last one partial
        Attention sa = attention(c, 2, t, 13);
        Attention.Buffers saB = sa.newBuffers();
        float[] x = input(t * c, 14);
        float[] out = sa.forward(saB, x, 1, t, false).clone();
        float[] want = naiveAttention(sa, x, t, c);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], out[i], 1e-5, "output " + i + " (position " + i / c + ")");
        LayerCheck.check("Attention T=" + t, x, t * c, in -> sa.forward(saB, in, 1, t, true), dy -> sa.backward(saB, dy), sa.parameters(), 1e-2);
    }

    /** The lecture's attention with plain loops, in double: every position's query against all earlier keys, then proj. */
    private static float[] naiveAttention(Attention sa, float[] x, int t, int c) {
        int hs = sa.headSize();
        double[] cat = new double[t * c];
        float[] wQkv = data(sa.cAttn());                                  // (3C, C): queries | keys | values, head h at rows h*hs..
        for (int h = 0; h < sa.nHead(); h++) {
            double[][] q = project(wQkv, (h * hs) * c, x, t, c, hs), k = project(wQkv, (c + h * hs) * c, x, t, c, hs),
                    v = project(wQkv, (2 * c + h * hs) * c, x, t, c, hs);
            for (int i = 0; i < t; i++) {
                double[] w = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j <= i; j++) {
                    for (int d = 0; d < hs; d++) w[j] += q[i][d] * k[j][d];
                    w[j] /= Math.sqrt(hs);
                    max = Math.max(max, w[j]);
                }
                for (int j = 0; j <= i; j++) sum += w[j] = Math.exp(w[j] - max);
                for (int j = 0; j <= i; j++) for (int d = 0; d < hs; d++) cat[i * c + h * hs + d] += w[j] / sum * v[j][d];
            }
        }
        float[] out = new float[t * c], pw = data(sa.proj()), pb = sa.proj().bias().data();
        for (int i = 0; i < t; i++) {
            for (int o = 0; o < c; o++) {
                double y = pb[o];
                for (int j = 0; j < c; j++) y += cat[i * c + j] * pw[o * c + j];
                out[i * c + o] = (float) y;
            }
        }
        return out;
    }

    private static double[][] project(float[] w, int off, float[] x, int t, int c, int hs) {
        double[][] y = new double[t][hs];
        for (int i = 0; i < t; i++) for (int o = 0; o < hs; o++) for (int j = 0; j < c; j++) y[i][o] += x[i * c + j] * w[off + o * c + j];
        return y;
    }

    /** A Linear's float32 weight (out, in). */
    static float[] data(Linear l) {
        return ((DenseWeight) l.weight()).parameter().data();
    }

    // seed 15 puts a hidden pre-activation at 0.0007: LayerCheck must skip that kink, not fail
    @Test
    void feedForward() {
        FeedForward ff = new FeedForward("ffwd", C, 0.0, 14);
        FeedForward.Buffers ffB = new FeedForward.Buffers();
        initialised(ff, ff.parameters(), 13);
        LayerCheck.check("FeedForward", input(B * T * C, 15), B * T * C, x -> ff.forward(ffB, x, B * T, true), dy -> ff.backward(ffB, dy), ff.parameters(), 1e-2);
    }

    /**
     * Lifts every FeedForward's first bias by 4 so that all hidden pre-activations are positive: the
     * ReLU is then the identity near these weights and the loss is smooth, which a finite-difference
     * check of a whole Block or model needs (with hundreds of units some pre-activation otherwise
     * sits within h of the kink). The ReLU's gating is checked in {@link #feedForward()}, and against
     * PyTorch's autograd in GptParityTest.
     */
    static void smoothRelus(java.util.List<Parameter> params) {
        for (Parameter p : params) {
            if (p.name().endsWith("ffwd.net.0.bias")) for (int i = 0; i < p.size(); i++) p.data()[i] += 4f;
        }
    }

    @Test
    void block() {
        Block block = new Block("blocks.0", new GptConfig(7, T, C, 2, 1, 0.0), new TorchGenerator(17));
        Block.Buffers blockB = block.newBuffers();
        initialised(block, block.parameters(), 16);
        smoothRelus(block.parameters());
        LayerCheck.check("Block", input(B * T * C, 19), B * T * C, x -> block.forward(blockB, x, B, T, true), dy -> block.backward(blockB, dy), block.parameters(), 1e-2);
    }
}
