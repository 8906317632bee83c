package io.buildgpt.engine;

import io.buildgpt.TestTexts;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.train.AdamW;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainResult;
import io.buildgpt.train.Trainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class GptTrainingTest {
    private static TrainResult train(long seed) {
        CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
        TokenSplit data = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 16);
        GptLanguageModel model = new GptLanguageModel(new GptConfig(tok.vocabSize(), 16, 32, 4, 2, 0.1), seed);
        Trainer trainer = new Trainer(model, new BatchSampler(data, 8, 16, seed), new AdamW(model.parameters(), 3e-3));
        return trainer.train(new TrainConfig(300, 100, 5, 3e-3));
    }

    @Test
    void trainingLowersTheLossAndIsReproducible() {
        TrainResult a = train(1337), b = train(1337);
        double[] losses = a.history().trainLosses();
        assertTrue(losses[losses.length - 1] < losses[0] - 1.0, a.history().toString());
        assertArrayEquals(a.history().trainLosses(), b.history().trainLosses());
        assertArrayEquals(a.history().valLosses(), b.history().valLosses());
    }
}
