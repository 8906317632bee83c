package io.buildgpt.notebook.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, end to end: each test starts the runner as a separate JVM, as CI does. */
class NotebookRunnerCliTest {
    @TempDir
    Path folder;

    @Test
    void writesAValidNotebookInPlaceWithParameters() throws Exception {
        Path notebook = TestFixtures.copyNotebook("check.ipynb", folder);
        Path elsewhere = Files.createDirectories(folder.resolve("elsewhere"));

        TestFixtures.CliResult result = TestFixtures.runCli(elsewhere, "-p", "rate=1.25", "-J-Xmx256m", "--in-place",
                "../check.ipynb");

        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().matches("executed \\.\\./check\\.ipynb in \\d+\\.\\d s, 4 cells\\R"), result.stdout());
        Notebook executed = Notebook.read(notebook);
        int injected = executed.indexOfTagged("injected-parameters");
        assertEquals(executed.indexOfTagged("parameters") + 1, injected);
        int printing = executed.indexOfCellContaining("rate=");
        assertEquals("rate=1.25\n2.5\n", executed.text(printing));
        int displaying = executed.indexOfCellContaining("display(");
        assertEquals(List.of("display_data", "execute_result"),
                executed.outputs(displaying).stream().map(o -> o.get("output_type")).toList());
        assertEquals("Grüße ✓ 😀\n", executed.text(displaying).lines().skip(1).findFirst().orElseThrow() + "\n");
        assertEquals(Map.of("display_name", "Java", "language", "java", "name", "java"),
                ((Map<?, ?>) executed.document().get("metadata")).get("kernelspec"));
        assertTrue(Files.readString(notebook).endsWith("}\n"));
        try (var files = Files.list(folder)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
        TestFixtures.assertValidNbformat(notebook);
    }

    @Test
    void failuresStopWithOneReportLineAndLeaveFilesUntouched() throws Exception {
        Path compileError = TestFixtures.copyNotebook("compile-error.ipynb", folder);
        Path runtimeError = TestFixtures.copyNotebook("runtime-error.ipynb", folder);
        byte[] compileBefore = Files.readAllBytes(compileError);
        byte[] runtimeBefore = Files.readAllBytes(runtimeError);

        // Two notebooks in one call: each gets its own JVM, and a failure in one does not hide the other.
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--in-place", "compile-error.ipynb", "runtime-error.ipynb");

        assertEquals(1, result.exitCode());
        List<String> reports = result.stderr().lines().toList();
        assertEquals(2, reports.size(), result.stderr());
        // The runner's own classes are on the runner's class path but not the notebook's: a compile error.
        assertTrue(reports.get(0).startsWith("notebook compile-error.ipynb, cell 2 (// the runner's own classes are"
                + " invisible to notebook code): compile error: package io.buildgpt.notebook.runner does not exist"),
                reports.get(0));
        assertEquals("notebook runtime-error.ipynb, cell 4 (System.out.println(\"before\");):"
                + " java.lang.IllegalStateException: outer failure; caused by java.io.IOException: disk gone", reports.get(1));
        assertArrayEquals(compileBefore, Files.readAllBytes(compileError), "a failed notebook is not written");
        assertArrayEquals(runtimeBefore, Files.readAllBytes(runtimeError), "a failed notebook is not written");
        assertEquals("", result.stdout());
    }

    @Test
    void parametersWithoutAParametersCellFail() throws Exception {
        TestFixtures.copyNotebook("no-parameters.ipynb", folder);
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "-p", "n=4", "no-parameters.ipynb");
        assertEquals(1, result.exitCode());
        assertTrue(result.stderr().startsWith("notebook no-parameters.ipynb: parameters [n] were given, but no cell"
                + " is tagged \"parameters\""), result.stderr());
    }

    @Test
    void usageErrorsExitWithTwo() throws Exception {
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--in-place", "--out", "x", "a.ipynb");
        assertEquals(2, result.exitCode());
        assertTrue(result.stderr().startsWith("error: --in-place and --out exclude each other"), result.stderr());
        assertTrue(result.stderr().contains("usage: java -cp target/classes"), result.stderr());
    }
}
