package io.buildgpt.finetune;

import io.buildgpt.engine.LayerCheck;
import io.buildgpt.engine.Attention;
import io.buildgpt.engine.DenseWeight;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Linear;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.StateDict;
import io.buildgpt.engine.Weight;
import io.buildgpt.random.TorchGenerator;
import io.buildgpt.train.AdamW;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LoraTest {
    private static final int B = 2, T = 4, C = 8;
    private static final LoraConfig ALL = new LoraConfig(2, 4.0, 0.0, LoraConfig.Targets.ALL_LINEAR);
    /** The engine tests' tiny model: vocabulary 7, 4 positions, C = 8, 2 heads, 2 layers. */
    static final GptConfig TINY = new GptConfig(7, 4, 8, 2, 2, 0.0);

    private static float[] input(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static int[] randomIds(int n, int vocab, long seed) {
        return new Random(seed).ints(n, 0, vocab).toArray();
    }

    /** The eval-mode logits {@code (B*T, V)} of {@code x (B*T)}, through the model's public forward. */
    static float[] logits(GptLanguageModel model, int[] x, int batch, int time) {
        INDArray idx = Nd4j.createFromArray(Arrays.stream(x).asLongStream().toArray()).reshape(batch, time);
        return model.forward(idx, null).logits().reshape((long) batch * time * model.vocabSize()).toFloatVector();
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
                Linear lin = linear("lin", 5, 6, true, 1);
                Linear.Buffers linB = new Linear.Buffers();
                Parameter w = ((DenseWeight) lin.weight()).parameter();
                LoraAdapter ad = adapt(lin, quantized, ALL);
                randomizeB(List.of(ad), 3, 0.5);
                LayerCheck.check("Linear+LoRA rows=" + rows + " quantized=" + quantized, input(rows * 5, 4), rows * 6,
                        x -> lin.forward(linB, x, rows), dy -> lin.backward(linB, dy), ad.parameters(), 1e-2);
                assertFalse(w.hasGrad(), "the frozen base weight never gets a gradient array");
            }
        }
    }

    @Test
    void adapterGradientsInAttentionMatchFiniteDifferences() {
        Attention sa = attention(C, 2, 7);
        Attention.Buffers saB = sa.newBuffers();
        List<LoraAdapter> adapters = adapt(sa, ALL);
        assertEquals(4, adapters.size(), "query, key, value, proj");
        randomizeB(adapters, 10, 0.5);
        LayerCheck.check("Attention+LoRA", input(B * T * C, 11), B * T * C, x -> sa.forward(saB, x, B, T, true), dy -> sa.backward(saB, dy),
                params(adapters), 1e-2);
        for (Linear l : List.of(sa.cAttn(), sa.proj())) {
            for (Parameter p : ((LoraWeight) l.weight()).base().parameters()) assertFalse(p.hasGrad(), p.name() + " is frozen");
        }
    }

    @Test
    void modelGradientsOfTheAdaptersMatchFiniteDifferences() {
        GptLanguageModel model = Lora.enable(new GptLanguageModel(TINY, 12), ALL, 13);
        randomizeB(Lora.adapters(model), 14, 0.3);
        smoothRelus(model.parameters());
        assertEquals(params(Lora.adapters(model)), model.trainableParameters());
        assertEquals(Lora.adapterParameters(model), model.trainableParameters());
        int[] x = randomIds(B * T, 7, 15), y = randomIds(B * T, 7, 16);
        LayerCheck.checkModel(model, x, y, B, T, 1e-2);
    }

    @Test
    void newAdaptersLeaveTheOutputsUnchangedAndMergingKeepsThem() {
        for (LoraConfig config : List.of(LoraConfig.queryValue(8), new LoraConfig(4, 8, 0, LoraConfig.Targets.ALL_LINEAR))) {
            GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(256), 20);
            int[] x = randomIds(2 * 32, 256, 21);
            float[] base = logits(model, x, 2, 32);
            Lora.enable(model, config, 22);
            assertArrayEquals(base, logits(model, x, 2, 32), "B = 0: the adapted model starts as the base");
            randomizeB(Lora.adapters(model), 23, 0.1);
            float[] unmerged = logits(model, x, 2, 32);
            assertTrue(maxDiff(base, unmerged) > 1e-2, "the adapters change the outputs");
            Lora.merge(model);
            assertNull(Lora.config(model));
            assertTrue(model.isPlain(), "after merging, plain float32 weights");
            assertEquals(model.parameters(), model.trainableParameters(), "after merging, every weight trains again");
            float[] merged = logits(model, x, 2, 32);
            assertTrue(maxDiff(unmerged, merged) <= 1e-5, config + ": merged and unmerged logits differ by " + maxDiff(unmerged, merged));
        }
    }

    /**
     * The lecture's query, key and value adapters sit on their own thirds of the fused {@code c_attn (3C, C)}: merged,
     * each head's {@code query.weight} (a view, {@link StateDict}) gains its rows of {@code s * B_q @ A_q}, each
     * {@code value.weight} those of {@code s * B_v @ A_v}, and each {@code key.weight} is unchanged.
     */
    @Test
    void queryAndValueAdaptersChangeOnlyTheirHeadsRowsOfTheFusedWeight() {
        GptConfig cfg = new GptConfig(11, 8, 16, 4, 2, 0.0);
        GptLanguageModel model = new GptLanguageModel(cfg, 80);
        Map<String, float[]> before = new java.util.LinkedHashMap<>();
        for (StateDict.Entry e : StateDict.of(model)) before.put(e.name(), e.values());
        LoraConfig config = LoraConfig.queryValue(3);
        Lora.enable(model, config, 81);
        randomizeB(Lora.adapters(model), 82, 0.3);
        List<LoraAdapter> adapters = Lora.adapters(model);
        assertEquals(List.of("blocks.0.sa.query.lora_A", "blocks.0.sa.value.lora_A", "blocks.1.sa.query.lora_A", "blocks.1.sa.value.lora_A"),
                adapters.stream().map(a -> a.a().name()).toList());
        Lora.merge(model);
        Map<String, StateDict.Entry> after = StateDict.byName(model);
        assertEquals(before.keySet(), after.keySet(), "the same state_dict names after merging");
        int c = cfg.nEmbd(), hs = c / cfg.nHead();
        int checked = 0;
        for (int layer = 0; layer < cfg.nLayer(); layer++) {
            float[] dq = delta(adapters.get(2 * layer), config.scale()), dv = delta(adapters.get(2 * layer + 1), config.scale()); // (C, C)
            for (int h = 0; h < cfg.nHead(); h++) {
                String head = "blocks." + layer + ".sa.heads." + h + ".";
                assertArrayEquals(before.get(head + "key.weight"), after.get(head + "key.weight").values(), head + "key: no adapter");
                for (String role : List.of("query", "value")) {
                    float[] d = role.equals("query") ? dq : dv, was = before.get(head + role + ".weight"), now = after.get(head + role + ".weight").values();
                    assertEquals(hs * c, now.length);
                    for (int i = 0; i < now.length; i++) {
                        assertEquals(was[i] + d[h * hs * c + i], now[i], 1e-6, head + role + "[" + i + "]");
                        if (Math.abs(d[h * hs * c + i]) > 1e-3) checked++;
                    }
                }
            }
            for (String other : List.of(".sa.proj.weight", ".ffwd.net.0.weight", ".ffwd.net.2.weight")) {
                String name = "blocks." + layer + other;
                assertArrayEquals(before.get(name), after.get(name).values(), name + ": not targeted");
            }
        }
        assertTrue(checked > 1000, "the updates are not negligible: " + checked);
    }

    /** {@code s * B @ A (out, in)}, in double. */
    private static float[] delta(LoraAdapter a, float s) {
        int r = a.rank(), in = a.a().shape()[1], out = a.b().shape()[0];
        float[] d = new float[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double sum = 0;
                for (int k = 0; k < r; k++) sum += (double) a.b().data()[o * r + k] * a.a().data()[k * in + i];
                d[o * in + i] = (float) (s * sum);
            }
        }
        return d;
    }

    @Test
    void cachedGenerationUsesTheAdaptedAndQuantizedWeights() {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(256, 16, 16, 2, 2, 0.0), 30);
        Quantize.base(model, 4);
        Lora.enable(model, ALL, 31);
        randomizeB(Lora.adapters(model), 32, 0.2);
        INDArray start = Nd4j.createFromArray(new long[][]{{1, 2, 3}});
        assertEquals(model.generate(start, 20, 1.0, null, 33), model.generateCached(start, 20, 1.0, null, 33));
    }

    @Test
    void smallModelTrainsUnderFivePercentOfItsParameters() {
        GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(256), 1);
        assertEquals(234_368, model.parameterCount());
        assertEquals(model.parameterCount(), model.trainableParameterCount(), "full fine-tuning: everything trains");
        Lora.enable(model, LoraConfig.queryValue(8), 2);
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
            if (quantized) Quantize.base(model, QuantSpec.ofBits(4, 32), true);
            Lora.enable(model, ALL, 41);
            List<float[]> frozen = new ArrayList<>();
            List<Parameter> base = new ArrayList<>(model.parameters());
            base.removeAll(model.trainableParameters());
            for (Parameter p : base) frozen.add(p.data().clone());
            List<byte[]> packed = new ArrayList<>();
            List<float[]> scales = new ArrayList<>();
            for (Linear l : model.linears()) {
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
            for (Linear l : model.linears()) {
                if (quantizedOf(l) == null) continue;
                assertArrayEquals(packed.get(q), quantizedOf(l).packedCopy());
                assertArrayEquals(scales.get(q++), quantizedOf(l).scalesCopy());
            }
            assertEquals(quantized ? 2 * 4 + 1 : 0, q); // per block: c_attn, proj, ffwd.net.0, ffwd.net.2; and lm_head
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
        Quantize.base(model, 8);
        Lora.enable(model, LoraConfig.queryValue(2), 51);
        randomizeB(Lora.adapters(model), 52, 0.2);
        int[] x = randomIds(8, 256, 53);
        float[] unmerged = logits(model, x, 1, 8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Lora.merge(model));
        assertTrue(e.getMessage().contains("Quantize.dequantize(model)"), e.getMessage());
        assertNotNull(Lora.config(model), "nothing was merged");
        Quantize.dequantize(model);
        Lora.merge(model);
        assertNull(Quantize.spec(model));
        assertTrue(maxDiff(unmerged, logits(model, x, 1, 8)) <= 1e-5);
    }

    @Test
    void configValidationNamesTheValueAndTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 1, 0, LoraConfig.Targets.QUERY_VALUE));
        assertTrue(e.getMessage().contains("rank = 0") && e.getMessage().contains("between 1 and 1024"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, 1.05, LoraConfig.Targets.QUERY_VALUE));
        assertTrue(e.getMessage().contains("dropout = 1.05") && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, -1, 0, LoraConfig.Targets.QUERY_VALUE));
        assertTrue(e.getMessage().contains("alpha = -1.0"), e.getMessage());
        GptLanguageModel model = Lora.enable(new GptLanguageModel(TINY, 1), LoraConfig.queryValue(2), 1);
        assertThrows(IllegalStateException.class, () -> Lora.enable(model, LoraConfig.queryValue(2), 1));
    }

    // ---- adapter dropout (p > 0): the masked branch in training mode ----

    private static final LoraConfig ALL_DROP = new LoraConfig(2, 4.0, 0.3, LoraConfig.Targets.ALL_LINEAR);

    /** The same seeds before every forward pass: the same masks, so the loss is a smooth function of A, B and x. */
    private static void reseed(List<LoraAdapter> adapters, long seed) {
        for (int i = 0; i < adapters.size(); i++) adapters.get(i).reseedDropout(seed + 1000L * i);
    }

    @Test
    void dropoutBranchGradientsInALinearMatchFiniteDifferencesWithAFixedMask() {
        for (int rows : new int[]{3, 12}) {
            for (boolean quantized : new boolean[]{false, true}) {
                Linear lin = linear("lin", 5, 6, true, 1);
                Linear.Buffers linB = new Linear.Buffers();
                LoraAdapter ad = adapt(lin, quantized, ALL_DROP);
                randomizeB(List.of(ad), 3, 0.5);
                float[] x = input(rows * 5, 4);
                float[] eval = lin.forward(linB, x, rows, false).clone();
                ad.reseedDropout(5);
                float[] train = lin.forward(linB, x, rows, true).clone();
                assertTrue(maxDiff(eval, train) > 1e-3, "the mask changes the training output");
                LayerCheck.check("Linear+LoRA dropout rows=" + rows + " quantized=" + quantized, x, rows * 6,
                        in -> { ad.reseedDropout(5); return lin.forward(linB, in, rows, true); }, dy -> lin.backward(linB, dy), ad.parameters(), 1e-2);
            }
        }
    }

    @Test
    void dropoutBranchGradientsInAttentionMatchFiniteDifferencesWithAFixedMask() {
        for (LoraConfig config : List.of(ALL_DROP, new LoraConfig(2, 4.0, 0.3, LoraConfig.Targets.QUERY_VALUE))) {
            Attention sa = attention(C, 2, 7);
            Attention.Buffers saB = sa.newBuffers();
            List<LoraAdapter> adapters = adapt(sa, config);
            assertEquals(config.targets() == LoraConfig.Targets.ALL_LINEAR ? 4 : 2, adapters.size());
            randomizeB(adapters, 10, 0.5);
            float[] x = input(B * T * C, 11);
            float[] eval = sa.forward(saB, x, B, T, false).clone();
            reseed(adapters, 12);
            assertTrue(maxDiff(eval, sa.forward(saB, x, B, T, true)) > 1e-3, "the masks change the training output");
            LayerCheck.check("Attention+LoRA dropout " + config.targets(), x, B * T * C,
                    in -> { reseed(adapters, 12); return sa.forward(saB, in, B, T, true); }, dy -> sa.backward(saB, dy),
                    params(adapters), 1e-2);
        }
    }

    @Test
    void evalOutputsWithDropoutEqualThoseWithout() {
        GptConfig cfg = new GptConfig(256, 16, 16, 2, 2, 0.0);
        int[] x = randomIds(2 * 16, 256, 60), y = randomIds(2 * 16, 256, 65);
        GptLanguageModel plain = Lora.enable(new GptLanguageModel(cfg, 61), new LoraConfig(4, 8, 0.0, LoraConfig.Targets.ALL_LINEAR), 62);
        GptLanguageModel dropping = Lora.enable(new GptLanguageModel(cfg, 61), new LoraConfig(4, 8, 0.2, LoraConfig.Targets.ALL_LINEAR), 62);
        randomizeB(Lora.adapters(plain), 63, 0.2);
        randomizeB(Lora.adapters(dropping), 63, 0.2);
        float[] expected = logits(plain, x, 2, 16);
        assertArrayEquals(expected, logits(dropping, x, 2, 16), "eval mode: no adapter dropout, the same outputs");
        // training mode is reached through lossAndGradients only: the same cross-entropy of its logits as loss computes
        double evalLoss = plain.loss(x, y, 2, 16);
        assertEquals(evalLoss, dropping.loss(x, y, 2, 16), 0.0);
        assertEquals(evalLoss, plain.lossAndGradients(x, y, 2, 16), 0.0, "p = 0: training computes the same logits");
        double trained = dropping.lossAndGradients(x, y, 2, 16);
        assertTrue(Math.abs(trained - evalLoss) > 1e-4, "p > 0: training mode drops adapter inputs: " + trained + " against " + evalLoss);
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
        if (quantized) Quantize.base(model, QuantSpec.ofBits(4, 32), true);
        Lora.enable(model, new LoraConfig(2, 4, p, LoraConfig.Targets.ALL_LINEAR), 71);
        List<Parameter> base = new ArrayList<>(model.parameters());
        base.removeAll(model.trainableParameters());
        List<float[]> frozen = base.stream().map(q -> q.data().clone()).toList();
        List<byte[]> packed = new ArrayList<>();
        for (Linear l : model.linears()) if (quantizedOf(l) != null) packed.add(quantizedOf(l).packedCopy());
        assertEquals(quantized ? 2 * 4 + 1 : 0, packed.size());
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
        for (Linear l : model.linears()) if (quantizedOf(l) != null) assertArrayEquals(packed.get(q++), quantizedOf(l).packedCopy());
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
        GptLanguageModel model = new GptLanguageModel(TINY, 12);
        int c = TINY.nEmbd();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lora.enable(model, LoraConfig.queryValue(c + 1), 1));
        assertTrue(e.getMessage().contains("rank = " + (c + 1) + " is larger than n_embd = " + c), e.getMessage());
        assertNull(Lora.config(model), "nothing changed");
        assertTrue(model.isPlain(), "nothing frozen");
        Lora.enable(model, LoraConfig.queryValue(c), 1);
    }

    /**
     * A quantized base keeps no float32 copy of its weights: the blocks' Linears hold only their quantized codes (no
     * {@link Parameter} of theirs is left in the model, and the model's stored bytes are the quantized ones), and after
     * a backward pass no frozen tensor has a gradient array. (The products dequantize {@link QuantizedBase#ROWS} rows at
     * a time into a small per-thread block: there is no longer a shared scratch buffer to measure.)
     */
    @Test
    void aQuantizedBaseKeepsNoFloatCopyAndNoGradientOfFrozenWeights() {
        GptConfig cfg = GptConfig.smallDefaults(256);                     // 64/4/4, vocabulary 256
        GptLanguageModel model = new GptLanguageModel(cfg, 3);
        Quantize.base(model, QuantSpec.nf4(), false);
        Lora.enable(model, LoraConfig.queryValue(4), 5);
        int[] x = randomIds(2 * 32, 256, 6), y = randomIds(2 * 32, 256, 7);
        model.lossAndGradients(x, y, 2, 32);
        List<Linear> linears = model.linears();
        assertEquals(4 * 4 + 1, linears.size());
        for (Linear l : linears.subList(0, linears.size() - 1)) {
            Weight base = l.weight() instanceof LoraWeight lw ? lw.base() : l.weight();
            assertInstanceOf(QuantizedBase.class, base, l.name());
            assertEquals(List.of(), base.parameters(), l.name() + ": no float32 weight kept");
            assertEquals(l.name().endsWith(".c_attn"), l.weight() instanceof LoraWeight, l.name() + ": adapters on query and value only");
        }
        assertInstanceOf(DenseWeight.class, linears.get(linears.size() - 1).weight(), "lm_head stays float32");
        for (Parameter p : model.parameters()) {
            assertFalse(p.name().matches("blocks\\.\\d+\\.(sa\\.c_attn|sa\\.proj|ffwd\\.net\\.[02])\\.weight"), p.name() + " is kept in float32");
        }
        long quantized = Quantize.weights(model).stream().mapToLong(QuantizedWeight::bytes).sum();
        assertEquals(196_608 / 2 + 4L * 196_608 / 64, quantized, "the blocks' 196,608 weights: 4 bits each, a float32 scale per 64");
        assertEquals(4L * 37_760 + quantized, FineTune.baseMemoryBytes(model), "the other 37,760 values in float32, nothing else");
        long adapterValues = Lora.adapterParameters(model).stream().mapToLong(Parameter::size).sum();
        assertEquals(4 * 2 * (4 * 64 + 64 * 4), adapterValues);
        assertEquals(FineTune.baseMemoryBytes(model) + 4 * adapterValues, model.storedBytes());
        List<Parameter> trainable = model.trainableParameters();
        int frozen = 0;
        for (Parameter p : model.parameters()) {
            assertEquals(trainable.contains(p), p.hasGrad(), p.name() + (trainable.contains(p) ? " trains" : " is frozen"));
            if (!trainable.contains(p)) frozen++;
        }
        assertEquals(2 + 4 * 3 + 4 * 4 + 2 + 2, frozen, "embeddings (2), biases of proj, ffwd.net.0 and ffwd.net.2 and the two LayerNorms"
                + " (per block), ln_f, lm_head's weight and bias");
    }

    // ---- layers built here as Lora.enable wires them ----

    /**
     * The layers are built with zeros: fill {@code params} in order with U(-1/sqrt(in), 1/sqrt(in)) from
     * {@code java.util.Random(seed)}, weight then bias (as the engine tests' LayerGradientTest.initialised).
     */
    static void initialise(List<Parameter> params, long seed) {
        Random init = new Random(seed);
        int fanIn = -1;
        for (Parameter p : params) {
            if (p.shape().length == 2) fanIn = p.shape()[1];
            double bound = 1 / Math.sqrt(fanIn);
            for (int i = 0; i < p.size(); i++) p.data()[i] = (float) ((init.nextDouble() * 2 - 1) * bound);
        }
    }

    static Linear linear(String name, int in, int out, boolean bias, long seed) {
        Linear l = new Linear(name, in, out, bias);
        initialise(l.parameters(), seed);
        return l;
    }

    static Attention attention(int nEmbd, int nHead, long seed) {
        Attention sa = new Attention("sa", nEmbd, nHead, 0.0, new TorchGenerator(seed + 1));
        Attention.Buffers saB = sa.newBuffers();
        initialise(sa.parameters(), seed);
        return sa;
    }

    /** ReLU's kink away from the checked weights: +4 on the first feed-forward layer's bias (as the engine tests do). */
    static void smoothRelus(List<Parameter> params) {
        for (Parameter p : params) {
            if (p.name().endsWith("ffwd.net.0.bias")) for (int i = 0; i < p.size(); i++) p.data()[i] += 4f;
        }
    }

    /** Its float32 weight, frozen. */
    private static Weight frozen(Linear l) {
        return new DenseWeight(((DenseWeight) l.weight()).parameter(), false);
    }

    /** A LoRA adapter on {@code lin} (base frozen, and in int4 groups of 8 if {@code quantized}), A drawn from seed 2. */
    static LoraAdapter adapt(Linear lin, boolean quantized, LoraConfig config) {
        Parameter w = ((DenseWeight) lin.weight()).parameter();
        Weight base = quantized ? new QuantizedBase(QuantizedWeight.quantize(w.data(), w.shape(), QuantSpec.ofBits(4, 8))) : frozen(lin);
        LoraAdapter ad = new LoraAdapter("lin", lin.inFeatures(), lin.outFeatures(), config);
        lin.setWeight(new LoraWeight(base, List.of(new LoraWeight.Slot(0, ad)), config));
        return drawA(List.of(ad), 2).get(0);
    }

    /**
     * Adapters on {@code sa} as {@link Lora#enable} wires them: query, key, value on their thirds of the fused c_attn, then
     * proj; every base weight frozen; A from seed 9.
     */
    static List<LoraAdapter> adapt(Attention sa, LoraConfig config) {
        int c = sa.cAttn().inFeatures();
        List<LoraAdapter> out = new ArrayList<>();
        List<LoraWeight.Slot> slots = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            if (!config.targets(Lora.ROLES[r])) continue;
            LoraAdapter a = new LoraAdapter("sa." + Lora.ROLES[r], c, c, config);
            slots.add(new LoraWeight.Slot(r * c, a));
            out.add(a);
        }
        sa.cAttn().setWeight(new LoraWeight(frozen(sa.cAttn()), slots, config));
        if (config.targets("proj")) {
            LoraAdapter a = new LoraAdapter("sa.proj", c, c, config);
            sa.proj().setWeight(new LoraWeight(frozen(sa.proj()), List.of(new LoraWeight.Slot(0, a)), config));
            out.add(a);
        } else {
            sa.proj().setWeight(frozen(sa.proj()));
        }
        return drawA(out, 9);
    }

    /** The adapters are built with A zero: fill A in order with U(-1/sqrt(in), 1/sqrt(in)) from java.util.Random(seed). */
    static List<LoraAdapter> drawA(List<LoraAdapter> adapters, long seed) {
        Random init = new Random(seed);
        for (LoraAdapter a : adapters) {
            double bound = 1 / Math.sqrt(a.a().shape()[1]);                           // (r, in)
            for (int i = 0; i < a.a().size(); i++) a.a().data()[i] = (float) ((init.nextDouble() * 2 - 1) * bound);
        }
        return adapters;
    }

    /** The quantized weight under {@code l}'s adapters (if any), or null for a float32 one. */
    static QuantizedWeight quantizedOf(Linear l) {
        Weight w = l.weight() instanceof LoraWeight lw ? lw.base() : l.weight();
        return w instanceof QuantizedBase q ? q.quantized() : null;
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
