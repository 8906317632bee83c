package io.buildgpt.notebook.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel semantics, checked on one in-process run of semantics.ipynb (one JShell start-up for all
 * checks keeps the suite fast). The greeting parameter is overridden; n keeps its default 3.
 */
class NotebookSemanticsTest {
    @TempDir
    static Path folder;

    private static Notebook notebook;
    private static PrintStream stdoutBefore;
    private static PrintStream stderrBefore;

    @BeforeAll
    static void execute() throws Exception {
        TestFixtures.buildLibraries(folder);
        Path file = TestFixtures.copyNotebook("semantics.ipynb", folder);
        stdoutBefore = System.out;
        stderrBefore = System.err;
        notebook = NotebookRunner.execute(file, Map.of("greeting", "\"hi\""));
    }

    private static int cell(String sourceFragment) {
        int index = notebook.indexOfCellContaining(sourceFragment);
        assertTrue(index >= 0, "no cell contains " + sourceFragment);
        return index;
    }

    private static List<Map<String, Object>> outputs(String sourceFragment) {
        return notebook.outputs(cell(sourceFragment));
    }

    @Test
    void streamsKeepTheirOrderAndTheLastExpressionIsTheResult() {
        List<Map<String, Object>> outputs = outputs("out-1");
        assertEquals(List.of("stream", "stream", "stream", "execute_result"),
                outputs.stream().map(o -> o.get("output_type")).toList());
        assertEquals(List.of("stdout", "stderr", "stdout"), outputs.subList(0, 3).stream().map(o -> o.get("name")).toList());
        int index = cell("out-1");
        assertEquals("out-1 out-2\n", notebook.stream(index, "stdout"));
        assertEquals("err-1\n", notebook.stream(index, "stderr"));
        assertTrue(notebook.text(index).endsWith("last hi\n"), "the injected greeting overrides the default");
        assertSame(stdoutBefore, System.out, "System.out restored after the run");
        assertSame(stderrBefore, System.err, "System.err restored after the run");
    }

    @Test
    void intResultWithItsExecutionCount() {
        Map<String, Object> result = outputs("n * 14").get(0);
        assertEquals("execute_result", result.get("output_type"));
        assertEquals(Map.of("text/plain", List.of("42")), result.get("data"));
        assertEquals(result.get("execution_count"), notebook.executionCount(cell("n * 14")));
    }

    @Test
    void executionCountsRunOverNonEmptyCodeCellsOnly() {
        long expected = 1;
        for (int i = 0; i < notebook.cells().size(); i++) {
            if (!notebook.cellType(i).equals("code")) {
                assertFalse(notebook.cell(i).containsKey("outputs"), "markdown and raw cells stay untouched");
            } else if (notebook.source(i).isBlank()) {
                assertNull(notebook.executionCount(i));
                assertTrue(notebook.outputs(i).isEmpty());
            } else {
                assertEquals(expected++, notebook.executionCount(i), "cell " + i);
            }
        }
    }

    @Test
    void injectedParametersCellFollowsTheParametersCell() {
        int injected = notebook.indexOfTagged("injected-parameters");
        assertEquals(notebook.indexOfTagged("parameters") + 1, injected);
        assertEquals("// Parameters injected by the runner\ngreeting = \"hi\";", notebook.source(injected));
        assertTrue(notebook.outputs(injected).isEmpty(), "an assignment shows no result, as in IJava");
    }

    @Test
    void updateDisplayReplacesTheEarlierDisplay() {
        List<Map<String, Object>> outputs = outputs("display(\"draft\")");
        assertEquals("display_data", outputs.get(0).get("output_type"));
        assertEquals(Map.of("text/plain", List.of("final 3")), outputs.get(0).get("data"));
        assertEquals("shown\n", notebook.stream(cell("display(\"draft\")"), "stdout"), "prints after the display stay after it");
    }

    @Test
    void bufferedImageResultIsAPng() {
        int index = cell("updateDisplay");
        List<BufferedImage> images = notebook.images(index);
        assertEquals(1, images.size());
        assertEquals(7, images.get(0).getWidth());
        assertEquals(5, images.get(0).getHeight());
        assertEquals("<BufferedImage 7x5>\n", notebook.text(index));
    }

    @Test
    void classpathMagicAddsADirectoryAndAJarGlob() {
        assertEquals("hello from jar & DIR!\n", notebook.text(cell("%classpath")));
    }

    @Test
    void tablesawTablesRenderAsTheirPrintout() {
        assertEquals("  name | n\n  a    | 1\n", notebook.text(cell("tech.tablesaw.api.Table")));
    }

    @Test
    void voidCallsAndDeclarationsShowNoResult() {
        assertTrue(outputs("nothing()").isEmpty());
        assertTrue(outputs("int y = 5;").isEmpty());
    }

    @Test
    void contextClassLoaderStaysTheApplicationLoaderAsInTheRealKernels() {
        assertEquals("true\n", notebook.text(cell("getContextClassLoader")));
    }

    @Test
    void errorIsRecordedInTheFailedCell() {
        NotebookExecutionException e = assertThrows(NotebookExecutionException.class,
                () -> NotebookRunner.execute(TestFixtures.NOTEBOOKS.resolve("runtime-error.ipynb"), Map.of()));
        assertEquals(3, e.cellIndex());
        List<Map<String, Object>> outputs = e.notebook().outputs(3);
        assertEquals("before\n", e.notebook().stream(3, "stdout"));
        Map<String, Object> error = outputs.get(outputs.size() - 1);
        assertEquals("error", error.get("output_type"));
        assertEquals("java.lang.IllegalStateException", error.get("ename"));
        List<?> traceback = (List<?>) error.get("traceback");
        assertTrue(traceback.get(0).toString().startsWith("java.lang.IllegalStateException: outer failure"), traceback.toString());
        assertTrue(traceback.stream().anyMatch(l -> l.toString().startsWith("Caused by: java.io.IOException: disk gone")),
                traceback.toString());
        assertTrue(traceback.stream().noneMatch(l -> l.toString().contains("jdk.jshell")), "JShell plumbing is cut off");
    }
}
