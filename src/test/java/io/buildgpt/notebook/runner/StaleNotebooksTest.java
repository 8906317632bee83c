package io.buildgpt.notebook.runner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The committed notebooks carry the outputs of the committed code: their recorded fingerprints match
 * the tree's. And the check does fail on a stale notebook, whatever made it stale.
 */
class StaleNotebooksTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void everyCommittedNotebookWasExecutedFromTheCommittedCode() {
        List<String> problems = StaleNotebooks.problems(ROOT);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void aCommittedNotebookWithAnEditedCellIsStaleAndTheMessageSaysHowToRefreshIt() throws Exception {
        Path copy = Files.createDirectories(ROOT.resolve("target/stale-test")).resolve("03-embedding.ipynb");
        Notebook nb = Notebook.read(ROOT.resolve("notebooks/03-embedding.ipynb"));
        Fingerprint.record(nb, ROOT.resolve("notebooks/03-embedding.ipynb"), Map.of());
        nb.write(copy);
        assertNull(StaleNotebooks.problem(ROOT, copy), "fresh right after recording");

        int cell = nb.indexOfTagged("parameters");
        nb.cell(cell).put("source", nb.source(cell).replace("long seed = 42;", "long seed = 43;"));
        nb.write(copy);
        String problem = StaleNotebooks.problem(ROOT, copy);
        assertNotNull(problem);
        assertTrue(problem.startsWith("target/stale-test/03-embedding.ipynb is stale: its code cells changed"), problem);
        assertTrue(problem.endsWith("--in-place target/stale-test/03-embedding.ipynb"), problem);
    }

    @Test
    void aChangeToTheModuleOrTheCorpusMakesItStaleButLineEndingsDoNot(@TempDir Path project) throws Exception {
        Files.writeString(project.resolve("pom.xml"), "<project/>\n");
        Path source = Files.createDirectories(project.resolve("src/main/java")).resolve("A.java");
        Files.writeString(source, "class A {\n}\n");
        Path corpus = Files.createDirectories(project.resolve("data")).resolve("mine.txt");
        Files.writeString(corpus, "hello\n");
        Path file = Files.createDirectories(project.resolve("notebooks")).resolve("n.ipynb");
        Notebook nb = Notebook.parse(notebookJson("String corpusName = \\\"../data/mine.txt\\\";"));
        Fingerprint.record(nb, file, Map.of());
        nb.write(file);
        assertEquals(List.of(), StaleNotebooks.problems(project));
        assertTrue(Fingerprint.recorded(nb).corpora().get("corpusName").startsWith("../data/mine.txt sha256:"));

        Files.writeString(source, "class A {\r\n}\r\n");
        assertEquals(List.of(), StaleNotebooks.problems(project), "CRLF checkouts are not stale");

        Files.writeString(source, "class A { int x; }\n");
        assertTrue(StaleNotebooks.problems(project).get(0).contains("the module's sources (src/main, pom.xml) changed"));
        Files.writeString(source, "class A {\n}\n");

        Files.writeString(corpus, "hello again\n");
        assertTrue(StaleNotebooks.problems(project).get(0).contains("its corpus corpusName (../data/mine.txt) changed"),
                StaleNotebooks.problems(project).toString());
        Files.delete(corpus);
        assertEquals(List.of(), StaleNotebooks.problems(project), "no file here: the hash cannot be compared, no download");
    }

    @Test
    void aNotebookExecutedWithOverridesOrNeverExecutedIsNotFresh(@TempDir Path project) throws Exception {
        Files.writeString(project.resolve("pom.xml"), "<project/>\n");
        Files.createDirectories(project.resolve("src/main"));
        Path file = Files.createDirectories(project.resolve("notebooks")).resolve("n.ipynb");
        Notebook nb = Notebook.parse(notebookJson("int maxIters = 3000;"));
        nb.write(file);
        assertTrue(StaleNotebooks.problems(project).get(0).startsWith("notebooks/n.ipynb has no fingerprint"));

        ParameterInjector.inject(nb, Map.of("maxIters", "40"));
        Fingerprint.record(nb, file, Map.of("maxIters", "40"));
        nb.write(file);
        String problem = StaleNotebooks.problems(project).get(0);
        assertTrue(problem.contains("executed with parameter overrides {maxIters=40}"), problem);
    }

    private static String notebookJson(String parameters) {
        return """
                {"cells": [
                  {"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]}, "execution_count": null,
                   "outputs": [], "source": "%s"},
                  {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": null, "outputs": [],
                   "source": "1 + 1"}],
                 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
                """.formatted(parameters);
    }
}
