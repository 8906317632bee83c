package io.buildgpt.train;

import io.buildgpt.TestTexts;
import io.buildgpt.bigram.BigramLanguageModel;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.LanguageModel;
import io.buildgpt.engine.Parameter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {

    private static TrainResult trainBigram(String text, TrainConfig config, long seed, TrainListener listener) {
        CharTokenizer tok = CharTokenizer.fromText(text);
        TokenSplit data = TokenSplit.of(tok.encode(text), 0.9, 8);
        BigramLanguageModel model = new BigramLanguageModel(tok.vocabSize(), seed);
        return new Trainer(model, new BatchSampler(data, 32, 8, seed), new AdamW(model.parameters(), config.learningRate()))
                .train(config, listener);
    }

    @Test
    void trainingLowersTheLossAndRecordsEveryEvaluation() {
        List<Integer> seen = new ArrayList<>();
        TrainResult r = trainBigram(TestTexts.SMALL, new TrainConfig(500, 100, 20, 1e-2), 1337, (step, est, h) -> seen.add(step));
        assertEquals(List.of(0, 100, 200, 300, 400, 499), seen);
        assertEquals(6, r.history().table().rowCount());
        double[] train = r.history().trainLosses();
        assertTrue(train[5] < train[0] - 1.0, "train loss did not drop: " + r.history());
    }

    @Test
    void sameSeedGivesTheSameNumbers() {
        TrainConfig c = new TrainConfig(200, 50, 10, 1e-2);
        TrainResult a = trainBigram(TestTexts.SMALL, c, 7, TrainListener.NONE);
        TrainResult b = trainBigram(TestTexts.SMALL, c, 7, TrainListener.NONE);
        assertArrayEquals(a.history().valLosses(), b.history().valLosses());
        assertArrayEquals(a.history().trainLosses(), b.history().trainLosses());
    }

    @Test
    void nanLossStopsWithAClearMessage() {
        LanguageModel broken = new LanguageModel() {
            final Parameter p = new Parameter("w", 1);
            int calls;
            public List<Parameter> parameters() { return List.of(p); }
            public int vocabSize() { return 2; }
            public double loss(int[] x, int[] y, int b, int t) { return 1.0; }
            public double lossAndGradients(int[] x, int[] y, int b, int t) { return ++calls > 3 ? Double.NaN : 1.0; }
        };
        CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
        TokenSplit data = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 8);
        Trainer trainer = new Trainer(broken, new BatchSampler(data, 4, 8, 1), new AdamW(broken.parameters(), 0.5));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.train(new TrainConfig(10, 5, 1, 0.5)));
        assertEquals(3, e.step());
        assertTrue(e.getMessage().contains("became NaN at step 3"), e.getMessage());
        assertTrue(e.getMessage().contains("smaller learning rate"), e.getMessage());
    }

    @Test
    void tinyShakespeareBigramReachesThePyTorchValLoss() throws Exception {
        Path p = TestTexts.shared("tinyshakespeare.txt").orElse(null);
        Assumptions.assumeTrue(p != null, "../shared/data/tinyshakespeare.txt not present");
        // The lecture's run; PyTorch reaches val 2.49 (src/bench/compare.sh bigram prints both).
        TrainResult r = trainBigram(Files.readString(p), TrainConfig.bigramDefaults(), 1337, TrainListener.NONE);
        assertEquals(2.49, r.last().val(), 0.03, r.history().toString());
        assertTrue(r.history().valLosses()[0] > 4.4, "untrained val loss should be about ln(65) + 0.5");
    }

    @Test
    void aSecondLearningRateIsRefusedNotSilentlyUsed() {
        CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
        TokenSplit data = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 8);
        BigramLanguageModel model = new BigramLanguageModel(tok.vocabSize(), 1);
        AdamW adam = new AdamW(model.parameters(), 1e-3);
        Trainer trainer = new Trainer(model, new BatchSampler(data, 4, 1), adam);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(new TrainConfig(5, 5, 1, 1e-2)));
        assertEquals("two learning rates: the AdamW has 0.001 but the TrainConfig says 0.01; give the same value to both"
                + " (the optimiser's is the one that steps)", e.getMessage());
        assertEquals(1e-3, adam.learningRate());
    }

    @Test
    void anExplodingButFiniteLossIsWarnedAbout() {
        CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
        TokenSplit data = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 8);
        io.buildgpt.engine.GptLanguageModel model = new io.buildgpt.engine.GptLanguageModel(
                new io.buildgpt.engine.GptConfig(tok.vocabSize(), 8, 16, 2, 1, 0.0), 1);
        Trainer trainer = new Trainer(model, new BatchSampler(data, 8, 3), new AdamW(model, 9.99));
        trainer.train(new TrainConfig(40, 10, 2, 9.99));
        assertEquals(1, trainer.warnings().size(), "one warning per run");
        assertTrue(trainer.warnings().get(0).matches("warning: the training loss is \\S+ at step \\d+, \\d+\\.\\d times its first estimate"
                + " \\S+: training is diverging; the learning rate 9\\.99000 is probably too high \\(try 0\\.999000\\)"), trainer.warnings().get(0));
    }

    @Test
    void aWindowLongerThanTheModelsContextIsRefusedWhenTheTrainerIsMade() {
        CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
        TokenSplit data = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 16);
        io.buildgpt.engine.GptLanguageModel model = new io.buildgpt.engine.GptLanguageModel(
                new io.buildgpt.engine.GptConfig(tok.vocabSize(), 8, 16, 2, 1, 0.0), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(model, new BatchSampler(data, 4, 1), new AdamW(model, 1e-3)));
        assertTrue(e.getMessage().startsWith("the sampler draws windows of T = 16 tokens but the model's blockSize is 8"), e.getMessage());
        assertEquals(16, new BatchSampler(data, 4, 1).blockSize(), "the sampler takes the split's blockSize");
    }
}
