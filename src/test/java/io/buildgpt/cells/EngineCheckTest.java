package io.buildgpt.cells;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class EngineCheckTest {

    private static int[] ids(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(vocab);
        return a;
    }

    @Test
    void lectureGptInCellsEqualsTheEngine() {
        int vocab = 11, block = 6, embd = 16, head = 4, layer = 2, batch = 3;
        var gpt = new LectureGpt.GPTLanguageModel(new io.buildgpt.random.TorchGenerator(7),
                new LectureGpt.Config(vocab, block, embd, head, layer, 0.0));
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(vocab, block, embd, head, layer, 0.0), 3)) {
            assertEquals(engine.parameterCount(), gpt.parameterCount(), "same parameters as the engine");
            List<String> names = engine.parameters().stream().map(Parameter::name).toList();
            assertEquals(names, gpt.parameters().stream().map(Parameter::name).toList(), "state_dict order");
            int[] x = ids(batch * block, vocab, 1), y = ids(batch * block, vocab, 2);
            long t0 = System.nanoTime();
            EngineCheck.Result r = EngineCheck.compare(gpt, engine, x, y, batch);
            System.out.println(r + " in " + (System.nanoTime() - t0) / 1e6 + " ms");
            assertTrue(r.equal(), r.toString());
            assertTrue(r.cellLoss() > 1, "a real loss, not zero");
        }
    }

    @Test
    void withDropoutTheCheckComparesWithDropoutOff() {
        int vocab = 7, block = 4, embd = 8, head = 2, layer = 1, batch = 2;
        var gpt = new LectureGpt.GPTLanguageModel(new io.buildgpt.random.TorchGenerator(3),
                new LectureGpt.Config(vocab, block, embd, head, layer, 0.5));
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(vocab, block, embd, head, layer, 0.5), 5)) {
            EngineCheck.Result r = EngineCheck.compare(gpt, engine, ids(batch * block, vocab, 3), ids(batch * block, vocab, 4), batch);
            assertTrue(r.equal(), r.toString());
        }
    }

    @Test
    void aDifferentArchitectureIsRefusedByName() {
        var gpt = new LectureGpt.GPTLanguageModel(new io.buildgpt.random.TorchGenerator(3),
                new LectureGpt.Config(7, 4, 8, 1, 1, 0.0));
        try (GptLanguageModel engine = new GptLanguageModel(new GptConfig(7, 4, 8, 2, 1, 0.0), 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineCheck.copyWeights(engine, gpt));
            assertTrue(e.getMessage().contains("blocks.0.sa.heads.1.key.weight"), e.getMessage());
        }
    }
}
