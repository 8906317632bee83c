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

    /** Each notebook's limit: the runner stops it and names the cell; this test stops waiting a minute later. */
    private static final long NOTEBOOK_LIMIT_SECONDS = Long.getLong("buildgpt.it.notebookTimeout", 600);

    private static Notebook execute(String name, String folder, List<String> params) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path classes = Path.of(NotebookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path out = OUT.resolve(folder);
        Files.createDirectories(out);
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", classes.toString(), NotebookRunner.class.getName(), "-J-Xmx2g",
                "--notebook-timeout", String.valueOf(NOTEBOOK_LIMIT_SECONDS), "--cell-timeout", String.valueOf(NOTEBOOK_LIMIT_SECONDS)));
        cmd.addAll(params);
        cmd.addAll(List.of("--out", out + "/", "notebooks/" + name + ".ipynb"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        SHAKESPEARE.or(() -> GIBRAN).ifPresent(p -> pb.environment().put("BUILDGPT_CORPUS_DIR", p.getParent().toString()));
        pb.environment().put("OMP_NUM_THREADS", "1");
        // The output goes to a file, not a pipe read to its end before waitFor: so the time limit below fires
        // even when the notebook hangs, and a chatty notebook cannot block on a full pipe.
        Path log = out.resolve(name + ".log");
        pb.redirectOutput(log.toFile());
        Process process = pb.start();
        boolean finished = process.waitFor(NOTEBOOK_LIMIT_SECONDS + 60, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        assertTrue(finished, name + " (" + folder + ") did not finish in " + (NOTEBOOK_LIMIT_SECONDS + 60) + " s:\n" + output);
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
            // the lecture's encode/decode lambdas on "hii there", and the module's CharTokenizer agreeing with them
            assertTrue(ran.text("check-encode").strip().endsWith("]\nhii there"), ran.text("check-encode"));
            String unknown = ran.text("check-unknown-char");
            assertTrue(unknown.startsWith("same ids as encode, whole text: true\nencode: NullPointerException\n"), unknown);
            assertTrue(unknown.contains("tok.encode: unknown character '\uD83D\uDE42' (U+1F642) at position 10"), unknown);
            // tiktoken's GPT-2 encoding of "hii there" as the lecture prints it: three tokens
            String bpe = ran.text("check-bpe");
            assertTrue(bpe.startsWith("[71, 4178, 612] -> \"hii there\"\n71 is \"h\"\n4178 is \"ii\"\n612 is \" there\""), bpe);
            assertTrue(bpe.contains("50257"), bpe);
            String vocab = ran.text("check-vocab");
            String[] vocabLines = vocab.strip().split("\n");
            assertEquals(2, vocabLines.length, vocab);
            assertEquals(Integer.parseInt(vocabLines[1]), vocabLines[0].replace("\\n", "\n").length(),
                    "''.join(chars) shows vocab_size characters:\n" + vocab);
            if (ran.corpus().shakespeare()) {
                assertTrue(ran.text("check-corpus-stats").contains("1,115,394 chars, 65 distinct"));
                assertTrue(ran.text("check-text").startsWith("length of dataset in characters: 1115394\nFirst Citizen:\n"));
                assertEquals("\\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n65", vocab.strip());
                // the lecture's print(encode("hii there")) and print(decode(encode("hii there")))
                assertEquals("[46, 47, 47, 1, 58, 46, 43, 56, 43]\nhii there", ran.text("check-encode").strip());
                assertTrue(ran.text("check-tokenizer-comparison").contains("338025"));
            }
        });
    }

    @Test
    void tensorsSplitBatches() throws Exception {
        eachCorpus("02-tensors-split-batches", List.of(), ran -> {
            assertTrue(ran.text("check-data-tensor").matches("(?s)\\[\\d+] INT64\ntensor\\(\\[.*"), ran.text("check-data-tensor"));
            String batch = ran.text("check-batch");
            assertTrue(batch.startsWith("inputs:\n[4, 8]\ntensor([["), batch);
            assertTrue(batch.contains("targets:\n[4, 8]\ntensor([["), batch);
            String context = ran.text("check-context");
            assertEquals(8, context.strip().lines().filter(l -> l.startsWith("when input is tensor([")).count(), context);
            String pairs = ran.text("check-pairs");
            assertEquals(32, pairs.strip().lines().filter(l -> l.matches("when input is \\[[0-9, ]+] the target: \\d+")).count(),
                    "the lecture's double loop prints B * T = 32 pairs:\n" + pairs);
            assertEquals("ND4J x: [4, 8] LONG\nequal to xb: true\nand back: true", ran.text("check-nd4j").strip());
            if (ran.corpus().shakespeare()) {
                assertTrue(ran.text("check-data-tensor").startsWith("[1115394] INT64\ntensor([18, 47, 56, 57, 58,  1, 15, 47, 58"));
                assertTrue(ran.text("check-split").contains("train_data [1003854], val_data [111540]"));
                assertEquals("tensor([18, 47, 56, 57, 58,  1, 15, 47, 58])", ran.text("check-block").strip());
                assertTrue(context.startsWith("when input is tensor([18]) the target: 47\n"), context);
                assertTrue(context.strip().endsWith("when input is tensor([18, 47, 56, 57, 58,  1, 15, 47]) the target: 58"), context);
                // the lecture's batch: torch.manual_seed(1337); xb, yb = get_batch('train') (src/bench/lecture_values.py)
                String digits = batch.replaceAll("\\s+", "");
                assertTrue(digits.contains("[[24,43,58,5,57,1,46,43],[44,53,56,1,58,46,39,58],[52,58,1,58,46,39,58,1],[25,17,27,10,0,21,1,54]]"), batch);
                assertTrue(digits.contains("[[43,58,5,57,1,46,43,39],[53,56,1,58,46,39,58,1],[58,1,58,46,39,58,1,46],[17,27,10,0,21,1,54,39]]"), batch);
                assertTrue(pairs.startsWith("when input is [24] the target: 43\n"), pairs);
            }
        });
    }

    @Test
    void embedding() throws Exception {
        eachCorpus("03-embedding", List.of(), ran -> {
            // torch.manual_seed(42); nn.Embedding(3, 2).weight (src/bench/lecture_values.py)
            String table = ran.text("check-embedding-table").replaceAll("\\s+", "");
            assertEquals("tensor([[0.3367,0.1288],[0.2345,0.2303],[-1.1229,-0.1863]],requires_grad=True)", table);
            String shapes = ran.text("check-lookup");
            assertTrue(shapes.startsWith("[1, 2]"), shapes);
            assertTrue(shapes.contains("[2, 2]") && shapes.contains("[2, 3, 2]"), shapes);
            assertEquals("true", ran.text("check-one-hot").strip());
            // ids 0, 1, 1 looked up and summed: rows used once, twice, never
            assertEquals("tensor([[1.,1.],[2.,2.],[0.,0.]])", ran.text("check-grad").replaceAll("\\s+", ""));
            String bigramTable = ran.text("check-bigram-table");
            assertTrue(bigramTable.matches("(?s).*: V = (\\d+), table \\[\\1, \\1].*"), bigramTable);
            if (ran.corpus().shakespeare()) assertTrue(bigramTable.contains("tinyshakespeare: V = 65, table [65, 65]"), bigramTable);
        });
    }

    @Test
    void embeddingTryThis() throws Exception {
        // its "Try this": a (65, 65) table, the bigram's
        Ran big = tryThis("03-embedding", "-p", "numEmbeddings=65", "-p", "embeddingDim=65");
        assertTrue(big.text("check-lookup").startsWith("[1, 65]"), big.text("check-lookup"));
        assertEquals("true", big.text("check-one-hot").strip());
    }

    @Test
    void tensorsSplitBatchesTryThis() throws Exception {
        // its "Try this": another seed gives another batch; blockSize = 1 gives one-character contexts
        Ran other = tryThis("02-tensors-split-batches", "-p", "seed=7", "-p", "blockSize=1");
        String batch = other.text("check-batch");
        assertTrue(batch.startsWith("inputs:\n[4, 1]\n"), batch);
        assertEquals(4, other.text("check-pairs").strip().lines().count(), other.text("check-pairs"));
    }

    @Test
    void bigram() throws Exception {
        eachCorpus("04-bigram", List.of(), ran -> {
            String forward = ran.text("check-forward");
            Matcher m = Pattern.compile("\\[32, (\\d+)]\\ntensor\\(([0-9.]+), grad_fn=<NllLossBackward0>\\)\\n"
                    + "without targets: logits \\[4, 8, \\1], loss null").matcher(forward);
            assertTrue(m.find(), forward);
            int vocab = Integer.parseInt(m.group(1));
            double loss = Double.parseDouble(m.group(2));
            assertEquals(-Math.log(1.0 / vocab) + 0.5, loss, 0.6, "untrained loss near -ln(1/V) plus the N(0,1) excess");
            String generated = ran.text("check-generate");
            assertTrue(generated.startsWith("[1, 101]\n\n"), generated);
            if (ran.corpus().shakespeare()) {
                // what PyTorch prints for the lecture's code with seed 1337 (src/bench/lecture_values.py)
                String batch = ran.text("check-batch").replaceAll("\\s+", "");
                assertTrue(batch.contains("xbtensor([[24,43,58,5,57,1,46,43],[44,53,56,1,58,46,39,58],"
                        + "[52,58,1,58,46,39,58,1],[25,17,27,10,0,21,1,54]])"), batch);
                assertTrue(batch.contains("ybtensor([[43,58,5,57,1,46,43,39],[53,56,1,58,46,39,58,1],"
                        + "[58,1,58,46,39,58,1,46],[17,27,10,0,21,1,54,39]])"), batch);
                assertTrue(forward.startsWith("[32, 65]\ntensor(4.8786, grad_fn=<NllLossBackward0>)\n"), forward);
                assertEquals("\nSKIcLT;AcELMoTbvZv C?nq-QE33:CJqkOKH-q;:la!oiywkHjgChzbQ?u!3bLIgwevmyFJGUGp\n"
                        + "wnYWmnxKWWev-tDqXErVKLgJ", generated.substring("[1, 101]\n".length()).stripTrailing());
            }
        });
    }

    @Test
    void bigramTryThis() throws Exception {
        Ran seed42 = tryThis("04-bigram", "-p", "seed=42");
        String forward = seed42.text("check-forward");
        assertTrue(forward.contains("grad_fn=<NllLossBackward0>"), forward);
        if (seed42.corpus().shakespeare()) assertFalse(forward.contains("tensor(4.8786"), forward);
        if (GIBRAN.isPresent()) {
            Ran gibran = tryThis("04-bigram", "-p", "seed=42", "-p", "corpusName=\"gibran-the-prophet\"");
            assertTrue(gibran.text("check-generate").startsWith("[1, 101]"));
        }
    }

    @Test
    void trainingTheBigram() throws Exception {
        // 301 steps: the evaluations at steps 0 and 300 are those of the lecture's bigram.py
        eachCorpus("05-training-the-bigram", List.of("-p", "maxIters=301", "-p", "sampleLength=200"), ran -> {
            String training = ran.text("check-train");
            assertEquals(1, ran.images("check-train"), "the live plot, updated in place");
            Matcher first = Pattern.compile("step 0: train loss [0-9.]+, val loss ([0-9.]+)").matcher(training);
            Matcher last = Pattern.compile("step 300: train loss [0-9.]+, val loss ([0-9.]+)").matcher(training);
            assertTrue(first.find() && last.find(), training);
            double before = Double.parseDouble(first.group(1)), after = Double.parseDouble(last.group(1));
            assertTrue(after < before - 0.5, "val loss " + before + " -> " + after);
            assertTrue(valLoss(ran.text("check-loss-after")) < before - 0.5, ran.text("check-loss-after"));
            assertEquals(1, ran.images("check-loss-chart"));
            assertEquals(200, ran.text("check-sample").strip().length(), 30);
            // the backward() section: the gradient written out by hand equals autograd's and the finite differences
            Matcher byHand = Pattern.compile("by hand vs backward\\(\\): ([0-9.eE+-]+)").matcher(ran.text("check-backward-by-hand"));
            assertTrue(byHand.find(), ran.text("check-backward-by-hand"));
            assertTrue(Double.parseDouble(byHand.group(1)) < 1e-6, ran.text("check-backward-by-hand"));
            String fd = ran.text("check-finite-differences");
            Matcher row = Pattern.compile("W\\[.*]  ([-+][0-9.]+)  ([-+][0-9.]+)  ([-+][0-9.]+)").matcher(fd);
            int rows = 0;
            while (row.find()) {
                double hand = Double.parseDouble(row.group(1));
                assertEquals(hand, Double.parseDouble(row.group(2)), 2e-7, fd);
                assertEquals(hand, Double.parseDouble(row.group(3)), 2e-7, fd);
                rows++;
            }
            assertTrue(rows >= 2, fd);
            if (rows == 3) assertTrue(fd.strip().endsWith("+0.0000000  +0.0000000  +0.0000000"), "a row the batch never reads: " + fd);
            if (ran.corpus().shakespeare()) {
                // PyTorch's bigram.py with seed 1337 prints these (src/bench/lecture_values.py)
                assertTrue(training.contains("step 0: train loss 4.7305, val loss 4.7241"), training);
                assertTrue(training.contains("step 300: train loss 2.8110, val loss 2.8249"), training);
                Matcher diff = Pattern.compile("largest difference over 2 evaluations: ([0-9.eE+-]+)").matcher(ran.text("check-pytorch"));
                assertTrue(diff.find(), ran.text("check-pytorch"));
                assertTrue(Double.parseDouble(diff.group(1)) < 1e-4, ran.text("check-pytorch"));
                assertTrue(ran.text("check-model").contains("[token_embedding_table.weight], 4225 parameters"), ran.text("check-model"));
            }
        });
    }

    @Test
    void trainingTheBigramTryThis() throws Exception {
        Ran slow = tryThis("05-training-the-bigram", "-p", "learningRate=1e-3", "-p", "maxIters=301", "-p", "sampleLength=50");
        Matcher last = Pattern.compile("step 300: train loss [0-9.]+, val loss ([0-9.]+)").matcher(slow.text("check-train"));
        assertTrue(last.find(), slow.text("check-train"));
        assertTrue(Double.parseDouble(last.group(1)) > 3.0, "ten times smaller steps: still far from 2.5 after 300 steps");
        if (GIBRAN.isPresent()) {
            Ran gibran = tryThis("05-training-the-bigram", "-p", "corpusName=\"gibran-the-prophet\"", "-p", "maxIters=101",
                    "-p", "evalInterval=100", "-p", "evalIters=20", "-p", "sampleLength=50");
            assertEquals(1, gibran.images("check-train"));
        }
    }

    /**
     * Runs a notebook's "Try this" with the first corpus and the values it suggests ({@code params},
     * plus small sizes where the suggestion alone would be slow), into its own folder.
     */
    private static Ran tryThis(String name, String... params) throws Exception {
        TestCorpus corpus = CORPORA.get(0);
        List<String> all = new ArrayList<>(corpus.params());
        all.addAll(List.of(params));
        return new Ran(name, corpus, execute(name, "try-this", all));
    }

    private static double valLoss(String estimate) {
        Matcher m = Pattern.compile("val loss ([0-9.]+)").matcher(estimate);
        assertTrue(m.find(), estimate);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void selfAttention() throws Exception {
        eachCorpus("06-self-attention", List.of("-p", "headTrainIters=200"), ran -> {
            // the lecture's numbers, as PyTorch prints them (torch.manual_seed(1337), torch.randn(4, 8, 2))
            assertTrue(ran.text("check-toy").startsWith("tensor([[ 0.1808, -0.0700],\n        [-0.3596, -0.9152],"),
                    "torch.randn after seed 1337: " + ran.text("check-toy"));
            assertTrue(ran.text("check-loops").startsWith("tensor([[ 0.1808, -0.0700],\n        [-0.0894, -0.4926],"),
                    ran.text("check-loops"));
            String ab = ran.text("check-a-b");
            assertTrue(ab.contains("b=\ntensor([[2., 7.],\n        [6., 4.],\n        [6., 5.]])"), ab);
            assertTrue(ab.contains("[4.0000, 5.5000]") && ab.contains("[4.6667, 5.3333]"), ab);
            assertTrue(ab.contains("a=\ntensor([[1.0000, 0.0000, 0.0000],\n        [0.5000, 0.5000, 0.0000],"), ab);
            for (String version : List.of("check-matmul-average", "check-softmax-average")) {
                Matcher diff = Pattern.compile("largest difference ([0-9.eE+-]+)").matcher(ran.text(version));
                assertTrue(diff.find(), ran.text(version));
                assertTrue(Double.parseDouble(diff.group(1)) < 1e-6, version + ": the same as the loops\n" + ran.text(version));
            }
            String v3 = ran.text("check-softmax-average");
            assertTrue(v3.startsWith("tensor([[1., 0., 0., 0., 0., 0., 0., 0.],\n        [1., 1., 0.,"), "tril: " + v3);
            assertTrue(v3.contains("tensor([[0., -inf, -inf, -inf, -inf, -inf, -inf, -inf],"), "the -inf matrix: " + v3);
            assertTrue(v3.contains("[0.5000, 0.5000, 0.0000, 0.0000,"), "wei: " + v3);
            String head = ran.text("check-head");
            assertTrue(head.startsWith("out [4, 8, 16]"), head);
            assertTrue(head.contains("[0.1574, 0.8426, 0.0000"), "the lecture's weights: " + head);
            assertTrue(head.contains("[0.0210, 0.0843, 0.0555, 0.2297, 0.0573, 0.0709, 0.2423, 0.2391]"), head);
            assertEquals("the same weights as above: true", ran.text("check-head-method").strip());
            assertEquals("true", ran.text("check-head-identity").strip());
            assertTrue(ran.text("check-graph").strip().endsWith("node 7 <- 0, 1, 2, 3, 4, 5, 6, 7\n36 edges; T(T+1)/2 = 36\ntrue"),
                    ran.text("check-graph"));
            assertTrue(ran.text("check-no-space").strip().endsWith("no positions:   outputs shuffled like the inputs: true\n"
                    + "with positions: outputs shuffled like the inputs: false"), ran.text("check-no-space"));
            assertEquals("sequence 0 unchanged: true\nsequence 1 changed:   true", ran.text("check-batch-independent").strip());
            assertFalse(ran.text("check-encoder").contains("0.0000"), "no masked zeros without the mask: " + ran.text("check-encoder"));
            assertEquals("decoder, first 7 outputs unchanged: true\nencoder, first 7 outputs unchanged: false",
                    ran.text("check-mask-future").strip());
            assertEquals("weights [4, 8, 5]\noutput  [4, 8, 16]", ran.text("check-cross").strip());
            // note 6: PyTorch prints these for the lecture's k.var(), q.var(), wei.var() (and the product unscaled)
            assertEquals("k.var()   tensor(1.0449)\nq.var()   tensor(1.0700)\nwei.var() tensor(1.0918)\n"
                    + "without the scaling: tensor(17.4690), headSize = 16", ran.text("check-scaling").strip());
            assertEquals("tensor([0.1925, 0.1426, 0.2351, 0.1426, 0.2872])\ntensor([0.0326, 0.0030, 0.1615, 0.0030, 0.8000])",
                    ran.text("check-sharpen").strip());
            String training = ran.text("check-head-training");
            Matcher first = Pattern.compile("step 0: train loss [0-9.]+, val loss ([0-9.]+)").matcher(training);
            Matcher last = Pattern.compile("after 200 steps: train loss [0-9.]+, val loss ([0-9.]+)").matcher(training);
            assertTrue(first.find() && last.find(), training);
            assertTrue(Double.parseDouble(last.group(1)) < Double.parseDouble(first.group(1)) - 0.5, training);
            assertEquals(1, ran.images("check-heatmap"));
            assertTrue(ran.text("check-heatmap").matches("(?s)rows with their largest weight on the character itself: \\d+ of 16\n"
                    + "rows whose largest weight on an earlier character is on the one just before: \\d+ of 15.*"), ran.text("check-heatmap"));
        });
    }

    @Test
    void selfAttentionAtOtherLengths() throws Exception {
        // every cell follows T and headSize, shorter and longer than the default 8 and 16 (the untrained head, to stay quick);
        // note 6's variances are what PyTorch prints for the same draws at these sizes (torch 2.13)
        for (Object[] sizes : new Object[][]{{5, 8, "0.9111", "0.8726", "0.8184", "6.5474"},
                {11, 16, "1.0719", "0.8958", "0.9449", "15.1176"}}) {
            int t = (int) sizes[0], headSize = (int) sizes[1];
            Ran ran = tryThis("06-self-attention", "-p", "T=" + t, "-p", "headSize=" + headSize, "-p", "headTrainIters=0",
                    "-p", "headEvalIters=2");
            String graph = ran.text("check-graph");
            StringBuilder last = new StringBuilder("node " + (t - 1) + " <- 0");
            for (int s = 1; s < t; s++) last.append(", ").append(s);
            assertTrue(graph.strip().endsWith(last + "\n" + t * (t + 1) / 2 + " edges; T(T+1)/2 = " + t * (t + 1) / 2 + "\ntrue"),
                    graph);
            String shuffle = ran.text("check-no-space");
            Matcher order = Pattern.compile("new order of the tokens: \\[([0-9, ]+)]").matcher(shuffle);
            assertTrue(order.find(), shuffle);
            int[] perm = java.util.Arrays.stream(order.group(1).split(", ")).mapToInt(Integer::parseInt).toArray();
            assertEquals(t, perm.length, shuffle);
            assertEquals(t, java.util.Arrays.stream(perm).distinct().filter(i -> i < t).count(), "a permutation: " + shuffle);
            for (int i = 0; i < t; i++) assertNotEquals(i, perm[i], "every token moves: " + shuffle);
            assertTrue(shuffle.strip().endsWith("no positions:   outputs shuffled like the inputs: true\n"
                    + "with positions: outputs shuffled like the inputs: false"), shuffle);
            assertEquals("decoder, first " + (t - 1) + " outputs unchanged: true\nencoder, first " + (t - 1)
                    + " outputs unchanged: false", ran.text("check-mask-future").strip());
            assertEquals("weights [4, " + t + ", 5]\noutput  [4, " + t + ", " + headSize + "]", ran.text("check-cross").strip());
            assertEquals("k.var()   tensor(" + sizes[2] + ")\nq.var()   tensor(" + sizes[3] + ")\nwei.var() tensor(" + sizes[4]
                    + ")\nwithout the scaling: tensor(" + sizes[5] + "), headSize = " + headSize, ran.text("check-scaling").strip());
            for (String version : List.of("check-matmul-average", "check-softmax-average")) {
                Matcher diff = Pattern.compile("largest difference ([0-9.eE+-]+)").matcher(ran.text(version));
                assertTrue(diff.find() && Double.parseDouble(diff.group(1)) < 1e-6, ran.text(version));
            }
            assertEquals("true", ran.text("check-head-identity").strip());
        }
    }

    private static final List<String> STAGES = List.of("embeddings", "one head", "multi-head", "feed-forward", "blocks",
            "residual", "layernorm", "dropout");

    /** The stage table's rows by stage: the cells between the '|' separators, trimmed. */
    private static java.util.Map<String, String[]> stageRows(String table) {
        java.util.Map<String, String[]> rows = new java.util.LinkedHashMap<>();
        for (String line : table.lines().toList()) {
            String[] cells = line.split("\\|");
            if (cells.length < 5) continue;
            for (int i = 0; i < cells.length; i++) cells[i] = cells[i].strip();
            if (STAGES.contains(cells[0])) assertNull(rows.put(cells[0], cells), "one row per stage:\n" + table);
        }
        return rows;
    }

    /**
     * PyTorch's val loss per stage after 20 steps (evaluated every 10 over 2 batches), printed by
     * {@code python3 src/bench/stages.py tinyshakespeare.txt --steps 20 --eval-interval 10 --eval-iters 2}.
     */
    private static final java.util.Map<String, Double> PYTORCH_20_STEPS = java.util.Map.of("embeddings", 4.1878,
            "one head", 3.9463, "multi-head", 3.9949, "feed-forward", 3.9774, "blocks", 4.0024, "residual", 3.4554,
            "layernorm", 3.5663, "dropout", 3.5756);

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
            // same seed, same code, same batches and dropout masks as src/bench/stages.py, stage by stage
            for (String stage : STAGES) {
                assertEquals(PYTORCH_20_STEPS.get(stage), Double.parseDouble(rows.get(stage)[4]), 2e-3, stage + " follows PyTorch:\n" + table);
            }
        }
        // the PyTorch columns are pasted for the default run only
        assertEquals("(other settings than stages.py's run: no PyTorch columns)", ran.text("check-stage-parity").strip());
        // LayerNorm1d written in the cell prints the lecture's column statistics (torch.manual_seed(1337), randn(32, 100))
        String ln1d = ran.text("check-layernorm1d");
        assertTrue(ln1d.contains("column 0 (one feature across the batch): mean tensor(0.1469), std tensor(0.8803)"), ln1d);
        assertTrue(ln1d.contains("std tensor(1.0000)"), ln1d);
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
        assertEquals(1, ran.images("check-stage-plot"), "the stage's live plot, updated in place");
        assertTrue(ran.text("check-stage-plot").contains("step 19: train loss"), ran.text("check-stage-plot"));
        // its "Try this", small
        // (with the second corpus when there is one, so that every notebook also runs on The Prophet)
        List<String> tryParams = new ArrayList<>(List.of("-p", "maxIters=6", "-p", "evalInterval=5", "-p", "evalIters=1",
                "-p", "deepLayers=4", "-p", "nHead=2", "-p", "nLayer=2"));
        GIBRAN.ifPresent(g -> tryParams.addAll(List.of("-p", "corpusName=\"gibran-the-prophet\"")));
        Ran tryThis = run("07-building-gpt-step-by-step", tryParams);
        assertEquals(STAGES, List.copyOf(stageRows(tryThis.text("check-stage-table")).keySet()));
        assertEquals(2, tryThis.text("check-activation-stats").strip().lines().count(), "two blocks");
    }

    @Test
    void selfAttentionTryThis() throws Exception {
        Ran untrained = tryThis("06-self-attention", "-p", "headTrainIters=0");
        assertTrue(untrained.text("check-head-training").strip().startsWith("untrained: train loss"), untrained.text("check-head-training"));
        assertEquals(1, untrained.images("check-heatmap"));
        assertTrue(untrained.text("check-heatmap").contains("untrained head: who listens to whom"), untrained.text("check-heatmap"));
    }

    @Test
    void gpt() throws Exception {
        Path checkpoint = OUT.resolve("gpt-it.ckpt");
        eachCorpus("08-gpt", List.of("-p", "maxIters=60", "-p", "evalInterval=30", "-p", "evalIters=5",
                "-p", "checkpointFile=" + javaString(checkpoint.toString())), ran -> {
            if (ran.corpus().shakespeare()) assertTrue(ran.text("check-parameter-count").strip().endsWith("209729"));
            String names = ran.text("check-names");
            assertTrue(names.contains("the same names in the same order: true"), names);
            assertTrue(names.contains("token_embedding_table.weight         token_embedding_table.weight"), names);
            assertTrue(names.contains("largest difference of the initial weights: 0.0"), names);
            String check = ran.text("check-equality");
            assertTrue(check.strip().endsWith("true") && check.contains("equal within 1e-04: true"), "cell model equals the engine:\n" + check);
            Matcher diffs = Pattern.compile("logits ([0-9.e+-]+), loss ([0-9.e+-]+), gradients ([0-9.e+-]+) \\((\\d+) tensors").matcher(check);
            assertTrue(diffs.find(), check);
            for (int g = 1; g <= 3; g++) assertTrue(Double.parseDouble(diffs.group(g)) < 1e-5, "differences are float32 rounding: " + check);
            assertEquals(94, Integer.parseInt(diffs.group(4)), "every weight's gradient is compared");
            String training = ran.text("check-train");
            Matcher first = Pattern.compile("step +0: train loss ([0-9.]+)").matcher(training);
            Matcher last = Pattern.compile("step +59: train loss ([0-9.]+)").matcher(training);
            assertTrue(first.find() && last.find(), training);
            assertTrue(Double.parseDouble(last.group(1)) < Double.parseDouble(first.group(1)) - 0.5, training);
            assertEquals(1, ran.images("check-train"));
            assertEquals(1, ran.images("check-comparison-chart"));
            assertTrue(ran.text("check-samples").contains("--- temperature 0.6 ---"));
            String cellSample = ran.text("check-cell-samples");
            assertTrue(cellSample.contains("the same text as the engine's at temperature 1.0: "), cellSample);
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
        // the lecture's sizes, but 4 sequences per batch in parts of 2; trainSteps = 3 as its "Try this" says: run it twice
        List<String> params = List.of("-p", "batchSize=4", "-p", "microBatch=2", "-p", "timingSteps=2", "-p", "trainSteps=3", "-p", "evalIters=1",
                "-p", "checkpointFile=" + javaString(checkpoint.toString()));
        Ran once = run("09-scaling-up", params);
        if (once.corpus().shakespeare()) assertTrue(once.text("check-parameter-count").contains("10,788,929 parameters"));
        assertTrue(once.text("check-timing").matches("(?s).*[0-9.]+ s per step.*about [0-9.]+ hours.*"), once.text("check-timing"));
        assertTrue(once.text("check-timing").contains("(B = 4 in parts of 2,"), once.text("check-timing"));
        assertTrue(once.text("check-train").contains("no checkpoint yet: continuing the timed model from step 3"), once.text("check-train"));
        assertTrue(once.text("check-train").contains("6 steps in all"), once.text("check-train"));
        Ran twice = run("09-scaling-up", params);
        assertTrue(twice.text("check-train").contains("resumed from step 6"), twice.text("check-train"));
        assertTrue(twice.text("check-train").contains("9 steps in all"), twice.text("check-train"));
        if (GIBRAN.isPresent()) { // the default microBatch (16) is more than batchSize = 2: one pass per batch
            Path other = OUT.resolve("scaled-it-gibran.ckpt");
            Files.deleteIfExists(other);
            Ran gibran = run("09-scaling-up", List.of("-p", "corpusName=\"gibran-the-prophet\"", "-p", "batchSize=2",
                    "-p", "timingSteps=1", "-p", "trainSteps=1", "-p", "evalIters=1", "-p", "checkpointFile=" + javaString(other.toString())));
            assertTrue(gibran.text("check-train").contains("3 steps in all"), gibran.text("check-train"));
        }
    }

    @Test
    void finetuneOnYourCode() throws Exception {
        // the committed tiny GPT-2 checkpoint as the base (CI may have a network: no download), small otherwise
        String code = javaString(Path.of("src/main/java").toAbsolutePath().toString());
        String tiny = javaString(Path.of("src/test/resources/gpt2-tiny").toAbsolutePath().toString());
        List<String> params = List.of("-p", "baseModel=" + tiny, "-p", "codeFolder=" + code, "-p", "fineTuneIters=12",
                "-p", "blockSize=16", "-p", "evalInterval=6", "-p", "evalIters=2", "-p", "loraRank=4", "-p", "loraAlpha=8",
                "-p", "promptChars=100", "-p", "completionTokens=8");
        Ran ran = run("10-finetune-on-your-code", params);    // the base is the checkpoint: one run, whatever the corpus
        {
            Notebook nb = ran.nb();
            java.util.function.Function<String, String> textOf = snippet -> nb.text(nb.indexOfCellContaining(snippet));
            assertTrue(textOf.apply("Gpt2Checkpoint.load(").contains("BASE: gpt2-tiny, loaded from its Hugging Face files"),
                    textOf.apply("Gpt2Checkpoint.load("));
            assertTrue(textOf.apply("if (base == null)").contains("vocabulary 300, 64 positions"), textOf.apply("if (base == null)"));
            assertTrue(textOf.apply("CodeSplit.byFiles(").contains("CodeSplit(train="), textOf.apply("CodeSplit.byFiles("));
            assertTrue(textOf.apply("double baseLoss").contains(">>> the file:"), textOf.apply("double baseLoss"));
            String fresh = textOf.apply("double freshLoss");
            Matcher m = Pattern.compile("fresh adapters \\(B = 0\\): ([0-9.]+), base: ([0-9.]+)").matcher(fresh);
            assertTrue(m.find() && m.group(1).equals(m.group(2)), "B = 0: the adapted model starts as the base\n" + fresh);
            for (String method : List.of("Method.FULL", "Method.LORA,", "Method.LORA_NF4_DQ")) {
                assertEquals(1, nb.images(nb.indexOfCellContaining(method)).size(), method + " has its live plot");
            }
            Matcher hand = Pattern.compile("largest difference hand - engine: (\\S+)").matcher(textOf.apply("weightsByHand("));
            assertTrue(hand.find() && Double.parseDouble(hand.group(1)) < 1e-5, "LoRA by hand agrees with the engine\n" + textOf.apply("weightsByHand("));
            assertTrue(textOf.apply("float[] NF4 =").contains("packed bytes equal the library's: true; dequantized values equal: true"),
                    textOf.apply("float[] NF4 ="));
            String table = textOf.apply("FineTune.table(");
            for (String row : List.of("pretrained only", "full fine-tune", "LoRA on c_attn", "LoRA, NF4 + double quant on c_attn",
                    "of the gap", "heap held", "resident MiB")) {
                assertTrue(table.contains(row), row + " missing in:\n" + table);
            }
            assertEquals(1, nb.images(nb.indexOfCellContaining("FineTune.table(")).size(), "one chart of every run");
            String saved = textOf.apply("Path adapters = ");
            Matcher reload = Pattern.compile("held-out loss ([0-9.]+), reloaded ([0-9.]+)").matcher(saved);
            int reloads = 0;
            while (reload.find()) {
                assertEquals(reload.group(1), reload.group(2), saved);
                reloads++;
            }
            assertEquals(2, reloads, "LoRA and QLoRA adapters saved and reloaded\n" + saved);
            String completions = textOf.apply("completionsAfter.entrySet()");
            assertTrue(completions.contains("=== LoRA, NF4 + double quant on c_attn"), completions);
            assertFalse(String.join("", nb.cells().stream().map(Object::toString).toList()).contains("java.io.PrintStream@"));
        }
    }

    @Test
    void finetuneOnYourCodeTryThis() throws Exception {
        // its "Try this" (adapters on c_attn, c_proj and c_fc) on the fallback base, the path a computer without a network takes
        String code = javaString(Path.of("src/main/java").toAbsolutePath().toString());
        Ran ran = tryThis("10-finetune-on-your-code", "-p", "baseModel=\"\"", "-p", "codeFolder=" + code, "-p", "pretrainIters=20",
                "-p", "fineTuneIters=6", "-p", "blockSize=16", "-p", "evalInterval=6", "-p", "evalIters=2", "-p", "nLayer=2",
                "-p", "targetModules=\"c_attn, c_proj, c_fc\"", "-p", "completionTokens=8");
        Notebook nb = ran.nb();
        assertTrue(nb.text(nb.indexOfCellContaining("Gpt2Checkpoint.load(")).contains("No pretrained model"));
        assertTrue(nb.text(nb.indexOfCellContaining("if (base == null)")).contains("BASE: fallback: GPT-2 architecture, 2 layers"));
        String table = nb.text(nb.indexOfCellContaining("FineTune.table("));
        assertTrue(table.contains("LoRA on c_attn, c_proj, c_fc"), table);
        assertFalse(nb.text(nb.indexOfCellContaining("completionsAfter.entrySet()")).contains("\uFFFD"), "whole UTF-8 characters only");
    }
}
