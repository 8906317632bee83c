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
 *
 * <p>The cells it checks are found by their tags ({@code metadata.tags}, e.g. {@code check-train}), not by
 * their code, so a cell's code can change freely; a notebook that drops a tag fails here with the tag's name.
 * {@link #eachCorpus} runs a notebook once with each corpus the README names that is available (tiny
 * Shakespeare, or the written text, and Gibran's <i>The Prophet</i>) and hands every run to the same checks.
 */
class ProjectNotebooksIT {
    private static final Path OUT = Path.of("target/executed-notebooks").toAbsolutePath();
    private static final Optional<Path> SHAKESPEARE = TestTexts.shared("tinyshakespeare.txt");
    private static final Optional<Path> GIBRAN = TestTexts.shared("gibran-the-prophet.txt");
    private static final List<TestCorpus> CORPORA = new ArrayList<>();

    /**
     * A corpus a notebook runs with. {@code params} are the {@code -p} arguments that select it
     * (none for the notebooks' default, tiny Shakespeare); {@code shakespeare} says whether the lecture's
     * exact numbers apply.
     */
    record TestCorpus(String label, List<String> params, boolean shakespeare) {
        /** The arguments with the corpus parameter renamed, for a notebook that calls it differently. */
        List<String> params(String parameterName) {
            return params.stream().map(p -> p.replace("corpusName=", parameterName + "=")).toList();
        }
    }

    /** One executed notebook. */
    record Ran(String name, TestCorpus corpus, Notebook nb) {
        /** Index of the cell with {@code tag}; fails naming the notebook and the tag when there is none. */
        int cell(String tag) {
            int i = nb.indexOfTagged(tag);
            assertTrue(i >= 0, name + ": no cell tagged \"" + tag + "\" (metadata.tags); the test checks that cell's output");
            return i;
        }

        /** Everything the reader sees below the tagged cell. */
        String text(String tag) {
            return nb.text(cell(tag));
        }

        int images(String tag) {
            return nb.images(cell(tag)).size();
        }
    }

    @FunctionalInterface
    interface Checks {
        void check(Ran ran) throws Exception;
    }

    @BeforeAll
    static void corpora() throws Exception {
        Files.createDirectories(OUT);
        if (SHAKESPEARE.isPresent()) {
            CORPORA.add(new TestCorpus("tinyshakespeare", List.of(), true));
        } else {
            Path small = Path.of("target/it-corpus/small.txt").toAbsolutePath();
            Files.createDirectories(small.getParent());
            Files.writeString(small, TestTexts.SMALL.repeat(20));
            CORPORA.add(new TestCorpus("small", List.of("-p", "corpusName=" + javaString(small.toString())), false));
        }
        GIBRAN.ifPresent(p -> CORPORA.add(new TestCorpus("gibran-the-prophet",
                List.of("-p", "corpusName=\"gibran-the-prophet\""), false)));
    }

    static String javaString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Runs {@code name} with the first corpus (tiny Shakespeare when available) only. */
    private static Ran run(String name, List<String> params) throws Exception {
        TestCorpus corpus = CORPORA.get(0);
        List<String> all = new ArrayList<>(corpus.params());
        all.addAll(params);
        return new Ran(name, corpus, execute(name, corpus.label(), all));
    }

    /**
     * Runs {@code name} once with each available corpus, {@code params} added to the corpus's own, and
     * applies {@code checks} to each run. Use {@code ran.corpus().shakespeare()} for numbers that only
     * tiny Shakespeare gives.
     */
    static void eachCorpus(String name, List<String> params, Checks checks) throws Exception {
        eachCorpus(name, "corpusName", params, checks);
    }

    /** The same for a notebook whose corpus parameter has another name. */
    static void eachCorpus(String name, String corpusParameter, List<String> params, Checks checks) throws Exception {
        for (TestCorpus corpus : CORPORA) {
            List<String> all = new ArrayList<>(corpus.params(corpusParameter));
            all.addAll(params);
            checks.check(new Ran(name, corpus, execute(name, corpus.label(), all)));
        }
    }

    private static Notebook execute(String name, String folder, List<String> params) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path classes = Path.of(NotebookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path out = OUT.resolve(folder);
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", classes.toString(), NotebookRunner.class.getName(), "-J-Xmx2g"));
        cmd.addAll(params);
        cmd.addAll(List.of("--out", out + "/", "notebooks/" + name + ".ipynb"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        SHAKESPEARE.or(() -> GIBRAN).ifPresent(p -> pb.environment().put("BUILDGPT_CORPUS_DIR", p.getParent().toString()));
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), name + " did not finish in 300 s");
        assertEquals(0, process.exitValue(), name + " (" + folder + ") failed:\n" + output);
        // "executed notebooks/X.ipynb in 12.3 s, 20 cells": the time each run takes, for keeping CI short
        output.lines().filter(l -> l.startsWith("executed ")).forEach(l -> System.out.println(l + " [" + folder + "]"));
        Path written = out.resolve(name + ".ipynb");
        TestFixtures.assertValidNbformat(written);
        return Notebook.read(written);
    }

    @Test
    void dataAndTokenizers() throws Exception {
        eachCorpus("01-data-and-tokenizers", List.of(), ran -> {
            assertTrue(ran.text("check-backend").startsWith("ND4J backend CpuBackend"));
            assertTrue(ran.text("check-bpe").contains("[11274, 2933, 0] -> \"good boy!\""));
            assertTrue(ran.text("check-bpe").contains("50257"));
            assertTrue(ran.text("check-unknown-char").contains("(U+1F642) at position "), ran.text("check-unknown-char"));
            if (ran.corpus().label().equals("gibran-the-prophet")) {
                String encode = ran.text("check-encode");
                assertTrue(encode.startsWith("unknown character '!' (U+0021) at position 8"), encode);
                assertTrue(encode.strip().endsWith("good boy"), "then the phrase without '!':\n" + encode);
            }
            if (ran.corpus().shakespeare()) {
                assertTrue(ran.text("check-encode").strip().endsWith("good boy!"));
                assertTrue(ran.text("check-unknown-char").contains("(U+1F642) at position 10"));
                assertTrue(ran.text("check-corpus-stats").contains("1,115,394 chars, 65 distinct"));
                assertTrue(ran.text("check-encode").contains("[45, 53, 53, 42, 1, 40, 53, 63, 2]"));
                assertTrue(ran.text("check-tokenizer-comparison").contains("338025"));
            }
        });
    }

    @Test
    void tensorsSplitBatches() throws Exception {
        eachCorpus("02-tensors-split-batches", List.of(), ran -> {
            assertTrue(ran.text("check-data-tensor").matches("(?s)shape \\[\\d+], dtype LONG.*"));
            String batch = ran.text("check-batch");
            assertTrue(batch.startsWith("xb [4, 8] LONG"), batch);
            assertTrue(batch.contains("yb [4, 8]"), batch);
            String pairs = ran.text("check-pairs");
            assertEquals(32 + 3, pairs.strip().lines().count(), "title, header, rule and 32 pairs:\n" + pairs);
            if (ran.corpus().shakespeare()) {
                assertTrue(ran.text("check-data-tensor").contains("[18, 47, 56, 57, 58, 1, 15, 47, 58"));
                assertTrue(ran.text("check-split").contains("train=1003854 tokens, val=111540 tokens"));
            }
        });
    }

    @Test
    void embedding() throws Exception {
        Ran ran = new Ran("03-embedding", CORPORA.get(0), execute("03-embedding", "no-corpus", List.of()));
        String shapes = ran.text("check-lookup");
        assertTrue(shapes.startsWith("[1, 2]"), shapes);
        assertTrue(shapes.contains("[2, 2]") && shapes.contains("[2, 3, 2]"), shapes);
        assertEquals("true", ran.text("check-one-hot").strip());
    }

    @Test
    void bigram() throws Exception {
        eachCorpus("04-bigram", List.of(), ran -> {
            String forward = ran.text("check-forward");
            Matcher m = Pattern.compile("logits \\[4, 8, (\\d+)]\\nas cross-entropy sees them \\[32, (\\d+)]\\n([0-9.]+)").matcher(forward);
            assertTrue(m.find(), forward);
            int vocab = Integer.parseInt(m.group(1));
            double loss = Double.parseDouble(m.group(3));
            assertEquals(-Math.log(1.0 / vocab) + 0.5, loss, 0.6, "untrained loss near -ln(1/V) plus the N(0,1) excess");
            assertTrue(ran.text("check-generate").startsWith("[1, 101]"));
        });
    }

    @Test
    void trainingTheBigram() throws Exception {
        eachCorpus("05-training-the-bigram", List.of(
                "-p", "maxIters=400", "-p", "evalInterval=100", "-p", "evalIters=20", "-p", "sampleLength=200"), ran -> {
            double before = valLoss(ran.text("check-loss-before"));
            assertEquals(1, ran.images("check-train"), "the live plot, updated in place");
            assertTrue(ran.text("check-train").contains("step  399:"), ran.text("check-train"));
            double after = valLoss(ran.text("check-loss-after"));
            assertTrue(after < before - 0.5, "val loss " + before + " -> " + after);
            assertEquals(1, ran.images("check-loss-chart"));
            assertEquals(200, ran.text("check-sample").strip().length(), 30);
        });
    }

    private static double valLoss(String estimate) {
        Matcher m = Pattern.compile("val loss ([0-9.]+)").matcher(estimate);
        assertTrue(m.find(), estimate);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void selfAttention() throws Exception {
        eachCorpus("06-self-attention", List.of("-p", "headTrainIters=200"), ran -> {
            assertTrue(ran.text("check-matmul-average").strip().endsWith("true"));
            assertEquals("true\ntrue", ran.text("check-softmax-average").strip());
            assertEquals("true", ran.text("check-head-identity").strip());
            String scaling = ran.text("check-scaling");
            Matcher m = Pattern.compile("q @ k\\^T: +([0-9.]+)\\n.*sqrt\\(16\\): ([0-9.]+)").matcher(scaling);
            assertTrue(m.find(), scaling);
            assertEquals(16, Double.parseDouble(m.group(1)), 3);
            assertEquals(1, Double.parseDouble(m.group(2)), 0.2);
            assertEquals(1, ran.images("check-heatmap"));
        });
    }

    private static final List<String> STAGES = List.of("embeddings", "one head", "multi-head", "feed-forward", "blocks",
            "residual", "layernorm", "dropout");

    /** The stage table's rows by stage: the cells between the '|' separators, trimmed. */
    private static java.util.Map<String, String[]> stageRows(String table) {
        java.util.Map<String, String[]> rows = new java.util.LinkedHashMap<>();
        for (String line : table.lines().toList()) {
            String[] cells = line.split("\\|");
            if (cells.length < 8) continue;
            for (int i = 0; i < cells.length; i++) cells[i] = cells[i].strip();
            if (STAGES.contains(cells[0])) assertNull(rows.put(cells[0], cells), "one row per stage:\n" + table);
        }
        return rows;
    }

    @Test
    void buildingGptStepByStep() throws Exception {
        // the first corpus only: eight models trained one after another is the longest notebook run
        Ran ran = run("07-building-gpt-step-by-step", List.of("-p", "maxIters=20", "-p", "evalInterval=10", "-p", "evalIters=2",
                "-p", "deepLayers=4"));
        String table = ran.text("check-stage-table");
        java.util.Map<String, String[]> rows = stageRows(table);
        assertEquals(STAGES, List.copyOf(rows.keySet()), table);
        double first = Double.parseDouble(rows.get("embeddings")[4]), layerNorm = Double.parseDouble(rows.get("layernorm")[4]);
        assertTrue(layerNorm < first - 0.3, "val loss falls from the first stage to the LayerNorm stage:\n" + table);
        if (ran.corpus().shakespeare()) {
            // same seed, same code as src/bench/stages.py: PyTorch's printed val loss (committed CSV), stage by stage
            for (String stage : STAGES) {
                String[] r = rows.get(stage);
                assertEquals(Double.parseDouble(r[5]), Double.parseDouble(r[4]), 2e-3, stage + " follows PyTorch:\n" + table);
            }
        }
        Matcher ratios = Pattern.compile("ratio ([0-9.]+)").matcher(ran.text("check-gradient-norms"));
        assertTrue(ratios.find(), ran.text("check-gradient-norms"));
        double plain = Double.parseDouble(ratios.group(1));
        assertTrue(ratios.find(), ran.text("check-gradient-norms"));
        double residual = Double.parseDouble(ratios.group(1));
        assertTrue(residual > 3 * plain, "residual connections carry the gradient to the bottom block: " + plain + " vs " + residual);
        Matcher std = Pattern.compile("\\| with mean [-+][0-9.]+, std ([0-9.]+)").matcher(ran.text("check-activation-stats"));
        int blocks = 0;
        while (std.find()) {
            assertEquals(1.0, Double.parseDouble(std.group(1)), 0.05, ran.text("check-activation-stats"));
            blocks++;
        }
        assertEquals(3, blocks, ran.text("check-activation-stats"));
        assertEquals(1, ran.images("check-stage-chart"));
        // its "Try this", small
        Ran tryThis = run("07-building-gpt-step-by-step", List.of("-p", "maxIters=6", "-p", "evalInterval=5", "-p", "evalIters=1",
                "-p", "deepLayers=4", "-p", "nHead=2", "-p", "nLayer=2"));
        assertEquals(STAGES, List.copyOf(stageRows(tryThis.text("check-stage-table")).keySet()));
        assertEquals(2, tryThis.text("check-activation-stats").strip().lines().count(), "two blocks");
    }

    @Test
    void gpt() throws Exception {
        Path checkpoint = OUT.resolve("gpt-it.ckpt");
        eachCorpus("08-gpt", List.of("-p", "maxIters=60", "-p", "evalInterval=30", "-p", "evalIters=5",
                "-p", "checkpointFile=" + javaString(checkpoint.toString())), ran -> {
            if (ran.corpus().shakespeare()) assertTrue(ran.text("check-parameter-count").strip().endsWith("209729"));
            assertTrue(ran.text("check-equality").strip().endsWith("true"), "cell model equals the engine:\n" + ran.text("check-equality"));
            String training = ran.text("check-train");
            Matcher first = Pattern.compile("step +0: train loss ([0-9.]+)").matcher(training);
            Matcher last = Pattern.compile("step +59: train loss ([0-9.]+)").matcher(training);
            assertTrue(first.find() && last.find(), training);
            assertTrue(Double.parseDouble(last.group(1)) < Double.parseDouble(first.group(1)) - 0.5, training);
            assertEquals(1, ran.images("check-train"));
            assertEquals(1, ran.images("check-comparison-chart"));
            assertTrue(ran.text("check-samples").contains("--- temperature 0.6 ---"));
            assertTrue(ran.text("check-checkpoint").strip().endsWith("true"), "reloaded model gives the same loss");
            assertTrue(Files.size(checkpoint) > 4 * 209_729 * 3 || !ran.corpus().shakespeare());
        });
        // its "Try this": dropout 0.2 (fewer steps); the check still compares with dropout off
        Ran tryThis = run("08-gpt", List.of("-p", "dropout=0.2", "-p", "maxIters=20", "-p", "evalInterval=10", "-p", "evalIters=2",
                "-p", "checkpointFile=" + javaString(checkpoint.toString())));
        assertTrue(tryThis.text("check-equality").strip().endsWith("true"), tryThis.text("check-equality"));
    }

    @Test
    void scalingUp() throws Exception {
        Path checkpoint = OUT.resolve("scaled-it.ckpt");
        Files.deleteIfExists(checkpoint);
        // the lecture's sizes, but 4 sequences per batch; trainSteps = 3 as its "Try this" says: run it twice
        List<String> params = List.of("-p", "batchSize=4", "-p", "timingSteps=2", "-p", "trainSteps=3", "-p", "evalIters=1",
                "-p", "checkpointFile=" + javaString(checkpoint.toString()));
        Ran once = run("09-scaling-up", params);
        if (once.corpus().shakespeare()) assertTrue(once.text("check-parameter-count").contains("10,788,929 parameters"));
        assertTrue(once.text("check-timing").matches("(?s).*[0-9.]+ s per step.*about [0-9.]+ hours.*"), once.text("check-timing"));
        assertTrue(once.text("check-train").contains("no checkpoint yet: continuing the timed model from step 3"), once.text("check-train"));
        assertTrue(once.text("check-train").contains("6 steps in all"), once.text("check-train"));
        Ran twice = run("09-scaling-up", params);
        assertTrue(twice.text("check-train").contains("resumed from step 6"), twice.text("check-train"));
        assertTrue(twice.text("check-train").contains("9 steps in all"), twice.text("check-train"));
    }

    @Test
    void finetuneOnYourCode() throws Exception {
        String code = javaString(Path.of("src/main/java").toAbsolutePath().toString());
        List<String> params = List.of("-p", "codeFolder=" + code, "-p", "pretrainIters=20", "-p", "fineTuneIters=12",
                "-p", "blockSize=16", "-p", "evalInterval=6", "-p", "evalIters=2", "-p", "loraRank=4");
        eachCorpus("10-finetune-on-your-code", "proseCorpus", params, ran -> {
            assertTrue(ran.text("check-code-split").contains("CodeSplit(train="), ran.text("check-code-split"));
            assertTrue(ran.text("check-pretrained-loss").contains("held-out code loss of the pretrained model"));
            for (String method : List.of("check-full", "check-lora", "check-qlora")) {
                assertEquals(1, ran.images(method), method + " has its live plot");
            }
            String table = ran.text("check-table");
            for (String row : List.of("pretrained only", "full fine-tune", "LoRA", "LoRA on 4-bit base", "of the gap")) {
                assertTrue(table.contains(row), row + " missing in:\n" + table);
            }
            assertTrue(ran.text("check-completions").contains("=== LoRA on 4-bit base"));
        });
    }
}
