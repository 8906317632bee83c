package io.buildgpt.notebook.runner;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the committed notebooks' text promises, checked against their code without running them:
 * a cell that samples text seeds a generator of its own (so running it alone prints what its
 * markdown shows), sentences that once contradicted their notebook stay gone, and the jargon the
 * notebooks use is explained where a reader first meets it. {@code ProjectNotebooksIT} checks the
 * outputs themselves, including notebook 06 at other lengths than the default.
 */
class NotebookClaimsTest {
    private static final Path NOTEBOOKS = Path.of("").toAbsolutePath().resolve("notebooks");

    /** A sentence that contradicted its notebook's code or outputs, and why it may not come back. */
    private record Retracted(String notebook, Pattern text, String why) {}

    private static final List<Retracted> RETRACTED = List.of(
            new Retracted("02", Pattern.compile("blockSize = 1`[^.]*exactly what the bigram model"),
                    "notebook 04 uses blockSize = 8, not 1"),
            new Retracted("03", Pattern.compile("exactly the bigram model"),
                    "this notebook's table is seeded with 42, the bigram's with 1337: same shape, other numbers"),
            new Retracted("06", Pattern.compile("36 edges|shuffle the 8 tokens|our 8 tokens|first seven outputs"
                    + "|`head_size = 16`:|About 16 before|feed it 16 characters"),
                    "counts that hold for T = 8 and headSize = 16 only; state the formula or refer to the printed value"),
            new Retracted("07", Pattern.compile("`maxIters = 1000` every stage trains twice as long"),
                    "the default is 300 steps, so 1000 is not twice as long"),
            new Retracted("08", Pattern.compile("01:39 in the video"),
                    "the lecture's gpt.py says _init_weights was not covered in the video"),
            new Retracted("08", Pattern.compile("on SameDiff|regular expression over"),
                    "08's classes are on the tensor library, and _init_weights chooses layers by type"),
            new Retracted("10", Pattern.compile("completions will look like your\\s+code"),
                    "the completions this notebook prints are mostly gibberish"),
            new Retracted("10", Pattern.compile("heap saving is larger than its base"),
                    "the same cell says the heap shrinks by about the base's size"),
            new Retracted("10", Pattern.compile("(?i)resident memory (shows|measures) (what|how much) each"),
                    "the process's resident memory only grows during a session: it does not separate the runs"),
            new Retracted("10", Pattern.compile("(?i)fine-tun\\w+ on [^.]*(GPT-2|gpt2|CodeGPT)[^.]* (gives|gave|shows|showed)"),
                    "no committed output comes from a downloaded model: these machines have no network"));

    /** A term, and a phrase that explains it, which must both be in the first markdown cell using the term. */
    private record Term(Pattern term, Pattern explained) {}

    private static final List<Term> JARGON = List.of(
            new Term(Pattern.compile("\\bnats?\\b"), Pattern.compile("natural logarithm")),
            new Term(Pattern.compile("\\bBLAS\\b"), Pattern.compile("Basic Linear Algebra Subprograms")),
            new Term(Pattern.compile("(?i)micro-batch"), Pattern.compile("parts of a batch run")),
            new Term(Pattern.compile("\\babsmax\\b"), Pattern.compile("largest absolute value")),
            new Term(Pattern.compile("\\bquantiles?\\b"), Pattern.compile("equal probability")),
            new Term(Pattern.compile("\\bPPO\\b"), Pattern.compile("Proximal\\s+Policy\\s+Optimization")),
            new Term(Pattern.compile("\\bQLoRA\\b"), Pattern.compile("4 bits")),
            new Term(Pattern.compile("\\bNF4\\b"), Pattern.compile("NormalFloat")),
            new Term(Pattern.compile("\\bPEFT\\b"), Pattern.compile("Parameter-Efficient Fine-Tuning")));

