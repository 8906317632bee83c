package io.buildgpt.notebook.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A notebook JVM that ends without reporting its last cell is a failure naming the cell and how the JVM
 * ended, and processes that notebook code starts end with the notebook, however it ends. Each test
 * starts the runner as users do, in its own JVM.
 */
class RunnerEndingsTest {
    /** A cell that starts a real process and leaves its pid in sleep.pid (the notebook's folder). */
    private static final String START_SLEEP = "Process sleeper = new ProcessBuilder(\"sleep\", \"313\").start();\n"
            + "java.nio.file.Files.writeString(java.nio.file.Path.of(\"sleep.pid\"), \"\" + sleeper.pid());";
    private static final String NOT_FINISHED = " without finishing the notebook; the remaining cells were not run"
            + " and no notebook was written\n";

    @TempDir
    Path folder;

    @Test
    @Timeout(90)
    void haltWithExitCodeZeroIsAFailureNamingTheCell() throws Exception {
        RunnerLimitsTest.notebook(folder, "halt0.ipynb", "int a = 1;", "Runtime.getRuntime().halt(0);", "int b = 2;");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--out", "out/", "halt0.ipynb");
        assertEquals(1, result.exitCode(), result.stderr());
        assertEquals("notebook halt0.ipynb, cell 2 (Runtime.getRuntime().halt(0);): the notebook's JVM ended in this cell"
                + " (exit code 0)" + NOT_FINISHED, result.stderr());
        assertEquals("", result.stdout());
        assertFalse(Files.exists(folder.resolve("out/halt0.ipynb")), "a notebook that never finished is not written");
    }

    @Test
    @Timeout(90)
    void haltWithAnotherCodeNamesTheCellAndTheCode() throws Exception {
        RunnerLimitsTest.notebook(folder, "halt3.ipynb", "Runtime.getRuntime().halt(3);");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "halt3.ipynb");
        assertEquals(1, result.exitCode(), result.stderr());
        assertEquals("notebook halt3.ipynb, cell 1 (Runtime.getRuntime().halt(3);): the notebook's JVM ended in this cell"
                + " (exit code 3)" + NOT_FINISHED, result.stderr());
    }

    @Test
    @Timeout(120)
    void aNotebookJvmKilledFromOutsideIsAFailureNamingTheSignal() throws Exception {
        RunnerLimitsTest.notebook(folder, "spin.ipynb",
                "java.nio.file.Files.writeString(java.nio.file.Path.of(\"ready\"), \"\");", "while (true) { }");
        Process runner = startRunner("--cell-timeout", "0", "--notebook-timeout", "0", "spin.ipynb");
        try {
            ProcessHandle child = childOf(runner);
            for (int i = 0; i < 600 && !Files.exists(folder.resolve("ready")); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(1000); // let the child reach the spinning cell
            child.destroyForcibly(); // SIGKILL, as the out-of-memory killer sends
            assertTrue(runner.waitFor(60, TimeUnit.SECONDS), "the runner did not notice its notebook JVM died");
            assertEquals(1, runner.exitValue());
            assertEquals("notebook spin.ipynb, cell 2 (while (true) { }): the notebook's JVM ended in this cell (exit code 137:"
                    + " killed by signal 9, SIGKILL, as kill -9 and the out-of-memory killer send)" + NOT_FINISHED,
                    Files.readString(folder.resolve("runner.log")));
        } finally {
            runner.destroyForcibly();
        }
    }

    @Test
    @Timeout(90)
    void aProcessStartedByACellEndsWhenTheNotebookSucceeds() throws Exception {
        RunnerLimitsTest.notebook(folder, "ok.ipynb", START_SLEEP, "int b = 2;");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "ok.ipynb");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEnded(sleeperPid());
    }

    @Test
    @Timeout(90)
    void aProcessStartedByACellEndsWhenALaterCellTimesOut() throws Exception {
        RunnerLimitsTest.notebook(folder, "timeout.ipynb", START_SLEEP, "while (true) { }");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--cell-timeout", "10", "timeout.ipynb");
        assertEquals(1, result.exitCode(), result.stderr());
        assertTrue(result.stderr().startsWith("notebook timeout.ipynb, cell 2 (while (true) { }): timed out after 10 s"),
                result.stderr());
        assertEnded(sleeperPid());
    }

    @Test
    @Timeout(90)
    void aProcessStartedByACellEndsWhenTheNotebookJvmHalts() throws Exception {
        // halt runs no hook in the notebook's JVM: the runner ends what the JVM had started
        RunnerLimitsTest.notebook(folder, "halt.ipynb", START_SLEEP, "Thread.sleep(2000);", "Runtime.getRuntime().halt(0);");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "halt.ipynb");
        assertEquals(1, result.exitCode(), result.stderr());
        assertEnded(sleeperPid());
    }

    @Test
    @Timeout(120)
    void aProcessStartedByACellEndsWhenTheRunnerIsKilled() throws Exception {
        RunnerLimitsTest.notebook(folder, "spin.ipynb", START_SLEEP, "while (true) { }");
        Process runner = startRunner("--cell-timeout", "0", "--notebook-timeout", "0", "spin.ipynb");
        try {
            ProcessHandle child = childOf(runner);
            Path pidFile = folder.resolve("sleep.pid");
            for (int i = 0; i < 600 && !(Files.exists(pidFile) && !Files.readString(pidFile).isEmpty()); i++) {
                Thread.sleep(100);
            }
            long pid = sleeperPid();
            runner.destroyForcibly(); // SIGKILL: no hook of the runner runs
            assertTrue(runner.waitFor(30, TimeUnit.SECONDS));
            assertTrue(child.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).join() != null,
                    "the notebook JVM outlived its runner");
            assertEnded(pid);
        } finally {
            runner.destroyForcibly();
        }
    }

    private Process startRunner(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path classes = Path.of(NotebookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(
                List.of(java, "-cp", classes.toString(), NotebookRunner.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(folder.toFile())
                .redirectError(folder.resolve("runner.log").toFile()).redirectOutput(folder.resolve("runner.out").toFile()).start();
    }

    private static ProcessHandle childOf(Process runner) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            var child = runner.children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the runner started no notebook JVM");
    }

    private long sleeperPid() throws Exception {
        Path pidFile = folder.resolve("sleep.pid");
        assertTrue(Files.exists(pidFile), "the cell did not start its process");
        return Long.parseLong(Files.readString(pidFile).strip());
    }

    /** The process is gone within a few seconds (killed here if not, so that no test leaves it behind). */
    private static void assertEnded(long pid) {
        ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
        if (handle == null) {
            return;
        }
        boolean ended = handle.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join() != null;
        boolean alive = handle.isAlive();
        handle.destroyForcibly();
        assertTrue(ended && !alive, "the process " + pid + " started by a cell outlived its notebook");
    }
}
