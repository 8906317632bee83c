package io.buildgpt.notebook.runner;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Executes Java notebooks headless, as JupyterLab with the IJava/JJava kernel would; see
 * {@link RunnerOptions#USAGE}. Depends on the JDK only: notebooks bring their libraries with %classpath.
 *
 * <p>The launcher starts one child JVM per notebook (same java binary, the runner's class path, working
 * directory = the notebook's folder): notebooks are independent, and ND4J's native libraries can only be
 * loaded once per JVM.
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

    /** The child's job: execute one notebook, write it if asked, report. */
    private static int runHere(RunnerOptions options) {
        Path notebook = options.notebooks().get(0);
        String label = options.label() != null ? options.label() : notebook.toString();
        long start = System.nanoTime();
        try {
            Notebook document = Notebook.read(notebook);
            int cells = NotebookExecutor.execute(document, notebook.toAbsolutePath().getParent(), options.parameters());
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
            System.err.println("notebook " + label + ": " + e.getMessage());
            return 1;
        }
    }

    private static int launchAll(RunnerOptions options) {
        int exitCode = 0;
        for (Path notebook : options.notebooks()) {
            Path absolute = notebook.toAbsolutePath().normalize();
            if (!Files.isRegularFile(absolute)) {
                System.err.println("notebook " + notebook + ": no such file");
                exitCode = 1;
                continue;
            }
            try {
                int code = launch(options, notebook, absolute);
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

    private static int launch(RunnerOptions options, Path notebook, Path absolute) throws IOException, InterruptedException {
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
        Process process = new ProcessBuilder(command).directory(absolute.getParent().toFile()).inheritIO().start();
        return process.waitFor();
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
