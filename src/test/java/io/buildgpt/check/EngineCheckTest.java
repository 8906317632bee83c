package io.buildgpt.check;

import io.buildgpt.bench.LectureGpt.GPTLanguageModel;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.StateDict;
import io.buildgpt.nn.Embedding;
import io.buildgpt.nn.Module;
import io.buildgpt.tensor.F;
import io.buildgpt.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EngineCheck on the lecture's GPT written on the tensor library (the cell classes of notebook 08) against the
 * engine: equal when the cell model is right, not equal by the measured amount when it is wrong, and a clear
 * message when the names differ.
 */
class EngineCheckTest {
    private static final int V = 11, BLOCK = 8, C = 16, HEADS = 2, LAYERS = 2, B = 3, T = 8;

    private static Tensor ids(int mul, int add) {
        long[] v = new long[B * T];
        for (int i = 0; i < v.length; i++) v[i] = (mul * i + add) % V;
        return Tensor.tensor(v, B, T);
    }

    @Test
    void theCellGptEqualsTheEngineOnTheSameWeightsEvenWithDropoutOn() {
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(V, BLOCK, C, HEADS, LAYERS, 0.2), 7)) {
            Tensor.manualSeed(99);                                      // other weights than the engine's: the check copies them
            GPTLanguageModel cell = new GPTLanguageModel(V, BLOCK, C, HEADS, LAYERS, 0.2);
            EngineCheckResult r = EngineCheck.compare(cell, cell::forward, engine, ids(7, 3), ids(5, 1));
            assertTrue(r.equal(), r.toString());
            assertTrue(r.maxLogitDifference() < 1e-5 && r.lossDifference() < 1e-5 && r.maxGradientDifference() < 1e-5, r.toString());
            assertEquals(StateDict.of(engine).stream().map(StateDict.Entry::name).toList(), r.names());
            assertEquals(List.copyOf(cell.namedParameters().keySet()), r.names());
            assertEquals(Math.log(V), r.cellLoss(), 0.5, "a fresh model's loss is near ln V");
            assertTrue(cell.isTraining(), "the cell model is back in training mode after the check");
            float[] w = cell.namedParameters().get("lm_head.weight").toFloatArray();
            assertEquals(StateDict.byName(engine).get("lm_head.weight").values()[5], w[5]);
        }
    }

    @Test
    void aWrongCellModelIsCaughtByTheAmountItIsWrong() {
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(V, BLOCK, C, HEADS, LAYERS, 0.0), 7)) {
            GPTLanguageModel cell = new GPTLanguageModel(V, BLOCK, C, HEADS, LAYERS, 0.0);
            EngineCheck.Forward scaled = (x, y) -> {                   // logits 1% too large
                Tensor logits = cell.forward(x, null)[0].mul(1.01);
                return new Tensor[]{logits, F.crossEntropy(logits.view(B * T, V), y.view(B * T))};
            };
            EngineCheckResult r = EngineCheck.compare(cell, scaled, engine, ids(7, 3), ids(5, 1));
            assertFalse(r.equal(), r.toString());
            float[] logits = engine.forward(ids(7, 3).toINDArray(), null).logits().data().asFloat();
            double want = 0;
            for (float l : logits) want = Math.max(want, Math.abs(0.01 * l));
            assertEquals(want, r.maxLogitDifference(), 1e-6 + 1e-3 * want);
            assertTrue(r.maxGradientDifference() > EngineCheck.TOLERANCE, r.toString());
            assertTrue(r.toString().contains("equal within 1e-04: false"), r.toString());
        }
    }

    static final class Misnamed extends Module {
        final Embedding tokenTable = new Embedding(V, V);
    }

    @Test
    void differentNamesAreReportedByName() {
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(V, BLOCK, C, HEADS, LAYERS, 0.0), 7)) {
            Misnamed cell = new Misnamed();
            var e = assertThrows(IllegalArgumentException.class, () -> EngineCheck.copyWeights(engine, cell));
            assertTrue(e.getMessage().contains("only in the cell model [token_table.weight]"), e.getMessage());
            assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
        }
    }

    @Test
    void differentShapesAreReportedByName() {
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(V, BLOCK, C, HEADS, LAYERS, 0.0), 7)) {
            GPTLanguageModel cell = new GPTLanguageModel(V, BLOCK + 1, C, HEADS, LAYERS, 0.0);
            var e = assertThrows(IllegalArgumentException.class, () -> EngineCheck.copyWeights(engine, cell));
            assertTrue(e.getMessage().startsWith("position_embedding_table.weight has shape [8, 16] in the engine but [9, 16]"), e.getMessage());
        }
    }

    @Test
    void theSameSeedGivesTheEngineAndTheCellModelTheSameInitialWeights() {
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(V, BLOCK, C, HEADS, LAYERS, 0.0), 1337)) {
            Tensor.manualSeed(1337);
            GPTLanguageModel cell = new GPTLanguageModel(V, BLOCK, C, HEADS, LAYERS, 0.0);
            var cellWeights = cell.namedParameters();
            double max = 0;
            for (StateDict.Entry p : StateDict.of(engine)) {
                float[] a = p.values(), b = cellWeights.get(p.name()).toFloatArray();
                for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
            }
            assertEquals(0.0, max, "gpt.py's _init_weights by layer type draws what the engine's LectureInit draws");
        }
    }
}
