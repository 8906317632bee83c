package io.buildgpt.notebook.runner;

import io.buildgpt.json.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing hangs, nothing passes for a success that is not one: time limits per cell and per notebook,
 * notebook code that calls System.exit, and a child JVM that outlives its runner. Each starts the runner
 * as users do, in its own JVM, with short limits.
 */
class RunnerLimitsTest {
    @TempDir
    Path folder;

    /** A notebook of code cells; a cell given as {"parameters", source} is tagged parameters. */
    static Path notebook(Path folder, String name, String... sources) throws Exception {
        List<Object> cells = new ArrayList<>();
        for (String source : sources) {
            boolean parameters = source.startsWith("#parameters\n");
            cells.add(Map.of("cell_type", "code", "execution_count", "", "outputs", List.of(),
                    "metadata", parameters ? Map.of("tags", List.of("parameters")) : Map.of(),
                    "source", parameters ? source.substring("#parameters\n".length()) : source));
        }
        String json = Json.write(Map.of("cells", cells, "metadata", Map.of(), "nbformat", 4L, "nbformat_minor", 5L));
        Path file = folder.resolve(name);
        Files.writeString(file, json.replace("\"execution_count\": \"\"", "\"execution_count\": null"));
        return file;
    }

    @Test
    @Timeout(90)
    void aCellPastItsLimitStopsTheRunWithNotebookCellAndFirstLine() throws Exception {
        notebook(folder, "loop.ipynb", "int a = 1;", "while (true) { }\nint never = 0;", "int b = 2;");
        long start = System.nanoTime();
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--cell-timeout", "2", "--out", "out/", "loop.ipynb");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1, result.exitCode(), result.stderr());
        assertEquals("notebook loop.ipynb, cell 2 (while (true) { }): timed out after 2 s, the limit per cell;"
                + " raise it with --cell-timeout SECONDS (0: no limit)\n", result.stderr());
        assertTrue(seconds < 60, "stopped after " + seconds + " s");
        assertFalse(Files.exists(folder.resolve("out/loop.ipynb")), "a stopped notebook is not written");
    }

    @Test
    @Timeout(90)
    void aNotebookPastItsLimitStopsInTheCellThatWasRunning() throws Exception {
        notebook(folder, "slow.ipynb", "Thread.sleep(3000);", "Thread.sleep(3000);", "Thread.sleep(3000);");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--cell-timeout", "0", "--notebook-timeout", "5", "slow.ipynb");
        assertEquals(1, result.exitCode(), result.stderr());
        assertTrue(result.stderr().startsWith("notebook slow.ipynb, cell "), result.stderr());
        assertTrue(result.stderr().contains(" (Thread.sleep(3000);): timed out: the notebook ran for 5 s, its limit;"
                + " raise it with --notebook-timeout SECONDS (0: no limit)"), result.stderr());
    }

    @Test
    void aBadLimitIsAUsageError() throws Exception {
        notebook(folder, "one.ipynb", "int a = 1;");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--cell-timeout", "soon", "one.ipynb");
        assertEquals(2, result.exitCode());
        assertTrue(result.stderr().startsWith("error: --cell-timeout expects a whole number of seconds (0: no limit), got \"soon\""),
                result.stderr());
    }

    @Test
    @Timeout(90)
    void systemExitInACellIsAFailureNamingTheCell() throws Exception {
        notebook(folder, "exit0.ipynb", "int a = 1;", "System.exit(0);", "System.out.println(\"after\");");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--out", "out/", "exit0.ipynb");
        assertEquals(1, result.exitCode(), result.stderr());
        assertEquals("notebook exit0.ipynb, cell 2 (System.exit(0);): the notebook's code ended the JVM (System.exit,"
                + " or a signal) before the last cell; the remaining cells were not run and no notebook was written\n",
                result.stderr());
        assertFalse(Files.exists(folder.resolve("out/exit0.ipynb")));

        notebook(folder, "exit3.ipynb", "System.exit(3);");
        result = TestFixtures.runCli(folder, "exit3.ipynb");
        assertEquals(1, result.exitCode());
        assertTrue(result.stderr().startsWith("notebook exit3.ipynb, cell 1 (System.exit(3);): the notebook's code ended the JVM"),
                result.stderr());
    }

