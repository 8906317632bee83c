package io.buildgpt.notebook.runner;

import io.buildgpt.TestTexts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Executes the project's notebooks (notebooks/*.ipynb) with the headless runner, small parameters,
 * and checks their key outputs. Runs in {@code mvn verify} after {@code package}, so that
 * {@code target/classes} and {@code target/lib} exist as the notebooks' {@code %classpath} cell expects.
 * Uses ../shared/data when it is there; otherwise a small text this test writes, so no network is needed.
 */
class ProjectNotebooksIT {
    private static final Path OUT = Path.of("target/executed-notebooks").toAbsolutePath();
    private static final Optional<Path> SHAKESPEARE = TestTexts.shared("tinyshakespeare.txt");
    private static final List<String> CORPUS_PARAMS = new ArrayList<>();

    @BeforeAll
    static void corpus() throws Exception {
        Files.createDirectories(OUT);
        if (SHAKESPEARE.isEmpty()) {
            Path small = Path.of("target/it-corpus/small.txt").toAbsolutePath();
            Files.createDirectories(small.getParent());
            Files.writeString(small, TestTexts.SMALL.repeat(20));
            CORPUS_PARAMS.addAll(List.of("-p", "corpusName=\"" + small.toString().replace("\\", "\\\\") + "\""));
        }
    }

    private static Notebook run(String name, String... params) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path classes = Path.of(NotebookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", classes.toString(), NotebookRunner.class.getName(), "-J-Xmx2g"));
        cmd.addAll(List.of(params));
        cmd.addAll(List.of("--out", OUT.toString() + "/", "notebooks/" + name + ".ipynb"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        SHAKESPEARE.ifPresent(p -> pb.environment().put("BUILDGPT_CORPUS_DIR", p.getParent().toString()));
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), name + " did not finish in 300 s");
        assertEquals(0, process.exitValue(), name + " failed:\n" + output);
        Path written = OUT.resolve(name + ".ipynb");
        TestFixtures.assertValidNbformat(written);
        return Notebook.read(written);
    }

    private static String textOf(Notebook nb, String cellContaining) {
        return nb.text(nb.indexOfCellContaining(cellContaining));
    }

