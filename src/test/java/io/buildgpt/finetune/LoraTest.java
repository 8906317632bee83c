package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Scratch;

import io.buildgpt.train.AdamW;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LoraTest {
    private static final int B = 2, T = 4, C = 8;
    private static final LoraConfig ALL = new LoraConfig(2, 4.0, 0.0, LoraConfig.Targets.ALL_LINEAR);

    private static float[] input(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /** B starts at zero, which makes dA zero too: give it values so both gradients are checked. */
    static void randomizeB(List<LoraAdapter> adapters, long seed, double std) {
        Random r = new Random(seed);
        for (LoraAdapter a : adapters) for (int i = 0; i < a.b().size(); i++) a.b().data()[i] = (float) (r.nextGaussian() * std);
    }

    private static List<Parameter> params(List<LoraAdapter> adapters) {
        List<Parameter> out = new ArrayList<>();
        for (LoraAdapter a : adapters) out.addAll(a.parameters());
        return out;
    }

    @Test
    void adapterGradientsInALinearMatchFiniteDifferences() {
        for (int rows : new int[]{3, 12}) { // both forward paths of Linear
            for (boolean quantized : new boolean[]{false, true}) {
                Linear lin = LayerGradientTest.linear("lin", 5, 6, true, 1);
                LoraAdapter ad = adapt(lin, quantized, ALL);
                randomizeB(List.of(ad), 3, 0.5);
                LayerCheck.check("Linear+LoRA rows=" + rows + " quantized=" + quantized, input(rows * 5, 4), rows * 6,
                        x -> lin.forward(x, rows), lin::backward, ad.parameters(), 1e-2);
            }
        }
    }

    @Test
    void adapterGradientsInAttentionMatchFiniteDifferences() {
        MultiHeadAttention sa = LayerGradientTest.attention(C, 2, T, 7);
        List<LoraAdapter> adapters = adapt(sa, ALL);
        assertEquals(4, adapters.size(), "query, key, value, proj");
        randomizeB(adapters, 10, 0.5);
        LayerCheck.check("MultiHeadAttention+LoRA", input(B * T * C, 11), B * T * C, x -> sa.forward(x, B, T, true), sa::backward,
                params(adapters), 1e-2);
    }

    @Test
    void modelGradientsOfTheAdaptersMatchFiniteDifferences() {
        GptLanguageModel model = new GptLanguageModel(GptLanguageModelTest.TINY, 12).enableLora(ALL, 13);
        randomizeB(model.loraAdapters(), 14, 0.3);
        LayerGradientTest.smoothRelus(model.parameters());
        assertEquals(params(model.loraAdapters()), model.trainableParameters());
        int[] x = GptLanguageModelTest.randomIds(B * T, 7, 15), y = GptLanguageModelTest.randomIds(B * T, 7, 16);
        LayerCheck.checkModel(model, x, y, B, T, 1e-2);
    }

    @Test
    void newAdaptersLeaveTheOutputsUnchangedAndMergingKeepsThem() {
        for (LoraConfig config : List.of(LoraConfig.queryValue(8), new LoraConfig(4, 8, 0, LoraConfig.Targets.ALL_LINEAR))) {
            GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(256), 20);
            int[] x = GptLanguageModelTest.randomIds(2 * 32, 256, 21);
            float[] base = model.logits(x, 2, 32, false).clone();
            model.enableLora(config, 22);
            assertArrayEquals(base, Arrays.copyOf(model.logits(x, 2, 32, false), base.length), "B = 0: the adapted model starts as the base");
            randomizeB(model.loraAdapters(), 23, 0.1);
            float[] unmerged = model.logits(x, 2, 32, false).clone();
            assertTrue(maxDiff(base, unmerged) > 1e-2, "the adapters change the outputs");
            model.mergeLora();
            assertNull(model.loraConfig());
            assertEquals(model.parameters(), model.trainableParameters(), "after merging, every weight trains again");
            float[] merged = Arrays.copyOf(model.logits(x, 2, 32, false), base.length);
            assertTrue(maxDiff(unmerged, merged) <= 1e-5, config + ": merged and unmerged logits differ by " + maxDiff(unmerged, merged));
        }
    }

    @Test
    void cachedGenerationUsesTheAdaptedAndQuantizedWeights() {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(256, 16, 16, 2, 2, 0.0), 30);
        model.quantizeBase(4);
        model.enableLora(ALL, 31);
        randomizeB(model.loraAdapters(), 32, 0.2);
        INDArray start = Nd4j.createFromArray(new long[][]{{1, 2, 3}});
        assertEquals(model.generate(start, 20, 1.0, null, 33), model.generateCached(start, 20, 1.0, null, 33));
    }

    @Test
    void smallModelTrainsUnderFivePercentOfItsParameters() {
        GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(256), 1);
        assertEquals(234_368, model.parameterCount());
        assertEquals(model.parameterCount(), model.trainableParameterCount(), "full fine-tuning: everything trains");
        model.enableLora(LoraConfig.queryValue(8), 2);
        // per block: query and value, each A (8, 64) + B (64, 8) = 1,024; 4 blocks -> 8,192
        assertEquals(8_192, model.trainableParameterCount());
        assertEquals(234_368 + 8_192, model.parameterCount());
        double share = (double) model.trainableParameterCount() / model.parameterCount();
        System.out.printf("LoRA r=8 on query+value of 64/4/4, vocab 256: %,d of %,d parameters train (%.2f%%)%n",
                model.trainableParameterCount(), model.parameterCount(), 100 * share);
        assertTrue(share <= 0.05, "share " + share);
        assertEquals("blocks.0.sa.query.lora_A", model.trainableParameters().get(0).name());
        assertArrayEquals(new int[]{64, 8}, model.trainableParameters().get(1).shape());
    }

    @Test
    void frozenWeightsDoNotChangeDuringLoraTraining() {
        for (boolean quantized : new boolean[]{false, true}) {
            GptLanguageModel model = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.1), 40);
            if (quantized) model.quantizeBase(4, 32, true);
            model.enableLora(ALL, 41);
            List<float[]> frozen = new ArrayList<>();
            List<Parameter> base = new ArrayList<>(model.parameters());
            base.removeAll(model.trainableParameters());
            for (Parameter p : base) frozen.add(p.data().clone());
            List<byte[]> packed = new ArrayList<>();
            List<float[]> scales = new ArrayList<>();
            for (Linear l : linearsOf(model)) {
                if (quantizedOf(l) == null) continue;
                packed.add(quantizedOf(l).packedCopy());
                scales.add(quantizedOf(l).scalesCopy());
            }
            List<float[]> adaptersBefore = model.trainableParameters().stream().map(p -> p.data().clone()).toList();

            AdamW opt = new AdamW(model.trainableParameters(), 1e-2);
            Random r = new Random(42);
            double first = 0, last = 0;
            int[] x = new int[4 * 8], y = new int[4 * 8];
            for (int i = 0; i < x.length; i++) { x[i] = r.nextInt(256); y[i] = (x[i] + 1) % 256; }
            for (int step = 0; step < 8; step++) {
                last = model.lossAndGradients(x, y, 4, 8);
                if (step == 0) first = last;
                opt.step();
            }
            assertTrue(last < first, "the adapters learn: " + first + " -> " + last);
            for (int i = 0; i < base.size(); i++) assertArrayEquals(frozen.get(i), base.get(i).data(), base.get(i).name() + " changed");
            int q = 0;
            for (Linear l : linearsOf(model)) {
                if (quantizedOf(l) == null) continue;
                assertArrayEquals(packed.get(q), quantizedOf(l).packedCopy());
                assertArrayEquals(scales.get(q++), quantizedOf(l).scalesCopy());
            }
            assertEquals(quantized ? 2 * 9 + 1 : 0, q); // per block: 2 heads x (key, query, value), proj, ffwd x 2; and lm_head
            for (int i = 0; i < adaptersBefore.size(); i++) {
                if (model.trainableParameters().get(i).name().endsWith("lora_B")) {
                    assertFalse(Arrays.equals(adaptersBefore.get(i), model.trainableParameters().get(i).data()), "B trains");
                }
            }
        }
    }

    @Test
    void mergingIntoAQuantizedBaseIsRefusedUntilDequantized() {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 1, 0.0), 50);
        model.quantizeBase(8);
        model.enableLora(LoraConfig.queryValue(2), 51);
        randomizeB(model.loraAdapters(), 52, 0.2);
        int[] x = GptLanguageModelTest.randomIds(8, 256, 53);
        float[] unmerged = model.logits(x, 1, 8, false).clone();
        IllegalStateException e = assertThrows(IllegalStateException.class, model::mergeLora);
        assertTrue(e.getMessage().contains("dequantizeBase()"), e.getMessage());
        model.dequantizeBase();
        model.mergeLora();
        assertFalse(model.isQuantized());
        assertTrue(maxDiff(unmerged, Arrays.copyOf(model.logits(x, 1, 8, false), unmerged.length)) <= 1e-5);
    }

    @Test
    void configValidationNamesTheValueAndTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 1, 0, LoraConfig.Targets.QUERY_VALUE));
        assertTrue(e.getMessage().contains("rank = 0") && e.getMessage().contains("between 1 and 1024"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, 1.05, LoraConfig.Targets.QUERY_VALUE));
        assertTrue(e.getMessage().contains("dropout = 1.05") && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, -1, 0, LoraConfig.Targets.QUERY_VALUE));
        assertTrue(e.getMessage().contains("alpha = -1.0"), e.getMessage());
        GptLanguageModel model = new GptLanguageModel(GptLanguageModelTest.TINY, 1).enableLora(LoraConfig.queryValue(2), 1);
        assertThrows(IllegalStateException.class, () -> model.enableLora(LoraConfig.queryValue(2), 1));
    }

    // ---- adapter dropout (p > 0): the explicit, masked branch in training mode ----

    private static final LoraConfig ALL_DROP = new LoraConfig(2, 4.0, 0.3, LoraConfig.Targets.ALL_LINEAR);

    /** The same seeds before every forward pass: the same masks, so the loss is a smooth function of A, B and x. */
    private static void reseed(List<LoraAdapter> adapters, long seed) {
        for (int i = 0; i < adapters.size(); i++) adapters.get(i).reseedDropout(seed + 1000L * i);
    }

    @Test
    void dropoutBranchGradientsInALinearMatchFiniteDifferencesWithAFixedMask() {
        for (int rows : new int[]{3, 12}) {
            for (boolean quantized : new boolean[]{false, true}) {
                Linear lin = LayerGradientTest.linear("lin", 5, 6, true, 1);
                LoraAdapter ad = adapt(lin, quantized, ALL_DROP);
                randomizeB(List.of(ad), 3, 0.5);
                float[] x = input(rows * 5, 4);
                float[] eval = lin.forward(x, rows, false).clone();
                ad.reseedDropout(5);
                float[] train = lin.forward(x, rows, true).clone();
                assertTrue(maxDiff(eval, train) > 1e-3, "the mask changes the training output");
                LayerCheck.check("Linear+LoRA dropout rows=" + rows + " quantized=" + quantized, x, rows * 6,
                        in -> { ad.reseedDropout(5); return lin.forward(in, rows, true); }, lin::backward, ad.parameters(), 1e-2);
            }
        }
    }

    @Test
    void dropoutBranchGradientsInAttentionMatchFiniteDifferencesWithAFixedMask() {
        for (LoraConfig config : List.of(ALL_DROP, new LoraConfig(2, 4.0, 0.3, LoraConfig.Targets.QUERY_VALUE))) {
            MultiHeadAttention sa = LayerGradientTest.attention(C, 2, T, 7);
            List<LoraAdapter> adapters = adapt(sa, config);
            randomizeB(adapters, 10, 0.5);
            float[] x = input(B * T * C, 11);
            float[] eval = sa.forward(x, B, T, false).clone();
            reseed(adapters, 12);
            assertTrue(maxDiff(eval, sa.forward(x, B, T, true)) > 1e-3, "the masks change the training output");
            LayerCheck.check("MultiHeadAttention+LoRA dropout " + config.targets(), x, B * T * C,
                    in -> { reseed(adapters, 12); return sa.forward(in, B, T, true); }, sa::backward,
                    params(adapters), 1e-2);
        }
    }

    @Test
    void evalOutputsWithDropoutEqualThoseWithout() {
        GptConfig cfg = new GptConfig(256, 16, 16, 2, 2, 0.0);
        int[] x = GptLanguageModelTest.randomIds(2 * 16, 256, 60);
        GptLanguageModel plain = new GptLanguageModel(cfg, 61).enableLora(new LoraConfig(4, 8, 0.0, LoraConfig.Targets.ALL_LINEAR), 62);
        GptLanguageModel dropping = new GptLanguageModel(cfg, 61).enableLora(new LoraConfig(4, 8, 0.2, LoraConfig.Targets.ALL_LINEAR), 62);
        randomizeB(plain.loraAdapters(), 63, 0.2);
        randomizeB(dropping.loraAdapters(), 63, 0.2);
        float[] expected = plain.logits(x, 2, 16, false).clone();
        assertArrayEquals(expected, dropping.logits(x, 2, 16, false).clone(), "eval mode: no adapter dropout, the same effective weights");
        assertArrayEquals(plain.logits(x, 2, 16, true).clone(), expected, "p = 0: training runs the same exact path");
        float[] trained = dropping.logits(x, 2, 16, true).clone();
        assertTrue(maxDiff(expected, trained) > 1e-4, "p > 0: training mode drops adapter inputs");
        INDArray start = Nd4j.createFromArray(new long[][]{{1, 2, 3}});
        assertEquals(plain.generateCached(start, 10, 1.0, null, 64), dropping.generateCached(start, 10, 1.0, null, 64));
    }

    @Test
    void trainingWithDropoutIsDeterministicAndLeavesTheBaseFrozen() {
        for (boolean quantized : new boolean[]{false, true}) {
            List<Object> first = trainWithAdapterDropout(0.1, quantized), again = trainWithAdapterDropout(0.1, quantized);
            assertArrayEquals((double[]) first.get(0), (double[]) again.get(0), "the same seed gives the same losses");
            @SuppressWarnings("unchecked") List<float[]> a = (List<float[]>) first.get(1), b = (List<float[]>) again.get(1);
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "the same seed gives the same adapters");
            double[] noDrop = (double[]) trainWithAdapterDropout(0.0, quantized).get(0);
            assertFalse(Arrays.equals(noDrop, (double[]) first.get(0)), "dropout changes the training run");
        }
    }

    /** A few AdamW steps; checks the frozen base is untouched; returns the losses and the adapters' values. */
    private static List<Object> trainWithAdapterDropout(double p, boolean quantized) {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 70);
        if (quantized) model.quantizeBase(4, 32, true);
        model.enableLora(new LoraConfig(2, 4, p, LoraConfig.Targets.ALL_LINEAR), 71);
        List<Parameter> base = new ArrayList<>(model.parameters());
        base.removeAll(model.trainableParameters());
        List<float[]> frozen = base.stream().map(q -> q.data().clone()).toList();
        List<byte[]> packed = new ArrayList<>();
        for (Linear l : linearsOf(model)) if (quantizedOf(l) != null) packed.add(quantizedOf(l).packedCopy());
        AdamW opt = new AdamW(model.trainableParameters(), 1e-2);
        Random r = new Random(72);
        int[] x = new int[4 * 8], y = new int[4 * 8];
        for (int i = 0; i < x.length; i++) { x[i] = r.nextInt(256); y[i] = (x[i] + 1) % 256; }
        double[] losses = new double[5];
        for (int step = 0; step < losses.length; step++) {
            losses[step] = model.lossAndGradients(x, y, 4, 8);
            opt.step();
        }
        assertTrue(losses[losses.length - 1] < losses[0], "the adapters learn: " + Arrays.toString(losses));
        for (int i = 0; i < base.size(); i++) assertArrayEquals(frozen.get(i), base.get(i).data(), base.get(i).name() + " changed");
        int q = 0;
        for (Linear l : linearsOf(model)) if (quantizedOf(l) != null) assertArrayEquals(packed.get(q++), quantizedOf(l).packedCopy());
        assertEquals(packed.size(), q);
        return List.of(losses, model.trainableParameters().stream().map(t -> t.data().clone()).toList());
    }

    @Test
    void dropoutConfigAcceptsZeroToBelowOne() {
        assertEquals(0.1, new LoraConfig(8, 16, 0.1, LoraConfig.Targets.QUERY_VALUE).dropout());
        assertEquals(0.0, new LoraConfig(8, 16, 0.0, LoraConfig.Targets.QUERY_VALUE).dropout());
        for (double bad : new double[]{1.0, -0.1, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, bad, LoraConfig.Targets.QUERY_VALUE));
            assertTrue(e.getMessage().contains("dropout = " + bad) && e.getMessage().contains("[0, 1)"), e.getMessage());
        }
    }

    @Test
    void aRankAboveNEmbdIsRefusedWithTheBound() {
        GptLanguageModel model = new GptLanguageModel(GptLanguageModelTest.TINY, 12);
        int c = GptLanguageModelTest.TINY.nEmbd();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.enableLora(LoraConfig.queryValue(c + 1), 1));
        assertTrue(e.getMessage().contains("rank = " + (c + 1) + " is larger than n_embd = " + c), e.getMessage());
        assertNull(model.loraConfig(), "nothing changed");
        model.enableLora(LoraConfig.queryValue(c), 1);
    }

    @Test
    void aQuantizedBaseKeepsNoFloatCopyPerLayerOnlyOneSharedScratch() {
        GptConfig cfg = GptConfig.smallDefaults(256);                     // 64/4/4, vocabulary 256
        GptLanguageModel model = new GptLanguageModel(cfg, 3);
        assertEquals(0, model.fineTuneScratchBytes());
        model.quantizeBase(QuantSpec.nf4(), false);
        model.enableLora(LoraConfig.queryValue(4), 5);
        int[] x = GptLanguageModelTest.randomIds(2 * 32, 256, 6), y = GptLanguageModelTest.randomIds(2 * 32, 256, 7);
        model.lossAndGradients(x, y, 2, 32);
        int largest = Math.max(256 * 64, 3 * 64 * 64);                     // lm_head (V,C) and the stacked (3C,C)
        assertEquals(2L * 4 * largest, model.fineTuneScratchBytes(), "one weight and one gradient buffer for all 4 blocks");
        for (Linear l : linearsOf(model)) assertTrue(l.hook() instanceof AdaptedWeight);
        for (int i = 0; i < 4; i++) for (Linear l : model.block(i).linears()) assertNull(l.weight(), "no float32 weight kept");
    }

    /** A LoRA adapter on {@code lin} (base frozen, and in int4 groups of 8 if {@code quantized}), A drawn from seed 2. */
    static LoraAdapter adapt(Linear lin, boolean quantized, LoraConfig config) {
        AdaptedWeight w = AdaptedWeight.of(lin, new Scratch());
        if (quantized) w.quantize(QuantSpec.ofBits(4, 8));
        return drawA(List.of(w.attachAdapter("lin", config)), 2).get(0);
    }

    /** Adapters on {@code sa} as the model wires them: query, key, value (QkvLora), proj; base frozen; A from seed 9. */
    static List<LoraAdapter> adapt(MultiHeadAttention sa, LoraConfig config) {
        Scratch scratch = new Scratch();
        for (Linear l : sa.linears()) AdaptedWeight.of(l, scratch);
        sa.setLora(new QkvLora(sa.name(), C, config));
        if (config.targets("proj")) AdaptedWeight.of(sa.proj(), scratch).attachAdapter("sa.proj", config);
        List<LoraAdapter> out = new ArrayList<>(sa.lora().adapters());
        if (sa.proj().hook() instanceof AdaptedWeight w && w.adapter() != null) out.add(w.adapter());
        return drawA(out, 9);
    }

    /** The adapters are built with A zero: fill A in order with U(-1/sqrt(in), 1/sqrt(in)) from java.util.Random(seed), the values they drew before. */
    static List<LoraAdapter> drawA(List<LoraAdapter> adapters, long seed) {
        Random init = new Random(seed);
        for (LoraAdapter a : adapters) {
            double bound = 1 / Math.sqrt(a.a().shape()[1]);                           // (r, in)
            for (int i = 0; i < a.a().size(); i++) a.a().data()[i] = (float) ((init.nextDouble() * 2 - 1) * bound);
        }
        return adapters;
    }

    static QuantizedWeight quantizedOf(Linear l) {
        return l.hook() instanceof AdaptedWeight w ? w.quantized() : null;
    }

    static List<Linear> linearsOf(GptLanguageModel model) {
        List<Linear> out = new ArrayList<>();
        for (int i = 0; i < model.config().nLayer(); i++) out.addAll(model.block(i).linears());
        out.add(model.lmHead());
        return out;
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
