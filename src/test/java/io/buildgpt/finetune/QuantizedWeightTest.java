package io.buildgpt.finetune;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.StateDict;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class QuantizedWeightTest {

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (r.nextGaussian() * 0.1);
        return w;
    }

    @Test
    void roundTripErrorIsAtMostHalfAStepPerBlock() {
        float[] w = gaussian(1000, 1); // 1000 = 15 full blocks of 64 and one of 40
        w[70] = 3f;                    // an outlier coarsens only its own block
        for (int bits : new int[]{4, 8}) {
            QuantizedWeight q = QuantizedWeight.quantize(w, new int[]{20, 50}, bits, 64);
            float[] d = q.dequantize();
            int qmax = bits == 4 ? 7 : 127;
            for (int i = 0; i < w.length; i++) {
                float scale = q.scaleOf(i);
                assertTrue(Math.abs(w[i] - d[i]) <= scale / 2 * (1 + 1e-5), bits + "-bit [" + i + "]: " + w[i] + " -> " + d[i] + ", scale " + scale);
                assertTrue(Math.abs(q.level(i)) <= qmax);
            }
            assertEquals(3f / qmax, q.scaleOf(70), 1e-7);
            assertEquals(3f, d[70], 1e-6, "the block's absmax is exact");
            assertTrue(q.scaleOf(0) < q.scaleOf(70) / 10, "other blocks keep their fine steps");
        }
    }

    @Test
    void fourBitsTakeHalfAByteAWeightPlusTheScales() {
        float[] w = gaussian(64 * 64, 2);
        QuantizedWeight q4 = QuantizedWeight.quantize(w, new int[]{64, 64}, 4, 64);
        QuantizedWeight q8 = QuantizedWeight.quantize(w, new int[]{64, 64}, 8, 64);
        assertEquals(64 * 64 / 2 + 4 * 64, q4.bytes());  // 0.5625 bytes per weight, against 4
        assertEquals(64 * 64 + 4 * 64, q8.bytes());      // 1.0625
        assertEquals(2048 + 256, q4.bytes());
        assertTrue(q4.bytes() / (4.0 * w.length) < 0.15);
    }

    @Test
    void zerosAndExtremesSurviveThePacking() {
        float[] w = {0f, 0f, 0f, -1f, 1f, 0.25f, -0.5f};
        QuantizedWeight q = QuantizedWeight.quantize(w, new int[]{7}, 4, 3);
        assertArrayEquals(w, q.dequantize(), 1f / 14 + 1e-6f);
        assertEquals(0f, q.dequantize()[0]);
        assertEquals(-7, q.level(3));
        assertEquals(7, q.level(4));
        assertEquals(2, q.level(5), "0.25 / (1/7) = 1.75 rounds to 2");
        assertEquals(-7, q.level(6), "an odd index, in the high nibble, alone in the last block");
    }

    @Test
    void quantizingTheBaseShrinksItAndKeepsTheLossClose() {
        GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(256), 3);
        long before = FineTune.baseMemoryBytes(model);
        assertEquals(4L * 234_368, before);
        assertTrue(StateDict.byName(model).containsKey("blocks.0.sa.heads.0.query.weight"), "float32: the lecture's per-head weights");
        int[] x = LoraTest.randomIds(4 * 32, 256, 4), y = LoraTest.randomIds(4 * 32, 256, 5);
        double loss = model.loss(x, y, 4, 32);
        Quantize.base(model, 8);
        long after8 = FineTune.baseMemoryBytes(model);
        double loss8 = model.loss(x, y, 4, 32);
        Quantize.dequantize(model);
        Quantize.base(model, 4);
        long after4 = FineTune.baseMemoryBytes(model);
        double loss4 = model.loss(x, y, 4, 32);
        // blocks' Linear weights: 4 x (3*64*64 + 64*64 + 2*64*256) = 196,608; the other 37,760 values stay float32
        assertEquals(4L * 37_760 + 196_608 + 4L * 196_608 / 64, after8);
        assertEquals(4L * 37_760 + 196_608 / 2 + 4L * 196_608 / 64, after4);
        assertEquals(234_368, model.parameterCount(), "quantized weights still count");
        // no float32 copy of a quantized weight is kept: neither the fused attention weight nor its per-head views
        assertFalse(model.parameters().stream().anyMatch(p -> p.name().equals("blocks.0.sa.c_attn.weight")));
        assertFalse(StateDict.byName(model).containsKey("blocks.0.sa.heads.0.query.weight"));
        assertEquals(37_760, model.parameters().stream().mapToLong(Parameter::size).sum(), "only what stays float32 is a Parameter");
        assertEquals(List.of("INT4, groups of 64"), Quantize.weights(model).stream().map(q -> q.spec().label()).distinct().toList());
        assertEquals(4 * 4, Quantize.weights(model).size(), "c_attn, proj, ffwd.net.0, ffwd.net.2 of 4 blocks; lm_head stays float32");
        System.out.printf("base memory, 64/4/4 vocab 256: float32 %,d B; 8-bit %,d B (%.2fx); 4-bit %,d B (%.2fx); loss %.4f / %.4f / %.4f%n",
                before, after8, (double) before / after8, after4, (double) before / after4, loss, loss8, loss4);
        assertEquals(loss, loss8, 0.01);
        assertEquals(loss, loss4, 0.1);
        assertThrows(IllegalStateException.class, () -> Quantize.base(model, 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantizedWeight.quantize(new float[4], new int[]{4}, 3, 64));
        assertTrue(e.getMessage().contains("bits = 3") && e.getMessage().contains("4 or 8"), e.getMessage());
    }

    /** The standard normal CDF by Simpson's rule on its density: an independent check, no table involved. */
    private static double phi(double x) {
        int n = 4000;
        double h = x / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * h, f = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
            sum += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
        }
        return 0.5 + sum * h / 3;
    }

    private static double ppf(double p) {
        double lo = -10, hi = 10;
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (phi(mid) < p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    @Test
    void nf4LevelsAreNormalQuantilesRescaledToPlusMinusOne() {
        double offset = 0.9677083, max = ppf(offset);
        double[] expected = new double[16];
        for (int i = 0; i < 8; i++) expected[8 + i] = ppf(offset + (0.5 - offset) * (7 - i) / 8) / max;   // linspace(offset, 0.5, 9)[:-1]
        for (int i = 0; i < 7; i++) expected[i] = -ppf(offset + (0.5 - offset) * i / 7) / max;            // -linspace(offset, 0.5, 8)[:-1]
        expected[7] = 0;
        for (int i = 0; i < 16; i++) assertEquals(expected[i], QuantizedWeight.NF4[i], 1e-6, "level " + i);
    }

    private static double rmsError(float[] w, QuantizedWeight q) {
        float[] d = q.dequantize();
        double sum = 0;
        for (int i = 0; i < w.length; i++) sum += (w[i] - d[i]) * (w[i] - d[i]);
        return Math.sqrt(sum / w.length);
    }

    @Test
    void nf4FitsNormalWeightsBetterThanInt4AndDoubleQuantShrinksTheScales() {
        float[] w = gaussian(64 * 256, 5);
        QuantizedWeight int4 = QuantizedWeight.quantize(w, new int[]{64, 256}, QuantSpec.int4());
        QuantizedWeight nf4 = QuantizedWeight.quantize(w, new int[]{64, 256}, QuantSpec.nf4());
        QuantizedWeight dq = QuantizedWeight.quantize(w, new int[]{64, 256}, QuantSpec.nf4DoubleQuant());
        double eInt4 = rmsError(w, int4), eNf4 = rmsError(w, nf4), eDq = rmsError(w, dq);
        System.out.printf("RMS error on N(0, 0.1) weights: int4 %.5f, NF4 %.5f, NF4 + double quant %.5f%n", eInt4, eNf4, eDq);
        assertTrue(eNf4 < 0.9 * eInt4, "NF4 " + eNf4 + " against int4 " + eInt4);
        assertTrue(eDq < 1.02 * eNf4, "8-bit scales cost little: " + eDq + " against " + eNf4);
        int groups = 64 * 256 / 64;
        assertEquals(64 * 256 / 2 + 4L * groups, nf4.bytes());
        assertEquals(64 * 256 / 2 + groups + 4L * (groups / QuantizedWeight.SCALE_GROUP) + 4, dq.bytes()); // int8 scales, 1 float per 256, the mean
        for (int i = 0; i < w.length; i += 64) {
            float absmax = 0;
            for (int j = i; j < i + 64; j++) absmax = Math.max(absmax, Math.abs(w[j]));
            assertEquals(absmax, nf4.scaleOf(i), 0f, "NF4's scale is the group's absmax");
            assertEquals(absmax, dq.scaleOf(i), absmax * 0.02, "within an 8-bit step of it");
        }
    }

    @Test
    void nf4KeepsZeroAndTheExtremesExactly() {
        float[] w = {0f, -2f, 2f, 0.5f, 0f, 0f, 0f};
        QuantizedWeight q = QuantizedWeight.quantize(w, new int[]{7}, new QuantSpec(QuantSpec.Format.NF4, 4, false));
        float[] d = q.dequantize();
        assertEquals(0f, d[0]);
        assertEquals(-2f, d[1]);
        assertEquals(2f, d[2]);
        assertEquals(2 * QuantizedWeight.NF4[10], d[3], 1e-6, "0.25 of absmax: nearest level 0.2461");
        assertArrayEquals(new float[3], Arrays.copyOfRange(d, 4, 7), "an all-zero group stays zero");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new QuantSpec(QuantSpec.Format.NF4, 0, false));
        assertTrue(e.getMessage().contains("groupSize = 0"), e.getMessage());
    }
}
