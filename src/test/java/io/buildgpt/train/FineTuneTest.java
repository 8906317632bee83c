package io.buildgpt.train;

import io.buildgpt.TestTexts;
import io.buildgpt.data.ByteTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.model.GptConfig;
import io.buildgpt.model.GptLanguageModel;
import io.buildgpt.model.LoraConfig;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FineTuneTest {
    private final TokenSplit data = TokenSplit.of(new ByteTokenizer().encode(TestTexts.SMALL), 0.8, 8);
    private final GptLanguageModel pretrained = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 3);

    @Test
    void copyComputesTheSameLoss() {
        double a = FineTune.heldOutLoss(pretrained, data, 4, 3);
        assertEquals(a, FineTune.heldOutLoss(FineTune.copy(pretrained, 1), data, 4, 3), 0.0);
    }

    @Test
    void threeMethodsGiveATableAndLeaveThePretrainedModelAlone() {
        double before = FineTune.heldOutLoss(pretrained, data, 4, 3);
        List<FineTune.Result> results = new ArrayList<>();
        for (FineTune.Method m : FineTune.Method.values()) {
            results.add(FineTune.run(m, pretrained, data, 4, new TrainConfig(30, 10, 2, 1e-2), LoraConfig.queryValue(2), 5, 1, TrainListener.NONE));
        }
        assertEquals(before, FineTune.heldOutLoss(pretrained, data, 4, 3), 0.0, "the pretrained weights are copied, not trained");
        FineTune.Result full = results.get(0), lora = results.get(1), q = results.get(2);
        assertEquals(pretrained.parameterCount(), full.trainableParameters());
        assertTrue(lora.trainableParameters() < full.trainableParameters() / 5);
        assertEquals(lora.trainableParameters(), q.trainableParameters());
        assertTrue(q.baseMemoryBytes() < lora.baseMemoryBytes());
        for (FineTune.Result r : results) assertTrue(r.heldOutLoss() < before, r.method() + " learned nothing");
        assertEquals("LoRA", lora.history().name());
        Table t = FineTune.table(pretrained, before, results);
        assertEquals(4, t.rowCount());
        assertEquals(List.of("pretrained only", "full fine-tune", "LoRA", "LoRA on 4-bit base"), t.stringColumn("method").asList());
        assertTrue(FineTune.verdict(before, full, lora, q).contains("of the gap"));
    }
}