    @Test
    @Timeout(90)
    void systemExitInjectedThroughAParameterIsAFailure() throws Exception {
        notebook(folder, "params.ipynb", "#parameters\nint x = 0;", "System.out.println(x);");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "-p", "x=1; System.exit(0)", "params.ipynb");
        assertEquals(1, result.exitCode(), result.stderr());
        assertTrue(result.stderr().startsWith("notebook params.ipynb, cell 2 (// Parameters injected by the runner): the notebook's code ended the JVM"),
                result.stderr());
    }

    @Test
    @Timeout(120)
    void theNotebookJvmEndsWhenItsRunnerIsKilled() throws Exception {
        runnerEndsAndChildFollows(true); // SIGKILL: the runner's hooks cannot run, the child notices its parent is gone
    }

    @Test
    @Timeout(120)
    void theNotebookJvmEndsWhenItsRunnerIsTerminated() throws Exception {
        runnerEndsAndChildFollows(false); // SIGTERM (Ctrl-C alike): the runner's shutdown hook stops the child
    }

    private void runnerEndsAndChildFollows(boolean forcibly) throws Exception {
        notebook(folder, "spin.ipynb", "while (true) { }");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path classes = Path.of(NotebookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process runner = new ProcessBuilder(java, "-cp", classes.toString(), NotebookRunner.class.getName(),
                "--cell-timeout", "0", "--notebook-timeout", "0", "spin.ipynb")
                .directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("runner.log").toFile()).start();
        ProcessHandle child = null;
        for (int i = 0; i < 600 && child == null; i++) {
            child = runner.children().findFirst().orElse(null);
            Thread.sleep(50);
        }
        try {
            assertTrue(child != null, "the runner started no notebook JVM");
            Thread.sleep(2000); // let the child reach the spinning cell
            assertTrue(child.isAlive(), Files.readString(folder.resolve("runner.log")));
            if (forcibly) {
                runner.destroyForcibly();
            } else {
                runner.destroy();
            }
            assertTrue(runner.waitFor(30, TimeUnit.SECONDS));
            boolean ended = child.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).join() != null;
            assertTrue(ended && !child.isAlive(), "the notebook JVM " + child.pid() + " outlived its runner");
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            runner.destroyForcibly();
        }
    }

    @Test
    void notebooksThatAreNotUtf8AreRefusedSayingWhichEncoding() throws Exception {
        Path utf8 = notebook(folder, "fr.ipynb", "String s = \"été\";");
        String json = Files.readString(utf8);
        Files.write(folder.resolve("utf16.ipynb"), ("\uFEFF" + json).getBytes(StandardCharsets.UTF_16BE));
        Files.write(folder.resolve("latin1.ipynb"), json.getBytes(StandardCharsets.ISO_8859_1));
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "utf16.ipynb", "latin1.ipynb");
        assertEquals(1, result.exitCode());
        assertTrue(result.stderr().contains("utf16.ipynb is UTF-16 (it starts with a UTF-16 byte-order mark), but notebooks"
                + " are UTF-8: convert it"), result.stderr());
        int offset = json.indexOf("été");
        assertTrue(result.stderr().contains("latin1.ipynb is not valid UTF-8 (byte 0xE9 at offset " + offset
                + "; Latin-1 or Windows-1252?), but notebooks are UTF-8"), result.stderr());
    }

    @Test
    void aCellThatIsNotAnObjectIsNamed() throws Exception {
        Files.writeString(folder.resolve("bad.ipynb"), "{\"cells\": [{\"cell_type\": \"code\", \"source\": \"int a;\","
                + " \"metadata\": {}, \"outputs\": []}, \"print(1)\"], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "bad.ipynb");
        assertEquals(1, result.exitCode());
        assertTrue(result.stderr().contains("bad.ipynb: cell 2 is a string, not a JSON object: every entry of \"cells\" must be"
                + " an object with \"cell_type\" and \"source\""), result.stderr());
    }

    @Test
    void rewritingANotebookKeepsItsPermissions() throws Exception {
        Path file = notebook(folder, "shared.ipynb", "int a = 1;");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        Notebook.read(file).write(file);
        assertEquals("rw-rw-r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Path fresh = folder.resolve("fresh.ipynb");
        Notebook.read(file).write(fresh);
        assertTrue(Files.getPosixFilePermissions(fresh).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
                "a new notebook is not 0600: " + Files.getPosixFilePermissions(fresh));
    }

    @Test
    void anOutFolderThatRefusesWritesSaysAccessDenied() throws Exception {
        // root may write any chmod-ed folder; sysfs refuses new files even to root (skipped where absent)
        Path out = Path.of("/sys");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(out) && !Files.isWritable(out.resolve("probe")));
        notebook(folder, "one.ipynb", "int a = 1;");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--out", out + "/", "one.ipynb");
        assertEquals(1, result.exitCode());
        assertTrue(result.stderr().startsWith("notebook one.ipynb: cannot write notebook /sys/one.ipynb: /sys/one.ipynb: access denied:"
                + " this user may not create files in the folder /sys (read-only?); choose a folder you can write"), result.stderr());
    }
}
