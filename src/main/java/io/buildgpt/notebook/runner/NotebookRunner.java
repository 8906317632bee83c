package io.buildgpt.notebook.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Executes Java notebooks headless, as JupyterLab with the IJava/JJava kernel would; see
 * {@link RunnerOptions#USAGE}. Depends on the JDK only: notebooks bring their libraries with %classpath.
 *
 * <p>The launcher starts one child JVM per notebook ({@link ChildLauncher}): notebooks are independent, and
 * ND4J's native libraries can only be loaded once per JVM.
 */
public final class NotebookRunner {
    private NotebookRunner() {
    }

    public static void main(String[] args) {
        // exit() also ends threads notebook code left running (thread pools, native library threads).
        System.exit(run(args));
    }

    /**
     * Executes one notebook in this JVM and returns it; nothing is written. For tests and tools. Unlike
     * the CLI, notebook code runs with this JVM's working directory (%classpath still resolves against
     * the notebook's folder), and ND4J can be loaded only once per JVM.
     *
     * @throws NotebookExecutionException when a cell fails; it carries the notebook with the error output
     * @throws IllegalArgumentException when parameters are given but no cell is tagged "parameters", or
     *         the file is not a notebook
     */
    public static Notebook execute(Path notebook, Map<String, String> parameters) {
        Notebook document = Notebook.read(notebook);
        NotebookExecutor.execute(document, notebook.toAbsolutePath().getParent(), parameters);
        return document;
    }

    static int run(String[] args) {
        RunnerOptions options;
        try {
            options = RunnerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(RunnerOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            System.out.print(RunnerOptions.USAGE);
            return 0;
        }
        return options.child() ? runHere(options) : launchAll(options);
    }

    /** The child's job: execute one notebook, write it if asked, report; processes its cells started end with it. */
    private static int runHere(RunnerOptions options) {
        Path notebook = options.notebooks().get(0);
        String label = options.label() != null ? options.label() : notebook.toString();
        long start = System.nanoTime();
        ChildStatus status = ChildStatus.open(options.statusFile());
        RunWatch watch = new RunWatch(label, options.cellTimeoutSeconds(), options.notebookTimeoutSeconds(), status).start();
        try {
            Notebook document = Notebook.read(notebook);
            int cells = NotebookExecutor.execute(document, notebook.toAbsolutePath().getParent(), options.parameters(), watch);
            watch.done();
            RunWatch.endDescendants();
            Path target = options.inPlace() ? notebook : options.out() != null ? Path.of(options.out()) : null;
            if (target != null) {
                // what the outputs depend on, so that a stale committed notebook fails the build (StaleNotebooks)
                Fingerprint.record(document, notebook, options.parameters());
                document.write(target);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "executed %s in %.1f s, %d cells%n", label, seconds, cells);
            return 0;
        } catch (NotebookExecutionException e) {
            System.err.println("notebook " + label + ", " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            String cause = e.getCause() == null ? null : e.getCause().getMessage();
            System.err.println("notebook " + label + ": " + e.getMessage()
                    + (cause != null && !String.valueOf(e.getMessage()).contains(cause) ? " (" + cause + ")" : ""));
            return 1;
        } finally {
            watch.done();
            RunWatch.endDescendants();
            System.out.flush();
            System.err.flush();
            status.reported();
            status.close();
        }
    }

    private static int launchAll(RunnerOptions options) {
        int exitCode = 0;
        for (Path notebook : options.notebooks()) {
            Path absolute = notebook.toAbsolutePath().normalize();
            String refusal = refusal(options, notebook, absolute);
            if (refusal != null) {
                System.err.println(refusal);
                exitCode = 1;
                continue;
            }
            try {
                int code = ChildLauncher.launch(options, notebook, absolute);
                exitCode = Math.max(exitCode, code == 0 ? 0 : 1);
            } catch (IOException e) {
                System.err.println("notebook " + notebook + ": cannot start a JVM: " + e.getMessage());
                exitCode = 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        return exitCode;
    }

    /** Refuses, before anything runs, a notebook argument that cannot be run or written; null when it can. */
    private static String refusal(RunnerOptions options, Path notebook, Path absolute) {
        if (Files.isDirectory(absolute)) {
            return "notebook " + notebook + ": is a folder, not a notebook; give the .ipynb files, e.g. "
                    + notebook.resolve("*.ipynb");
        }
        if (!Files.exists(absolute)) {
            return "notebook " + notebook + ": no such file";
        }
        if (!Files.isRegularFile(absolute)) {
            return "notebook " + notebook + ": not a regular file (a pipe or a device?); give a .ipynb file";
        }
        if (options.inPlace()) {
            String permissions = readOnly(absolute);
            if (permissions != null) {
                return "notebook " + notebook + ": --in-place would replace " + notebook + ", but the file is read-only"
                        + permissions + "; make it writable (chmod u+w " + notebook + ") or write the result elsewhere with --out";
            }
        }
        return null;
    }

    /**
     * Null when the file may be replaced; else its permissions in parentheses, or "". The write bits count,
     * not only what this user may do: root may write anything, and a notebook marked read-only is not
     * to be replaced by root either.
     */
    private static String readOnly(Path file) {
        if (!Files.isWritable(file)) {
            return "";
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!permissions.contains(PosixFilePermission.OWNER_WRITE)) {
                return " (" + PosixFilePermissions.toString(permissions) + ")";
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: isWritable has answered
        }
        return null;
    }
}
