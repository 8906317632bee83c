package io.buildgpt.notebook.runner;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The launcher's side of one notebook's JVM (same java binary, the runner's class path, working directory =
 * the notebook's folder). It waits for the JVM within the notebook's limit, turns an end the JVM did not
 * report into a failure naming the last cell (see {@link ChildStatus}), and makes sure that every process
 * the notebook started ends with it: it notes the JVM's descendants while it runs, since a JVM that halts
 * or is killed leaves its children behind, no longer its descendants.
 */
final class ChildLauncher {
    /** Seconds the launcher waits past --notebook-timeout before it kills a child that did not stop itself. */
    private static final long CHILD_GRACE_SECONDS = 30;
    /** How often the JVM's descendants are noted. */
    private static final long WATCH_MILLIS = 250;

    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    private ChildLauncher() {
    }

    /** Runs one notebook in its own JVM; returns 0 on success, 1 on a failure, which has been reported on stderr. */
    static int launch(RunnerOptions options, Path notebook, Path absolute) throws IOException, InterruptedException {
        Path status = Files.createTempFile("notebook-runner-", ".status");
        try {
            return new ChildLauncher().run(options, notebook, absolute, status);
        } finally {
            Files.deleteIfExists(status);
        }
    }

    private int run(RunnerOptions options, Path notebook, Path absolute, Path status) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command(options, notebook, absolute, status))
                .directory(absolute.getParent().toFile()).inheritIO().start();
        // Ctrl-C or a kill of this JVM takes the notebook's JVM along (a SIGKILL cannot run this: the child
        // then notices on its own that its parent is gone, see RunWatch).
        Thread killChild = new Thread(() -> stopAll(process), "notebook-runner-stop-child");
        Runtime.getRuntime().addShutdownHook(killChild);
        Thread watcher = new Thread(() -> noteDescendants(process), "notebook-runner-descendants");
        watcher.setDaemon(true);
        watcher.start();
        try {
            long limit = options.notebookTimeoutSeconds();
            // The child enforces the limits itself and names the cell; this is the backstop for a child that cannot.
            if (limit > 0 && !process.waitFor(limit + CHILD_GRACE_SECONDS, TimeUnit.SECONDS)) {
                stopAll(process);
                System.err.println("notebook " + notebook + ": timed out: still running " + CHILD_GRACE_SECONDS
                        + " s after its limit of " + limit + " s, and stopped; raise it with --notebook-timeout SECONDS (0: no limit)");
                return 1;
            }
            int exitCode = process.waitFor();
            stopAll(process); // what the notebook started and its JVM could not end (halt, kill -9)
            String unreported = ChildStatus.unreportedEnd(status, notebook.toString(), exitCode);
            if (unreported != null) {
                System.err.println(unreported);
                return 1;
            }
            return exitCode == 0 ? 0 : 1;
        } finally {
            watcher.interrupt();
            try {
                Runtime.getRuntime().removeShutdownHook(killChild);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it stops the child
            }
        }
    }

    private void noteDescendants(Process process) {
        while (process.isAlive()) {
            process.descendants().forEach(seen::add);
            try {
                Thread.sleep(WATCH_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Ends the JVM and every process it started that is still running (a handle never ends a reused pid). */
    private void stopAll(Process process) {
        process.descendants().forEach(seen::add);
        seen.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static List<String> command(RunnerOptions options, Path notebook, Path absolute, Path status) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(options.jvmOptions());
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(runnerClassPath());
        command.add(NotebookRunner.class.getName());
        command.add("--child");
        command.add("--label");
        command.add(notebook.toString());
        command.add("--status-file");
        command.add(status.toString());
        command.add("--cell-timeout");
        command.add(String.valueOf(options.cellTimeoutSeconds()));
        command.add("--notebook-timeout");
        command.add(String.valueOf(options.notebookTimeoutSeconds()));
        options.parameters().forEach((name, expression) -> {
            command.add("-p");
            command.add(name + "=" + expression);
        });
        if (options.inPlace()) {
            command.add("--in-place");
        } else if (options.out() != null) {
            command.add("--out");
            command.add(outTarget(options, absolute).toString());
        }
        command.add(absolute.toString());
        return command;
    }

    /** --out names a file for one notebook, or a folder: when it is one, ends in a separator, or there are several. */
    private static Path outTarget(RunnerOptions options, Path notebook) {
        Path out = Path.of(options.out()).toAbsolutePath().normalize();
        boolean folder = Files.isDirectory(out) || options.notebooks().size() > 1
                || options.out().endsWith("/") || options.out().endsWith(File.separator);
        return folder ? out.resolve(notebook.getFileName()) : out;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Where this class was loaded from, absolute, since the child runs in another working directory. */
    private static String runnerClassPath() {
        try {
            return Path.of(NotebookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath().toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the runner's classes", e);
        }
    }
}
