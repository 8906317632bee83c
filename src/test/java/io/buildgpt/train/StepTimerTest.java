package io.buildgpt.train;

import io.buildgpt.TestTexts;
import io.buildgpt.bigram.BigramLanguageModel;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class StepTimerTest {
    private static final CharTokenizer TOK = CharTokenizer.fromText(TestTexts.SMALL);
    private static final TokenSplit DATA = TokenSplit.of(TOK.encode(TestTexts.SMALL), 0.9, 8);
    private static final GptConfig CONFIG = new GptConfig(TOK.vocabSize(), 8, 16, 2, 2, 0.0); // no dropout: same masks

    private static StepTimer.Timing time(int microBatch) {
        return time(new GptLanguageModel(CONFIG, 3), microBatch);
    }

    private static StepTimer.Timing time(GptLanguageModel model, int microBatch) {
        BatchSampler sampler = new BatchSampler(DATA, 8, 8, 5);
        return StepTimer.measure(model, sampler, new AdamW(model, 1e-3), 1, 2, microBatch);
    }

    /** The largest difference between the two models' gradients (those of the last step). */
    private static double gradientDiff(GptLanguageModel a, GptLanguageModel b) {
        double max = 0;
        for (int i = 0; i < a.parameters().size(); i++) {
            float[] ga = a.parameters().get(i).grad(), gb = b.parameters().get(i).grad();
            for (int j = 0; j < ga.length; j++) max = Math.max(max, Math.abs(ga[j] - gb[j]));
        }
        return max;
    }

    @Test
    void microBatchesGiveTheWholeBatchLoss() {
        GptLanguageModel wholeModel = new GptLanguageModel(CONFIG, 3);
        StepTimer.Timing whole = time(wholeModel, 8);
        assertEquals(2, whole.steps());
        assertTrue(whole.secondsPerStep() > 0);
        for (int microBatch : new int[]{1, 2, 4}) {
            GptLanguageModel partsModel = new GptLanguageModel(CONFIG, 3);
            StepTimer.Timing parts = time(partsModel, microBatch);
            assertEquals(whole.lastLoss(), parts.lastLoss(), 1e-6, "microBatch " + microBatch);
            assertTrue(gradientDiff(wholeModel, partsModel) < 1e-6, "microBatch " + microBatch + ": " + gradientDiff(wholeModel, partsModel));
            assertNotEquals(whole.lastLoss(), parts.lastLoss(), "summed in another order: the micro-batch path really ran");
        }
        GptLanguageModel model = new GptLanguageModel(CONFIG, 3);
        StepTimer.Timing plain = StepTimer.measure(model, new BatchSampler(DATA, 8, 8, 5), new AdamW(model, 1e-3), 1, 2);
        assertEquals(whole.lastLoss(), plain.lastLoss(), 0.0, "the default is the whole batch in one pass");
    }

    @Test
    void aBadMicroBatchIsRefusedClearly() {
        for (int bad : new int[]{0, 3, -2, 16}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> time(bad));
            assertTrue(e.getMessage().contains("microBatch = " + bad + " must be at least 1 and divide the batch size 8"), e.getMessage());
        }
        BigramLanguageModel bigram = new BigramLanguageModel(TOK.vocabSize(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StepTimer.measure(bigram, new BatchSampler(DATA, 8, 8, 5), new AdamW(bigram, 1e-3), 0, 1, 4));
        assertTrue(e.getMessage().contains("needs a GptLanguageModel, got BigramLanguageModel"), e.getMessage());
        StepTimer.measure(bigram, new BatchSampler(DATA, 8, 8, 5), new AdamW(bigram, 1e-3), 0, 1, 8); // the whole batch: fine
    }
}
