package io.buildgpt.train;

import io.buildgpt.TestTexts;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.Corpus;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.TensorFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Resuming refuses a checkpoint of another corpus, vocabulary or model size, naming both values, and continues
 * with a changed learning rate or dropout, saying so; damaged checkpoints are refused naming the file and the field.
 */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    private final Corpus corpus = Corpus.fromText("small", TestTexts.SMALL);
    private final CharTokenizer tok = CharTokenizer.fromText(corpus.text());
    private final GptConfig config = new GptConfig(tok.vocabSize(), 8, 16, 2, 2, 0.2);

    private Path saved(String name) {
        GptLanguageModel model = new GptLanguageModel(config, 3);
        return Checkpoint.save(dir.resolve(name), model, new AdamW(model.parameters(), 3e-4), 9, tok.vocabulary(), corpus);
    }

    private static String printed(Runnable body) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSameRunResumesWithItsStepWeightsAndThreads() {
        Path file = saved("run.ckpt");
        String[] lines = new String[1];
        Checkpoint[] back = new Checkpoint[1];
        lines[0] = printed(() -> back[0] = Checkpoint.resume(file, config, tok.vocabulary(), corpus, 3e-4, 2));
        assertEquals("", lines[0], "nothing changed, nothing to say");
        assertEquals(9, back[0].step());
        assertEquals(config, back[0].model().config());
        assertEquals(2, back[0].model().threads());
        assertArrayEquals(Checkpoint.load(file).model().parameters().get(0).data(), back[0].model().parameters().get(0).data());
    }

    @Test
    void aCheckpointWithThePerHeadWeightsOfEarlierVersionsResumesIntoTheFusedAttention() throws IOException {
        GptLanguageModel model = new GptLanguageModel(config, 3);
        AdamW adam = new AdamW(model.parameters(), 3e-4);
        int[] ids = tok.encode(TestTexts.SMALL.substring(0, 17));
        model.lossAndGradients(java.util.Arrays.copyOf(ids, 16), java.util.Arrays.copyOfRange(ids, 1, 17), 2, 8);
        adam.step();                                                        // moments off zero
        Path fused = Checkpoint.save(dir.resolve("fused.ckpt"), model, adam, 9, tok.vocabulary(), corpus);
        // the same file as earlier versions wrote it: every c_attn tensor (weights and both moments) per head and role
        TensorFile.Contents contents = TensorFile.read(fused, Checkpoint.FORMAT);
        Map<String, Object> meta = new LinkedHashMap<>(contents.header());
        for (String k : List.of("format", "version", "dtype", "byte_order", "sha256", "tensors")) meta.remove(k);
        List<TensorFile.Entry> old = new ArrayList<>();
        List<io.buildgpt.engine.StateDict.Entry> heads = io.buildgpt.engine.StateDict.of(model);
        for (TensorFile.Entry e : contents.tensors().values()) {
            if (!e.name().endsWith(".c_attn.weight")) {
                old.add(e);
                continue;
            }
            String prefix = e.name().startsWith("adamw.") ? e.name().substring(0, 8) : "", name = e.name().substring(prefix.length());
            for (io.buildgpt.engine.StateDict.Entry h : heads) {
                if (h.parameter().name().equals(name)) {
                    float[] rows = java.util.Arrays.copyOfRange(e.values(), h.offset(), h.offset() + h.size());
                    old.add(new TensorFile.Entry(prefix + h.name(), h.shape(), rows));
                }
            }
        }
        Path perHead = dir.resolve("per-head.ckpt");
        TensorFile.write(perHead, Checkpoint.FORMAT, meta, old);
        assertTrue(TensorFile.read(perHead, Checkpoint.FORMAT).tensors().containsKey("adamw.v.blocks.1.sa.heads.1.value.weight"));

        Checkpoint a = Checkpoint.resume(fused, config, tok.vocabulary(), corpus, 3e-4, 1);
        Checkpoint b = Checkpoint.resume(perHead, config, tok.vocabulary(), corpus, 3e-4, 1);
        assertEquals(9, b.step());
        for (int i = 0; i < a.model().parameters().size(); i++) {
            String what = a.model().parameters().get(i).name();
            assertArrayEquals(a.model().parameters().get(i).data(), b.model().parameters().get(i).data(), what);
            assertArrayEquals(a.optimizer().firstMoment(i), b.optimizer().firstMoment(i), "adamw.m." + what);
            assertArrayEquals(a.optimizer().secondMoment(i), b.optimizer().secondMoment(i), "adamw.v." + what);
        }
    }

    @Test
    void otherModelSizesAreRefusedNamingBothValues() {
        Path file = saved("run.ckpt");
        GptConfig wider = new GptConfig(tok.vocabSize(), 8, 32, 2, 3, 0.2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.resume(file, wider, tok.vocabulary(), corpus, 3e-4, 1));
        assertEquals("the checkpoint run.ckpt holds another model than the parameters cell describes: nEmbd = 16 in the checkpoint"
                + " but 32 in the parameters cell, nLayer = 2 in the checkpoint but 3 in the parameters cell. Resuming would train the"
                + " checkpoint's model, not this one. Delete run.ckpt (or set checkpointFile to another file) to start over, or set the"
                + " cell back to the checkpoint's values to continue it.", e.getMessage());
    }

    @Test
    void anotherCorpusOrVocabularyIsRefusedNamingBoth() {
        Path file = saved("run.ckpt");
        Corpus other = Corpus.fromText("other", TestTexts.SMALL.toUpperCase());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.resume(file, config, tok.vocabulary(), other, 3e-4, 1));
        assertTrue(e.getMessage().matches("the checkpoint run\\.ckpt was trained on the corpus small \\(\\d+ characters, sha256 [0-9a-f]{16}\\),"
                + " but the parameters cell names other \\(\\d+ characters, sha256 [0-9a-f]{16}\\): resuming would continue another text's"
                + " model\\. Delete run\\.ckpt .*"), e.getMessage());
        String shifted = tok.vocabulary().substring(1) + "~";
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.resume(file, config, shifted, corpus, 3e-4, 1));
        assertTrue(e.getMessage().startsWith("the checkpoint run.ckpt was saved with the vocabulary \""), e.getMessage());
        assertTrue(e.getMessage().contains("y\" but this run's tokenizer has \" !\\\",.:"), e.getMessage());
        assertTrue(e.getMessage().contains("y~\": the model's ids would mean other characters."), e.getMessage());

        GptLanguageModel model = new GptLanguageModel(config, 3);
        Path bare = Checkpoint.save(dir.resolve("bare.ckpt"), model, new AdamW(model.parameters(), 3e-4), 1);
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.resume(bare, config, tok.vocabulary(), corpus, 3e-4, 1));
        assertTrue(e.getMessage().startsWith("the checkpoint bare.ckpt was saved without its corpus and vocabulary"), e.getMessage());
    }

    @Test
    void aChangedLearningRateOrDropoutContinuesWithTheCellsValueAndSaysSo() {
        Path file = saved("run.ckpt");
        GptConfig lessDropout = new GptConfig(tok.vocabSize(), 8, 16, 2, 2, 0.1);
        Checkpoint[] back = new Checkpoint[1];
        String lines = printed(() -> back[0] = Checkpoint.resume(file, lessDropout, tok.vocabulary(), corpus, 1e-3, 1));
        assertEquals("dropout: 0.2 in the checkpoint, 0.1 in the parameters cell: continuing with 0.1 (dropout has no weights)\n"
                + "learning rate: 3.0E-4 in the checkpoint, 0.001 in the parameters cell: continuing with 0.001 (AdamW's moments are kept)\n",
                lines.replace("\r\n", "\n"));
        assertEquals(1e-3, back[0].optimizer().learningRate());
        assertEquals(lessDropout, back[0].model().config());
        // and the trainer takes the cell's learning rate without "two learning rates"
        new Trainer(back[0].model(), new io.buildgpt.data.BatchSampler(io.buildgpt.data.TokenSplit.of(tok.encode(corpus.text()), 0.9, 8), 2, 1),
                back[0].optimizer()).train(new TrainConfig(1, 1, 1, 1e-3));
    }

    @Test
    void aFolderIsNamedAsAFolder() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("checkpoints"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Checkpoint.load(folder));
        assertEquals("could not load the checkpoint " + folder + ": " + folder + " is a folder, not a 'buildgpt-checkpoint' file:"
                + " give the path of the file in it", e.getMessage());
    }

    @Test
    void aBitFlippedInTheFormatKeySaysTheHeaderIsDamaged() throws IOException {
        Path file = saved("run.ckpt");
        byte[] bytes = Files.readAllBytes(file);
        int at = new String(bytes, 0, 200, StandardCharsets.ISO_8859_1).indexOf("\"format\"") + 4; // the 'm'
        bytes[at] ^= 0x01; // "format" -> "forlat"
        Files.write(file, bytes);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().startsWith("could not load the checkpoint " + file + ": " + file + " has a damaged header: it has no"
                + " 'format' field (its fields are [forlat, version, "), e.getMessage());
        assertTrue(e.getMessage().endsWith("so it is not a 'buildgpt-checkpoint' file, or one whose header was damaged; use another copy"),
                e.getMessage());
    }

    /** Rewrites {@code file} with one header value changed, and a checksum that matches again. */
    @SuppressWarnings("unchecked")
    private static void edit(Path file, String object, String key, Object value) throws IOException {
        TensorFile.Contents c = TensorFile.read(file, Checkpoint.FORMAT);
        Map<String, Object> meta = new LinkedHashMap<>(c.header());
        for (String k : List.of("format", "version", "dtype", "byte_order", "sha256", "tensors")) meta.remove(k);
        if (object == null) {
            meta.put(key, value);
        } else {
            Map<String, Object> inner = new LinkedHashMap<>((Map<String, Object>) meta.get(object));
            inner.put(key, value);
            meta.put(object, inner);
        }
        TensorFile.write(file, Checkpoint.FORMAT, meta, new ArrayList<>(c.tensors().values()));
    }

    @Test
    void outOfRangeValuesUnderAValidChecksumNameTheFileAndTheField() throws IOException {
        Path lr = saved("lr.ckpt");
        edit(lr, "optimizer", "learning_rate", 50.0);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Checkpoint.load(lr));
        assertEquals("could not load the checkpoint " + lr + ": its header field 'optimizer' is damaged: learningRate = 50.0 is out of"
                + " range: it must be in (0.0, 10.0) (the file was edited or damaged; use another copy)", e.getMessage());
        Path steps = saved("steps.ckpt");
        edit(steps, "optimizer", "step_count", -3L);
        e = assertThrows(UncheckedIOException.class, () -> Checkpoint.load(steps));
        assertEquals("could not load the checkpoint " + steps + ": its header field 'optimizer' is damaged: step_count = -3 is not a"
                + " count of steps (the file was edited or damaged; use another copy)", e.getMessage());
        Path step = saved("step.ckpt");
        edit(step, null, "step", -3L);
        e = assertThrows(UncheckedIOException.class, () -> Checkpoint.load(step));
        assertTrue(e.getMessage().contains(step + ": its header field 'step' = -3 is not a count of steps"), e.getMessage());
    }

    @Test
    void loadWeightsIntoAcceptsAModelThatDiffersOnlyInDropout() {
        Path file = saved("run.ckpt");
        GptLanguageModel noDropout = new GptLanguageModel(new GptConfig(tok.vocabSize(), 8, 16, 2, 2, 0.0), 5);
        Checkpoint.loadWeightsInto(file, noDropout);
        assertArrayEquals(Checkpoint.load(file).model().parameters().get(3).data(), noDropout.parameters().get(3).data());
        GptLanguageModel wider = new GptLanguageModel(new GptConfig(tok.vocabSize(), 8, 32, 2, 2, 0.0), 5);
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadWeightsInto(file, wider), "a weight's shape still must match");
    }
}