    @Test
    void everyCellThatSamplesTextSeedsItsOwnGenerator() throws IOException {
        List<String> problems = new ArrayList<>();
        int sampling = 0;
        for (Path file : notebooks()) {
            Notebook nb = Notebook.read(file);
            for (int i = 0; i < nb.cells().size(); i++) {
                String source = nb.source(i);
                if (!"code".equals(nb.cellType(i)) || !source.contains(".generate(") || source.contains("class ")) continue;
                sampling++;
                if (!seedsBeforeGenerating(source)) {
                    problems.add(name(file) + " cell " + (i + 1) + " samples with a generator made in an earlier cell, so "
                            + "running it again prints other text than the one shown; seed a generator in the cell "
                            + "(new TorchGenerator(seed), or Tensor.manualSeed(seed) for the tensor library's default one)");
                }
            }
        }
        assertTrue(sampling >= 2, "notebooks 04 and 05 sample text; found " + sampling + " such cells");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** A generator made, or the tensor library's default generator seeded, before the cell's first {@code .generate(}. */
    static boolean seedsBeforeGenerating(String source) {
        int generate = source.indexOf(".generate(");
        int own = source.indexOf("new TorchGenerator("), seeded = source.indexOf("Tensor.manualSeed(");
        return (own >= 0 && own < generate) || (seeded >= 0 && seeded < generate);
    }

    @Test
    void theSeedCheckWantsTheSeedBeforeTheSampling() {
        assertTrue(seedsBeforeGenerating("Tensor.manualSeed(seed);\nm.generate(idx, 100)"));
        assertTrue(seedsBeforeGenerating("var g = new TorchGenerator(seed);\nm.generate(idx, 100, g)"));
        assertFalse(seedsBeforeGenerating("m.generate(idx, 100);\nTensor.manualSeed(seed);"));
        assertFalse(seedsBeforeGenerating("m.generate(idx, 100, g)"));
    }

    /** Notebook 05 writes bigram.py's loop, estimate_loss and the backward() lesson in its cells; 06 the trick's four versions. */
    @Test
    void notebooks05And06WriteTheLecturesCodeInTheirCells() throws IOException {
        Map<String, List<String>> expected = Map.of(
                "05", List.of("optimizer.zeroGrad();", "loss.backward();", "optimizer.step();", "Tensor.noGrad()",
                        "model.eval();", "model.train();", "estimateLoss()", "Tensor[] getBatch(String split)",
                        "for (int iter = 0; iter < maxIters; iter++)", "plot.add(iter,", "idx.get(\":, -\" + blockSize + \":\")",
                        "out.loss().backward();", "(up - down) / (2 * h)"),
                "06", List.of("xbow.get(b + \", \" + t).copy_(xprev.mean(0))", "wei.div(wei.sum(1, true))",
                        "maskedFill(tril.eq(0), Double.NEGATIVE_INFINITY)", "q.matmul(k.transpose(-2, -1))",
                        "new Linear(nEmbd, headSize, false)", "Math.pow(headSize, -0.5)", "k.var()", "Tensor.manualSeed(42)",
                        "optimizer.zeroGrad();", "loss.backward();"));
        List<String> problems = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Path file = notebook(e.getKey());
            Notebook nb = Notebook.read(file);
            StringBuilder code = new StringBuilder();
            for (int i = 0; i < nb.cells().size(); i++) if ("code".equals(nb.cellType(i))) code.append(nb.source(i)).append('\n');
            for (String line : e.getValue()) {
                if (!code.toString().contains(line)) problems.add(name(file) + " has no cell writing `" + line + "`");
            }
            for (String gone : List.of("io.buildgpt.cells", "SelfAttentionTrick", "Trainer", "org.nd4j")) {
                if (code.toString().contains(gone)) problems.add(name(file) + " still uses " + gone + "; write it in the cell");
            }
            String markdown = "";
            for (int i = 0; i < nb.cells().size(); i++) if ("markdown".equals(nb.cellType(i))) markdown += nb.source(i);
            if (e.getKey().equals("05")) {
                for (String word : List.of("zero_grad", "no_grad", "estimate_loss")) {
                    if (!markdown.contains(word)) problems.add(name(file) + " never names the lecture's `" + word + "`");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void sentencesThatContradictedTheirNotebookStayGone() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Retracted r : RETRACTED) {
            Path file = notebook(r.notebook());
            Notebook nb = Notebook.read(file);
            for (int i = 0; i < nb.cells().size(); i++) {
                if ("markdown".equals(nb.cellType(i)) && r.text().matcher(nb.source(i)).find()) {
                    problems.add(name(file) + " cell " + (i + 1) + " says /" + r.text() + "/: " + r.why());
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void jargonIsExplainedWhereAReaderFirstMeetsIt() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Term t : JARGON) {
            String first = null;
            String where = null;
            for (Path file : notebooks()) {
                Notebook nb = Notebook.read(file);
                for (int i = 0; i < nb.cells().size() && first == null; i++) {
                    if ("markdown".equals(nb.cellType(i)) && t.term().matcher(nb.source(i)).find()) {
                        first = nb.source(i);
                        where = name(file) + " cell " + (i + 1);
                    }
                }
                if (first != null) break;
            }
            assertNotNull(first, "no notebook uses /" + t.term() + "/ any more; drop it from JARGON");
            if (!t.explained().matcher(first).find()) {
                problems.add(where + " uses /" + t.term() + "/ first, without explaining it (/" + t.explained() + "/)");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * Notebook 07's text under the stage table tells the story of the PyTorch values pasted in the table's cell
     * (which the Java run must match): each of attention, heads and feed-forward lowers the val loss, blocks
     * without residuals raise it above feed-forward, residual connections give the largest drop, LayerNorm lowers
     * it a little, dropout raises it.
     */
    @Test
    void buildingGptStoryMatchesItsPyTorchColumn() throws IOException {
        Notebook nb = Notebook.read(notebook("07"));
        int cell = nb.indexOfTagged("check-stage-table");
        assertTrue(cell >= 0, "07 has a cell tagged check-stage-table");
        java.util.Map<String, Double> v = new java.util.HashMap<>();
        java.util.regex.Matcher m = Pattern.compile("\"([a-z -]+)\", ([0-9]\\.[0-9]{4})").matcher(nb.source(cell));
        while (m.find()) v.putIfAbsent(m.group(1), Double.parseDouble(m.group(2)));
        assertEquals(8, v.size(), "the eight stages' PyTorch values: " + v);
        String story = nb.source(cell + 2);
        assertTrue(story.contains("Each of attention, several heads and the feed-forward layer lowers"), story);
        assertTrue(v.get("one head") < v.get("embeddings") && v.get("multi-head") < v.get("one head")
                && v.get("feed-forward") < v.get("multi-head"), v.toString());
        assertTrue(story.contains("raises it again, above the single\nfeed-forward stage"), story);
        assertTrue(v.get("blocks") > v.get("feed-forward"), v.toString());
        assertTrue(story.contains("largest single drop"), story);
        double residualDrop = v.get("blocks") - v.get("residual");
        for (String[] pair : new String[][]{{"embeddings", "one head"}, {"one head", "multi-head"},
                {"multi-head", "feed-forward"}, {"residual", "layernorm"}}) {
            assertTrue(residualDrop > v.get(pair[0]) - v.get(pair[1]), "residual is the largest drop: " + v);
        }
        assertTrue(story.contains("LayerNorm lowers it a little more") && v.get("layernorm") < v.get("residual"), v.toString());
        assertTrue(story.contains("Dropout raises it") && v.get("dropout") > v.get("layernorm"), v.toString());
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }

    private static Path notebook(String number) throws IOException {
        return notebooks().stream().filter(f -> name(f).startsWith(number + "-")).findFirst()
                .orElseThrow(() -> new AssertionError("no notebook " + number + "-*.ipynb in " + NOTEBOOKS));
    }

    private static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            return files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
        }
    }
}
