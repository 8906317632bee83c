package io.buildgpt.engine;

import io.buildgpt.random.TorchGenerator;
import org.junit.jupiter.api.Test;


import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GPT-2 variant of the engine: GELU (tanh), the bias of the fused c_attn, lm_head tied to wte. */
class Gpt2VariantTest {
    static final GptConfig TINY = GptConfig.gpt2(7, 4, 8, 2, 2, 0.0);

    @Test
    void geluMatchesPyTorchsTanhApproximationAndItsDerivative() {
        // torch.nn.functional.gelu(x, approximate='tanh') in float64, and its autograd derivative
        float[] x = {-3f, -1f, -0.5f, 0f, 0.25f, 1f, 2.5f};
        double[] y = {-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0.0, 0.149675350701685,
                0.8411919906082768, 2.484915733910001};
        double[] dy = {-0.011584166630969648, -0.08296408384578252, 0.13263009646535764, 0.5, 0.6953540951510604,
                1.0829640838457826, 1.037951576212666};
        float[] a = new float[x.length], ones = new float[x.length], d = new float[x.length];
        java.util.Arrays.fill(ones, 1f);
        Gelu.forward(x, a, 0, x.length);
        Gelu.backward(x, ones, d, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(y[i], a[i], 1e-7, "gelu(" + x[i] + ")");
            assertEquals(dy[i], d[i], 1e-7, "gelu'(" + x[i] + ")");
        }
    }

    @Test
    void feedForwardWithGeluHasFiniteDifferenceGradients() {
        FeedForward ff = new FeedForward("ffwd", 8, 0.0, 14, io.buildgpt.engine.kernels.Parallel.SERIAL, true);
        FeedForward.Buffers ffB = new FeedForward.Buffers();
        LayerGradientTest.initialised(ff, ff.parameters(), 13);
        LayerCheck.check("FeedForward(gelu)", input(2 * 4 * 8, 15), 2 * 4 * 8, x -> ff.forward(ffB, x, 8, true), dy -> ff.backward(ffB, dy), ff.parameters(), 1e-2);
    }

    @Test
    void attentionWithQkvBiasHasFiniteDifferenceGradients() {
        Attention sa = new Attention("sa", 8, 2, 0.0, new TorchGenerator(3), io.buildgpt.engine.kernels.Parallel.SERIAL, true);
        Attention.Buffers saB = sa.newBuffers();
        LayerGradientTest.initialised(sa, sa.parameters(), 2);
        Parameter qkvBias = sa.cAttn().bias();
        assertTrue(sa.parameters().contains(qkvBias));
        assertEquals("sa.c_attn.bias", qkvBias.name());
        assertFalse(isZero(qkvBias.data()), "the bias was filled, so the check covers it");
        LayerCheck.check("Attention(qkv bias)", input(2 * 4 * 8, 5), 2 * 4 * 8, x -> sa.forward(saB, x, 2, 4, true), dy -> sa.backward(saB, dy),
                sa.parameters(), 1e-2);
    }

    @Test
    void lmHeadIsTheTokenEmbeddingAndIsListedOnce() {
        GptLanguageModel model = new GptLanguageModel(TINY, 3);
        Parameter wte = model.parameters().get(0);
        assertEquals("token_embedding_table.weight", wte.name());
        assertSame(wte, ((DenseWeight) model.lmHead().weight()).parameter());
        assertNull(model.lmHead().bias());
        assertEquals(1, model.parameters().stream().filter(p -> p == wte).count());
        // GPT-2's count: wte + wpe + per layer (2 LN + c_attn W,b + c_proj W,b + c_fc W,b + mlp c_proj W,b) + ln_f
        int c = 8, v = 7, t = 4;
        long perLayer = 4L * c + (3L * c * c + 3 * c) + (c * c + c) + (4L * c * c + 4 * c) + (4L * c * c + c);
        assertEquals((long) v * c + (long) t * c + 2 * perLayer + 2 * c, model.parameterCount());
    }

    @Test
    void wholeModelGradientsMatchFiniteDifferences() {
        GptLanguageModel model = new GptLanguageModel(TINY, 3);
        // weights of order 1/sqrt(fan_in) and nonzero biases, so that every gradient is large enough for float
        // finite differences; the tied wte gets both its embedding and its lm_head share
        LectureInit.fill(model, new TorchGenerator(3), false);
        int[] x = ids(8, 7, 1), y = ids(8, 7, 2);
        LayerCheck.checkModel(model, x, y, 2, 4, 1e-2);
    }

    @Test
    void embeddingDropoutActsInTrainingOnlyAndItsGradientFollowsTheMask() {
        GptConfig withDropout = GptConfig.gpt2(7, 4, 8, 2, 1, 0.5);
        GptLanguageModel model = new GptLanguageModel(withDropout, 3);
        int[] x = ids(8, 7, 1), y = ids(8, 7, 2);
        double eval = model.loss(x, y, 2, 4);
        assertEquals(eval, model.loss(x, y, 2, 4), 0, "eval: no dropout");
        double train = model.lossAndGradients(x, y, 2, 4);
        assertTrue(train != eval, "training draws masks");
        // wpe's gradient rows come only through the embedding's mask (and the blocks' residual path): with p = 0.5 and
        // 8 positions x 8 channels, some entries of the (T, C) gradient are exactly 0 only if the mask reached them
        Parameter wpe = model.parameters().get(1);
        assertEquals("position_embedding_table.weight", wpe.name());
        int zeros = 0;
        for (float g : wpe.grad()) if (g == 0f) zeros++;
        assertTrue(zeros > 0, "some (position, channel) dropped in every sequence: gradient 0 there");
    }

    @Test
    void cachedGenerationGivesTheTokensOfUncachedGeneration() {
        GptLanguageModel model = new GptLanguageModel(GptConfig.gpt2(11, 8, 16, 4, 2, 0.0), 5);
        LectureInit.fill(model, new TorchGenerator(5), false);
        var idx = org.nd4j.linalg.factory.Nd4j.create(new float[][]{{1, 2, 3}});
        assertEquals(model.generate(idx, 12, 1.0, null, 9), model.generateCached(idx, 12, 1.0, null, 9));
    }

    @Test
    void configRoundTripsItsVariant() {
        assertEquals(TINY, GptConfig.fromMap(TINY.toMap(), "test"));
        assertFalse(new GptConfig(7, 4, 8, 2, 2, 0.0).toMap().containsKey("variant"), "lecture files keep their fields");
        assertFalse(TINY.sameArchitecture(new GptConfig(7, 4, 8, 2, 2, 0.0)));
    }

    private static boolean isZero(float[] a) {
        for (float v : a) if (v != 0) return false;
        return true;
    }

    static float[] input(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static int[] ids(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = r.nextInt(vocab);
        return out;
    }

}
