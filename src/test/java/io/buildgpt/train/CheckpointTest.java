package io.buildgpt.train;

import io.buildgpt.TestTexts;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.Split;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
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

    @Test
    void aTokenizerOfAnotherVocabularyIsRefusedNamingBoth() {
        GptLanguageModel model = new GptLanguageModel(config, 3);
        Path file = Checkpoint.save(dir.resolve("ckpt.bin"), model, new AdamW(model.parameters(), 1e-3), 0, tok.vocabulary());
        assertEquals(config, Checkpoint.load(file, tok.vocabulary()).model().config(), "the same vocabulary loads");

        // a text with one character swapped: same size, other symbols, so ids would decode into garbage
        String vocabulary = tok.vocabulary();
        assertFalse(vocabulary.contains("~"));
        String swapped = vocabulary.replace(vocabulary.charAt(vocabulary.length() - 1), '~');
        CharTokenizer other = CharTokenizer.fromText(swapped);
        assertEquals(tok.vocabSize(), other.vocabSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, other.vocabulary()));
        assertTrue(e.getMessage().startsWith("the checkpoint " + file + " was saved with the vocabulary \"\\n "), e.getMessage());
        assertTrue(e.getMessage().contains("(" + tok.vocabSize() + " symbols) but the tokenizer has \"\\n "), e.getMessage());
        assertTrue(e.getMessage().contains("~\" (" + tok.vocabSize() + " symbols); they first differ at id " + (tok.vocabSize() - 1)),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("Build the tokenizer from the text the model was trained on"), e.getMessage());

        Path bare = Checkpoint.save(dir.resolve("bare.bin"), model, new AdamW(model.parameters(), 1e-3), 0);
        UncheckedIOException missing = assertThrows(UncheckedIOException.class, () -> Checkpoint.load(bare, tok.vocabulary()));
        assertTrue(missing.getMessage().contains("was saved without its vocabulary"), missing.getMessage());
    }

    @Test
    void aSaveIntoAFolderThatCannotBeWrittenSaysAccessDenied() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root may write any folder: the permission check cannot be tested as root");
        Path folder = Files.createDirectories(dir.resolve("ro"));
        folder.toFile().setWritable(false);
        try {
            GptLanguageModel model = new GptLanguageModel(config, 3);
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> Checkpoint.save(folder.resolve("ckpt.bin"), model, new AdamW(model.parameters(), 1e-3), 0));
            assertTrue(e.getMessage().contains("access denied: this user may not "), e.getMessage());
        } finally {
            folder.toFile().setWritable(true);
        }
    }
}