    private static List<String> withCorpus(String... more) {
        List<String> all = new ArrayList<>(CORPUS_PARAMS);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void dataAndTokenizers() throws Exception {
        Notebook nb = run("01-data-and-tokenizers", withCorpus().toArray(String[]::new));
        assertTrue(textOf(nb, "Nd4jLoader.describe()").startsWith("ND4J backend CpuBackend"));
        assertTrue(textOf(nb, "bpe.encode(\"good boy!\")").contains("[11274, 2933, 0] -> \"good boy!\""));
        assertTrue(textOf(nb, "bpe.encode(\"good boy!\")").contains("50257"));
        assertTrue(textOf(nb, "tok.encode(\"good boy! ").contains("(U+1F642) at position 10"));
        assertTrue(textOf(nb, "int[] ids = tok.encode(\"good boy!\")").strip().endsWith("good boy!"));
        if (SHAKESPEARE.isPresent()) {
            assertTrue(textOf(nb, "Corpus.open(corpusName)").contains("1,115,394 chars, 65 distinct"));
            assertTrue(textOf(nb, "int[] ids = tok.encode(\"good boy!\")").contains("[45, 53, 53, 42, 1, 40, 53, 63, 2]"));
            assertTrue(textOf(nb, "TokenizerComparison.of").contains("338025"));
        }
    }

    @Test
    void tensorsSplitBatches() throws Exception {
        Notebook nb = run("02-tensors-split-batches", withCorpus().toArray(String[]::new));
        assertTrue(textOf(nb, "TokenSplit.tensor(").matches("(?s)shape \\[\\d+], dtype LONG.*"));
        String batch = textOf(nb, "sampler.getBatch(Split.TRAIN)");
        assertTrue(batch.startsWith("xb [4, 8] LONG"), batch);
        assertTrue(batch.contains("yb [4, 8]"), batch);
        String pairs = textOf(nb, "batch.pairs(tok)");
        assertEquals(32 + 3, pairs.strip().lines().count(), "title, header, rule and 32 pairs:\n" + pairs);
        if (SHAKESPEARE.isPresent()) {
            assertTrue(textOf(nb, "TokenSplit.tensor(").contains("[18, 47, 56, 57, 58, 1, 15, 47, 58"));
            assertTrue(textOf(nb, "TokenSplit.of(").contains("train=1003854 tokens, val=111540 tokens"));
        }
    }

    @Test
    void embedding() throws Exception {
        Notebook nb = run("03-embedding");
        String shapes = textOf(nb, "emb.lookup(0);");
        assertTrue(shapes.startsWith("[1, 2]"), shapes);
        assertTrue(shapes.contains("[2, 2]") && shapes.contains("[2, 3, 2]"), shapes);
        assertEquals("true", textOf(nb, "emb.oneHot(0, 1)").strip());
    }

    @Test
    void bigram() throws Exception {
        Notebook nb = run("04-bigram", withCorpus().toArray(String[]::new));
        String forward = textOf(nb, "model.forward(batch.x(), batch.y())");
        Matcher m = Pattern.compile("logits \\[4, 8, (\\d+)]\\nas cross-entropy sees them \\[32, (\\d+)]\\n([0-9.]+)").matcher(forward);
        assertTrue(m.find(), forward);
        int vocab = Integer.parseInt(m.group(1));
        double loss = Double.parseDouble(m.group(3));
        assertEquals(-Math.log(1.0 / vocab) + 0.5, loss, 0.6, "untrained loss near -ln(1/V) plus the N(0,1) excess");
        assertTrue(textOf(nb, "model.generate(context, 100, seed)").startsWith("[1, 101]"));
    }

    @Test
    void trainingTheBigram() throws Exception {
        Notebook nb = run("05-training-the-bigram", withCorpus(
                "-p", "maxIters=400", "-p", "evalInterval=100", "-p", "evalIters=20", "-p", "sampleLength=200").toArray(String[]::new));
        double before = valLoss(textOf(nb, "trainer.estimateLoss(evalIters)"));
        int trainCell = nb.indexOfCellContaining("trainer.train(");
        assertEquals(1, nb.images(trainCell).size(), "the live plot, updated in place");
        assertTrue(nb.text(trainCell).contains("step  399:"), nb.text(trainCell));
        double after = valLoss(nb.text(nb.indexOfCellContaining("And the loss after training") + 1));
        assertTrue(after < before - 0.5, "val loss " + before + " -> " + after);
        assertEquals(1, nb.images(nb.indexOfCellContaining("bigram: train and val loss")).size());
        assertEquals(200, textOf(nb, "sampleLength, seed)").strip().length(), 30);
    }

    private static double valLoss(String estimate) {
        Matcher m = Pattern.compile("val loss ([0-9.]+)").matcher(estimate);
        assertTrue(m.find(), estimate);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void selfAttention() throws Exception {
        Notebook nb = run("06-self-attention", withCorpus("-p", "headTrainIters=200").toArray(String[]::new));
        assertTrue(textOf(nb, "averageWithMatmul(x)").strip().endsWith("true"));
        assertEquals("true\ntrue", textOf(nb, "maskedSoftmaxWeights(8)").strip());
        assertEquals("true", textOf(nb, "head(x, zeros, zeros, identity)").strip());
        Matcher m = Pattern.compile("q @ k\\^T: +([0-9.]+)\\n.*sqrt\\(16\\): ([0-9.]+)").matcher(textOf(nb, "affinityVariance"));
        assertTrue(m.find(), textOf(nb, "affinityVariance"));
        assertEquals(16, Double.parseDouble(m.group(1)), 3);
        assertEquals(1, Double.parseDouble(m.group(2)), 0.2);
        assertEquals(1, nb.images(nb.indexOfCellContaining("AttentionHeatmap.image")).size());
    }

    @Test
    void gpt() throws Exception {
        Path checkpoint = OUT.resolve("gpt-it.ckpt");
        Notebook nb = run("08-gpt", withCorpus("-p", "maxIters=60", "-p", "evalInterval=30", "-p", "evalIters=5",
                "-p", "checkpointFile=\"" + checkpoint.toString().replace("\\", "\\\\") + "\"").toArray(String[]::new));
        if (SHAKESPEARE.isPresent()) assertTrue(textOf(nb, "model.parameterCount()").strip().endsWith("209729"));
        String training = textOf(nb, "trainer.train(");
        Matcher first = Pattern.compile("step +0: train loss ([0-9.]+)").matcher(training);
        Matcher last = Pattern.compile("step +59: train loss ([0-9.]+)").matcher(training);
        assertTrue(first.find() && last.find(), training);
        assertTrue(Double.parseDouble(last.group(1)) < Double.parseDouble(first.group(1)) - 0.5, training);
        assertEquals(1, nb.images(nb.indexOfCellContaining("trainer.train(")).size());
        assertTrue(textOf(nb, "Checkpoint.save(").strip().endsWith("true"), "reloaded model gives the same loss");
        assertTrue(Files.size(checkpoint) > 4 * 209_729 * 3 || SHAKESPEARE.isEmpty());
    }

    @Test
    void finetuneOnYourCode() throws Exception {
        String code = Path.of("src/main/java").toAbsolutePath().toString().replace("\\", "\\\\");
        Notebook nb = run("10-finetune-on-your-code", withCorpus("-p", "codeFolder=\"" + code + "\"", "-p", "pretrainIters=20",
                "-p", "fineTuneIters=12", "-p", "blockSize=16", "-p", "evalInterval=6", "-p", "evalIters=2",
                "-p", "loraRank=4", "-p", "loraAlpha=8").toArray(String[]::new));
        assertTrue(textOf(nb, "CodeSplit.byFiles(").contains("CodeSplit(train="), textOf(nb, "CodeSplit.byFiles("));
        assertTrue(textOf(nb, "double pretrainedLoss").contains("held-out code loss of the pretrained model"));
        String fresh = textOf(nb, "double freshLoss");
        Matcher m = Pattern.compile("fresh adapters \\(B = 0\\): ([0-9.]+), pretrained: ([0-9.]+)").matcher(fresh);
        assertTrue(m.find() && m.group(1).equals(m.group(2)), "B = 0: the adapted model starts as the pretrained one\n" + fresh);
        for (String method : List.of("Method.FULL", "Method.LORA,", "Method.LORA, allLinear", "Method.LORA_INT4", "Method.LORA_NF4,",
                "Method.LORA_NF4_DQ")) {
            assertEquals(1, nb.images(nb.indexOfCellContaining(method)).size(), method + " has its live plot");
        }
        String table = textOf(nb, "FineTune.table(");
        for (String row : List.of("pretrained only", "full fine-tune", "LoRA", "LoRA on every Linear", "LoRA, int4 base",
                "LoRA, NF4 base", "LoRA, NF4 + double quant", "of the gap", "heap held")) {
            assertTrue(table.contains(row), row + " missing in:\n" + table);
        }
        assertTrue(textOf(nb, "merged.mergeLora()").contains("adapters left: 0"));
        String completions = textOf(nb, "showCompletions(r.model())");
        assertTrue(completions.contains("=== LoRA, NF4 + double quant"), completions);
        assertFalse(completions.contains("\uFFFD"), "whole UTF-8 characters only");
        assertFalse(String.join("", nb.cells().stream().map(Object::toString).toList()).contains("java.io.PrintStream@"));
    }
}
