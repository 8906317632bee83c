package io.buildgpt.train;

import io.buildgpt.TestTexts;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.Split;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.model.GptConfig;
import io.buildgpt.model.GptLanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointTest {
    @TempDir
    Path dir;

    private final CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
    private final TokenSplit data = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 8);
    private final GptConfig config = new GptConfig(tok.vocabSize(), 8, 16, 2, 2, 0.0);

    /** Trains {@code steps} steps, returning the loss of each. */
    private static double[] steps(GptLanguageModel model, AdamW opt, BatchSampler sampler, int steps) {
        int[] x = new int[4 * 8], y = new int[4 * 8];
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            sampler.fill(Split.TRAIN, x, y);
            losses[i] = model.lossAndGradients(x, y, 4, 8);
            opt.step();
        }
        return losses;
    }

    @Test
    void reloadedTrainingContinuesExactlyAsIfNeverStopped() {
        GptLanguageModel model = new GptLanguageModel(config, 3);
        AdamW opt = new AdamW(model.parameters(), 3e-3);
        steps(model, opt, new BatchSampler(data, 4, 8, 1), 20);
        Path file = Checkpoint.save(dir.resolve("ckpt.bin"), model, opt, 20);

        Checkpoint back = Checkpoint.load(file);
        assertEquals(20, back.step());
        assertEquals(config, back.model().config());
        assertEquals(20, back.optimizer().stepCount());
        // the same next batches into the original and the reloaded state give the same losses, bit for bit
        double[] original = steps(model, opt, new BatchSampler(data, 4, 8, 99), 10);
        double[] resumed = steps(back.model(), back.optimizer(), new BatchSampler(data, 4, 8, 99), 10);
        assertArrayEquals(original, resumed);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        } catch (java.io.IOException e) {
            fail(e);
        }
    }

    @Test
    void truncatedCheckpointIsRefusedAndTheMessageSaysSo() throws Exception {
        GptLanguageModel model = new GptLanguageModel(config, 3);
        Path file = Checkpoint.save(dir.resolve("ckpt.bin"), model, new AdamW(model.parameters(), 1e-3), 0);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = Files.write(dir.resolve("cut.bin"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Checkpoint.load(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(file), "the good checkpoint is untouched");
    }

    @Test
    void weightsIntoAModelOfAnotherConfigurationIsAClearError() {
        GptLanguageModel model = new GptLanguageModel(config, 3);
        Path file = Checkpoint.save(dir.resolve("ckpt.bin"), model, new AdamW(model.parameters(), 1e-3), 0);
        GptLanguageModel other = new GptLanguageModel(new GptConfig(tok.vocabSize(), 8, 32, 2, 2, 0.0), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadWeightsInto(file, other));
        assertTrue(e.getMessage().contains("nEmbd=16") && e.getMessage().contains("nEmbd=32"), e.getMessage());
        GptLanguageModel same = new GptLanguageModel(config, 4);
        Checkpoint.loadWeightsInto(file, same);
        assertArrayEquals(model.parameters().get(0).data(), same.parameters().get(0).data());
    }
}
