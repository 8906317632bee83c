package io.buildgpt.notebook.runner;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a reader sees in JupyterLab, checked over every committed notebook: code that fits the cell
 * (no line over {@value #MAX_LINE} characters, which Lab would scroll sideways), ND4J names imported
 * rather than written out in full, and outputs that name no folder of the machine that produced them.
 */
class NotebookContentTest {
    static final int MAX_LINE = 100;
    private static final Path ROOT = Path.of("").toAbsolutePath();
    /**
     * Notebooks not yet brought to the code style (being rewritten on other branches). The test fails
     * when one of them passes, so the entry is removed then; nothing new may be added.
     */
    private static final Set<String> STYLE_NOT_YET = Set.of();
    /** Notebooks whose corpus parameter is not yet called {@code corpusName} (other branches add or rename it). */
    private static final Set<String> CORPUS_NAME_NOT_YET = Set.of();
    /** Absolute paths as Linux, macOS and Windows write them; URLs ("https://...") are not paths. */
    private static final Pattern ABSOLUTE = Pattern.compile(
            "(?<![\\w:/.~-])/(?:home|Users|root|tmp|work|mnt|var|opt|srv|usr|private)/[^\\s\"')]*"
                    + "|(?<!\\w)[A-Za-z]:\\\\(?:[^\\\\\\s\"')]+\\\\)+[^\\\\\\s\"')]*");

    @Test
    void codeLinesFitTheCellAndNd4jNamesAreImported() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> clean = new TreeSet<>();
        for (Path file : notebooks()) {
            String name = file.getFileName().toString().replace(".ipynb", "");
            List<String> own = styleProblems(name, Notebook.read(file));
            if (STYLE_NOT_YET.contains(name)) {
                if (own.isEmpty()) clean.add(name);
            } else {
                problems.addAll(own);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(clean.isEmpty(), "now in style, remove from STYLE_NOT_YET: " + clean);
    }

    static List<String> styleProblems(String name, Notebook nb) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < nb.cells().size(); i++) {
            if (!"code".equals(nb.cellType(i))) continue;
            String[] lines = nb.source(i).split("\n", -1);
            for (int l = 0; l < lines.length; l++) {
                String line = lines[l];
                String where = name + " cell " + (i + 1) + " line " + (l + 1) + ": ";
                if (line.length() > MAX_LINE) problems.add(where + line.length() + " characters (at most " + MAX_LINE + ")");
                if (line.contains("org.nd4j.") && !line.strip().startsWith("import ")) {
                    problems.add(where + "a fully qualified ND4J name; import it: " + line.strip());
                }
            }
        }
        return problems;
    }

    @Test
    void everyNotebookHasTheCorpusNameParameterTheReadmePromises() throws IOException {
        List<String> missing = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (Path file : notebooks()) {
            String name = file.getFileName().toString().replace(".ipynb", "");
            Notebook nb = Notebook.read(file);
            int cell = nb.indexOfTagged(ParameterInjector.PARAMETERS_TAG);
            boolean has = cell >= 0 && Pattern.compile("String\\s+corpusName\\s*=").matcher(nb.source(cell)).find();
            if (CORPUS_NAME_NOT_YET.contains(name)) {
                if (has) done.add(name);
            } else if (!has) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "README: every notebook has a corpusName parameter in its cell tagged parameters");
        assertTrue(done.isEmpty(), "has corpusName now, remove from CORPUS_NAME_NOT_YET: " + done);
    }

    @Test
    void gptCellsAreOnTheTensorLibraryAndInitialiseByLayerType() throws IOException {
        Notebook nb = Notebook.read(ROOT.resolve("notebooks/08-gpt.ipynb"));
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < nb.cells().size(); i++) if ("code".equals(nb.cellType(i))) code.append(nb.source(i)).append('\n');
        String all = code.toString();
        assertFalse(all.contains("io.buildgpt.cells"), "08's cells use the tensor library (io.buildgpt.nn), not the SameDiff package");
        assertTrue(all.contains("class GPTLanguageModel extends Module"), "the lecture's model is written in a cell");
        assertTrue(all.contains("apply(this::_init_weights)") && all.contains("module instanceof Linear")
                && all.contains("module instanceof Embedding"), "_init_weights chooses layers by type through Module.apply");
        assertFalse(all.contains(".matches("), "no regular expression over parameter names selects layers");
        assertTrue(all.contains("idx.get(\":, -\" + blockSize + \":\")"), "generate crops the context as idx[:, -block_size:]");
        assertTrue(all.contains("EngineCheck.compare(gpt, gpt::forward, model, xb, yb)"), "the cell model is checked against the engine");
    }

    /** A reader knows before Run All how long to wait: the first markdown cell ends with the measured run time. */
    @Test
    void everyNotebookStatesItsRunTimeAtTheTop() throws IOException {
        Pattern runTime = Pattern.compile("\\*Run time: about [0-9.]+ (s|minutes) with the default parameters [^*]*\\*\\s*$");
        List<String> problems = new ArrayList<>();
        for (Path file : notebooks()) {
            Notebook nb = Notebook.read(file);
            if (!"markdown".equals(nb.cellType(0)) || !runTime.matcher(nb.source(0)).find()) {
                problems.add(file.getFileName() + ": the first markdown cell does not end with '*Run time: about N s with the default parameters (...)*'");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theStyleCheckFindsALongLineAndAFullyQualifiedName() {
        Notebook nb = Notebook.parse("""
                {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
                  "source": "int x = 1;\\nINDArray z = org.nd4j.linalg.factory.Nd4j.zeros(2);\\n%s"}],
                 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
                """.formatted("x".repeat(101)));
        List<String> problems = styleProblems("t", nb);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("t cell 1 line 2: a fully qualified ND4J name"), problems.get(0));
        assertTrue(problems.get(1).startsWith("t cell 1 line 3: 101 characters"), problems.get(1));
    }

    @Test
    void noOutputNamesAFolderOfTheMachineThatProducedIt() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : notebooks()) {
            Notebook nb = Notebook.read(file);
            for (int i = 0; i < nb.cells().size(); i++) {
                if (!"code".equals(nb.cellType(i))) continue;
                String path = absolutePath(nb.text(i));
                if (path != null) problems.add(file.getFileName() + " cell " + (i + 1) + " shows " + path);
            }
        }
        assertTrue(problems.isEmpty(), "outputs with absolute paths (print a name instead, e.g. Corpus.origin()):\n"
                + String.join("\n", problems));
    }

    /** The first absolute path in {@code text}: this project's folder, the home folder, or one that looks like a path. */
    static String absolutePath(String text) {
        for (String own : List.of(ROOT.toString(), System.getProperty("user.home"))) {
            if (own.length() > 1 && text.contains(own)) return own;
        }
        Matcher m = ABSOLUTE.matcher(text);
        return m.find() ? m.group() : null;
    }

    @Test
    void thePathCheckFindsPathsButNotUrlsOrRelativePaths() {
        assertEquals("/srv/corpora/data/tinyshakespeare.txt",
                absolutePath("tinyshakespeare: 65 distinct (from /srv/corpora/data/tinyshakespeare.txt)"));
        assertEquals("/home/me/novel.txt", absolutePath("read /home/me/novel.txt"));
        assertEquals("C:\\Users\\me\\novel.txt", absolutePath("read C:\\Users\\me\\novel.txt"));
        assertNotNull(absolutePath("in " + ROOT.resolve("data")));
        assertNull(absolutePath("downloaded from https://raw.githubusercontent.com/karpathy/char-rnn/master/x.txt"));
        assertNull(absolutePath("saved to ../data/gpt-small.ckpt; io/buildgpt/engine/Head.java held out"));
        assertNull(absolutePath("First Citizen:\\nBefore"), "a shown newline after a colon is no drive letter");
    }

    /** Notebook 07's classes, each defined in one cell only: re-running an earlier stage cannot pick up a later definition. */
    @Test
    void buildingGptDefinesEachStageClassOnceOnTheTensorLibrary() throws IOException {
        Path file = notebooks().stream().filter(f -> f.getFileName().toString().startsWith("07-")).findFirst().orElseThrow();
        Notebook nb = Notebook.read(file);
        java.util.Map<String, Integer> definedIn = new java.util.HashMap<>();
        List<String> problems = new ArrayList<>();
        StringBuilder code = new StringBuilder();
        Pattern classDef = Pattern.compile("(?m)^\\s*(?:abstract\\s+)?(?:class|record)\\s+(\\w+)");
        for (int i = 0; i < nb.cells().size(); i++) {
            if (!"code".equals(nb.cellType(i))) continue;
            code.append(nb.source(i)).append('\n');
            Matcher m = classDef.matcher(nb.source(i));
            while (m.find()) {
                Integer before = definedIn.put(m.group(1), i + 1);
                if (before != null) problems.add(m.group(1) + " in cells " + before + " and " + (i + 1));
            }
        }
        assertTrue(problems.isEmpty(), "07 defines a class twice; name it per stage (HeadS1, BlockS5): " + problems);
        assertTrue(definedIn.keySet().containsAll(List.of("HeadS1", "MultiHeadAttentionS2", "FeedForwardS3", "BlockS4",
                "BlockS5", "LayerNorm1d", "BlockS6", "HeadS7", "BlockS7")), definedIn.keySet().toString());
        String all = code.toString();
        assertFalse(all.contains("io.buildgpt.cells"), "07 is written on io.buildgpt.tensor / nn / optim, not the SameDiff cells");
        for (String loop : List.of("optimizer.zeroGrad();", "loss.backward();", "optimizer.step();", "Tensor.noGrad()",
                "model.eval();", "x.mean(1, true)", "x.var(1, true)")) {
            assertTrue(all.contains(loop), "07's cells write the lecture's " + loop);
        }
    }

    private static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("notebooks"))) {
            return files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
        }
    }
}
