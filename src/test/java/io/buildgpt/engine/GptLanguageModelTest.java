package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class GptLanguageModelTest {
    static final GptConfig TINY = new GptConfig(7, 4, 8, 2, 2, 0.0);

    static int[] randomIds(int n, int vocab, long seed) {
        return new Random(seed).ints(n, 0, vocab).toArray();
    }

    @Test
    void smallConfigHasPyTorchsParameterCount() {
        // 209,729: counted by src/bench/gpt_parity.py's torch model (sum(p.numel() for p in model.parameters()))
        GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(65), 1337);
        assertEquals(209_729, model.parameterCount());
        List<Parameter> state = StateDict.copies(model);                    // the lecture's state_dict: per-head tensors
        List<String> names = state.stream().map(Parameter::name).toList();
        assertEquals(List.of("token_embedding_table.weight", "position_embedding_table.weight",
                "blocks.0.sa.heads.0.key.weight", "blocks.0.sa.heads.0.query.weight", "blocks.0.sa.heads.0.value.weight"), names.subList(0, 5));
        assertTrue(names.containsAll(List.of("blocks.3.sa.proj.bias", "blocks.3.ffwd.net.2.weight", "blocks.3.ln2.bias", "ln_f.weight", "lm_head.bias")));
        assertArrayEquals(new int[]{65, 64}, state.get(names.indexOf("lm_head.weight")).shape(), "Linear weights are (out, in)");
        List<String> stored = model.parameters().stream().map(Parameter::name).toList();   // the engine's storage: c_attn fused
        assertEquals(List.of("token_embedding_table.weight", "position_embedding_table.weight", "blocks.0.sa.c_attn.weight"), stored.subList(0, 3));
        assertArrayEquals(new int[]{3 * 64, 64}, model.parameters().get(2).shape(), "queries | keys | values of the 4 heads");
        assertEquals(2 + 4 * (1 + 2 + 4 + 4) + 2 + 2, stored.size());
        assertEquals(2 + 4 * (4 * 3 + 2 + 4 + 4) + 2 + 2, names.size());
    }

    @Test
    void initialisationIsSeededAndFollowsTheLecturesInitWeights() {
        // the values themselves are pinned to PyTorch's in LectureInitTest; here the rules at a glance
        GptLanguageModel a = new GptLanguageModel(GptConfig.smallDefaults(65), 5), b = new GptLanguageModel(GptConfig.smallDefaults(65), 5);
        GptLanguageModel c = new GptLanguageModel(GptConfig.smallDefaults(65), 6);
        for (int i = 0; i < a.parameters().size(); i++) assertArrayEquals(a.parameters().get(i).data(), b.parameters().get(i).data());
        assertFalse(Arrays.equals(a.parameters().get(0).data(), c.parameters().get(0).data()));
        for (Parameter p : a.parameters()) {
            float[] d = p.data();
            if (p.name().startsWith("blocks.0.ln1.weight")) for (float v : d) assertEquals(1f, v);
            if (p.name().startsWith("blocks.0.ln1.bias")) for (float v : d) assertEquals(0f, v);
            if (p.name().equals("blocks.0.ffwd.net.2.bias")) for (float v : d) assertEquals(0f, v); // _init_weights: zeros
            if (p.name().equals("blocks.0.ffwd.net.2.weight") || p.name().equals("token_embedding_table.weight")) { // N(0, 0.02)
                double sq = 0;
                for (float v : d) sq += v * v;
                assertEquals(0.02, Math.sqrt(sq / d.length), 0.002, p.name());
            }
        }
    }

    @Test
    void configValidationNamesTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GptConfig(65, 32, 64, 5, 4, 0));
        assertTrue(e.getMessage().contains("nEmbd = 64 is not divisible by nHead = 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GptConfig(65, 0, 64, 4, 4, 0));
        assertTrue(e.getMessage().contains("blockSize = 0 is out of range: it must be between 1 and"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GptConfig(65, 32, 64, 4, 4, 1.0));
        assertTrue(e.getMessage().contains("dropout = 1.0 is out of range"), e.getMessage());
        assertEquals(16, GptConfig.smallDefaults(65).headSize());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GptLanguageModel model = new GptLanguageModel(TINY, 3);
        // PyTorch's per-module defaults (weights of order 1/sqrt(fan_in)) instead of N(0, 0.02): gradients
        // large enough for float finite differences to resolve
        LectureInit.fill(model.parameters(), new io.buildgpt.random.TorchGenerator(3), false);
        LayerGradientTest.smoothRelus(model.parameters());
        int[] x = randomIds(8, 7, 1), y = randomIds(8, 7, 2);
        LayerCheck.checkModel(model, x, y, 2, 4, 1e-2);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithReluKinksToo() {
        // the plain GradientCheck with ReLUs left as initialised; tolerance loose enough for the few kinks
        GptLanguageModel model = new GptLanguageModel(TINY, 4);
        int[] x = randomIds(8, 7, 3), y = randomIds(8, 7, 4);
        assertTrue(GradientCheck.check(model, x, y, 2, 4, 1e-3, 2e-2) < 2e-2);
    }

    @Test
    void aTokenDoesNotChangeTheLogitsOfEarlierPositions() {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(11, 8, 16, 4, 2, 0.0), 9);
        int[] ids = randomIds(8, 11, 5);
        float[] before = model.logits(ids, 1, 8, false).clone();
        for (int t = 0; t < 8; t++) {
            int[] changed = ids.clone();
            changed[t] = (ids[t] + 1) % 11;
            float[] after = model.logits(changed, 1, 8, false);
            assertArrayEquals(Arrays.copyOf(before, t * 11), Arrays.copyOf(after, t * 11), "positions < " + t + " must not see token " + t);
            assertFalse(Arrays.equals(Arrays.copyOfRange(before, t * 11, (t + 1) * 11), Arrays.copyOfRange(after, t * 11, (t + 1) * 11)));
        }
    }

    @Test
    void forwardGivesLogitsAndTheSameLossAsTheIntArrayPath() {
        GptLanguageModel model = new GptLanguageModel(TINY, 1);
        int[] x = randomIds(8, 7, 6), y = randomIds(8, 7, 7);
        INDArray idx = Nd4j.createFromArray(Arrays.stream(x).asLongStream().toArray()).reshape(2, 4);
        INDArray targets = Nd4j.createFromArray(Arrays.stream(y).asLongStream().toArray()).reshape(2, 4);
        ForwardResult out = model.forward(idx, targets);
        assertArrayEquals(new long[]{2, 4, 7}, out.logits().shape());
        assertEquals(model.loss(x, y, 2, 4), out.loss(), 1e-9);
        assertEquals(model.lossAndGradients(x, y, 2, 4), out.loss(), 1e-9, "no dropout: training and eval losses agree");
        assertFalse(model.forward(idx, null).hasLoss());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.INT64, 1, 5), null));
        assertTrue(e.getMessage().contains("T = 5 is out of range"), e.getMessage());
    }

    @Test
    void dropoutActsOnlyInTrainingAndIsSeeded() {
        GptConfig withDropout = new GptConfig(7, 4, 8, 2, 2, 0.2);
        int[] x = randomIds(8, 7, 8), y = randomIds(8, 7, 9);
        GptLanguageModel a = new GptLanguageModel(withDropout, 2), b = new GptLanguageModel(withDropout, 2);
        GptLanguageModel none = new GptLanguageModel(TINY, 2);
        assertArrayEquals(none.parameters().get(5).data(), a.parameters().get(5).data(), "dropout must not change the initial weights");
        assertEquals(none.loss(x, y, 2, 4), a.loss(x, y, 2, 4), 1e-12, "eval: no dropout");
        double train1 = a.lossAndGradients(x, y, 2, 4), train2 = a.lossAndGradients(x, y, 2, 4);
        assertNotEquals(a.loss(x, y, 2, 4), train1);
        assertNotEquals(train1, train2, "a new mask every step");
        assertEquals(train1, b.lossAndGradients(x, y, 2, 4), 0.0, "same seed, same masks");
    }

    @Test
    void dropoutZeroesAboutPAndRescalesTheRest() {
        Dropout d = new Dropout(0.25, 1);
        Dropout.Buffers b = new Dropout.Buffers();
        float[] ones = new float[100_000];
        Arrays.fill(ones, 1f);
        float[] out = d.forward(b, ones, ones.length, true);
        int zeros = 0;
        for (float v : out) {
            if (v == 0f) zeros++;
            else assertEquals(1f / 0.75f, v, 1e-6);
        }
        assertEquals(0.25, zeros / 1e5, 0.01);
        float[] back = d.backward(b, ones);
        for (int i = 0; i < ones.length; i++) assertEquals(out[i], back[i]);
        assertSame(ones, d.forward(b, ones, ones.length, false), "eval passes the input through");
    }

    @Test
    void microBatchesGiveTheLossAndGradientsOfTheWholeBatch() {
        GptConfig config = new GptConfig(11, 8, 16, 4, 2, 0.0);
        GptLanguageModel whole = new GptLanguageModel(config, 5), parts = new GptLanguageModel(config, 5);
        int[] x = randomIds(6 * 8, 11, 1), y = randomIds(6 * 8, 11, 2);
        double expected = whole.lossAndGradients(x, y, 6, 8);
        assertEquals(expected, parts.lossAndGradients(x, y, 6, 8, 2), 1e-6);
        for (int i = 0; i < whole.parameters().size(); i++) {
            float[] g = whole.parameters().get(i).grad(), h = parts.parameters().get(i).grad();
            for (int j = 0; j < g.length; j++) assertEquals(g[j], h[j], 1e-6, whole.parameters().get(i).name() + "[" + j + "]");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parts.lossAndGradients(x, y, 6, 8, 4));
        assertTrue(e.getMessage().contains("microBatch = 4 must be at least 1 and divide batchSize = 6"), e.getMessage());
    }
}
