package io.buildgpt.train;

import io.buildgpt.TestTexts;
import io.buildgpt.bigram.BigramLanguageModel;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class TrainerMicroBatchTest {
    private static final CharTokenizer TOK = CharTokenizer.fromText(TestTexts.SMALL);
    private static final TokenSplit DATA = TokenSplit.of(TOK.encode(TestTexts.SMALL), 0.9, 8);
    private static final GptConfig CONFIG = new GptConfig(TOK.vocabSize(), 8, 16, 2, 2, 0.0); // no dropout: same masks
    private static final TrainConfig RUN = new TrainConfig(6, 2, 2, 3e-3);                      // evaluations at 0, 2, 4, 5

    private static TrainResult train(int microBatch) {
        GptLanguageModel model = new GptLanguageModel(CONFIG, 3);
        Trainer trainer = new Trainer(model, new BatchSampler(DATA, 8, 8, 5), new AdamW(model, RUN.learningRate()), microBatch);
        assertEquals(microBatch, trainer.microBatch());
        return trainer.train(RUN);
    }

    @Test
    void microBatchesGiveTheWholeBatchLossesAndEstimates() {
        TrainResult whole = train(8);
        assertArrayEquals(new int[]{0, 2, 4, 5}, whole.history().steps());
        assertTrue(whole.last().train() < whole.history().trainLosses()[0], "training lowers the loss: " + whole.history());
        for (int microBatch : new int[]{1, 2, 4}) {
            TrainResult parts = train(microBatch);
            assertArrayEquals(whole.history().steps(), parts.history().steps());
            assertArrayEquals(whole.history().trainLosses(), parts.history().trainLosses(), 1e-5, "microBatch " + microBatch);
            assertArrayEquals(whole.history().valLosses(), parts.history().valLosses(), 1e-5, "microBatch " + microBatch);
            assertFalse(Arrays.equals(whole.history().trainLosses(), parts.history().trainLosses())
                    && Arrays.equals(whole.history().valLosses(), parts.history().valLosses()),
                    "summed in another order: the micro-batch path really ran (microBatch " + microBatch + ")");
        }
        GptLanguageModel model = new GptLanguageModel(CONFIG, 3);
        TrainResult plain = new Trainer(model, new BatchSampler(DATA, 8, 8, 5), new AdamW(model, RUN.learningRate())).train(RUN);
        assertArrayEquals(whole.history().valLosses(), plain.history().valLosses(), 0.0, "the default is the whole batch in one pass");
    }

    @Test
    void anEstimateInPartsIsTheWholeBatchEstimate() {
        GptLanguageModel model = new GptLanguageModel(CONFIG, 3);
        LossEstimate whole = Trainer.estimateLoss(model, new BatchSampler(DATA, 8, 8, 9), 3);
        for (int microBatch : new int[]{1, 2, 4}) {
            LossEstimate parts = Trainer.estimateLoss(model, new BatchSampler(DATA, 8, 8, 9), 3, microBatch);
            assertEquals(whole.train(), parts.train(), 1e-5, "microBatch " + microBatch);
            assertEquals(whole.val(), parts.val(), 1e-5, "microBatch " + microBatch);
            assertNotEquals(whole, parts, "averaged in another order: the parts really ran (microBatch " + microBatch + ")");
        }
        assertEquals(whole, Trainer.estimateLoss(model, new BatchSampler(DATA, 8, 8, 9), 3, 8), "microBatch = B: the whole batch");
    }

    @Test
    void aBadMicroBatchIsRefusedClearly() {
        GptLanguageModel model = new GptLanguageModel(CONFIG, 3);
        for (int bad : new int[]{0, 3, -2, 16}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, new BatchSampler(DATA, 8, 8, 5), new AdamW(model, 1e-3), bad));
            assertEquals("microBatch = " + bad + " must be at least 1 and divide the batch size 8; use a divisor of it"
                    + " (8 itself: the whole batch in one pass)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Trainer.estimateLoss(model, new BatchSampler(DATA, 8, 8, 5), 1, bad));
            assertTrue(e.getMessage().startsWith("microBatch = " + bad + " must be at least 1 and divide the batch size 8"), e.getMessage());
        }
        BigramLanguageModel bigram = new BigramLanguageModel(TOK.vocabSize(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(bigram, new BatchSampler(DATA, 8, 8, 5), new AdamW(bigram, 1e-2), 4));
        assertEquals("microBatch = 4 needs a GptLanguageModel, got BigramLanguageModel; use microBatch = 8 (the whole batch) for this model",
                e.getMessage());
        Trainer whole = new Trainer(bigram, new BatchSampler(DATA, 8, 8, 5), new AdamW(bigram, 1e-2), 8); // the whole batch: fine
        assertEquals(8, whole.microBatch());
        whole.train(new TrainConfig(2, 1, 1, 1e-2));
    }
}
