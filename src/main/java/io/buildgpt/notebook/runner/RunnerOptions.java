package io.buildgpt.notebook.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed command line. {@code --child}, {@code --label} and {@code --status-file} are internal: the
 * launcher passes them to the per-notebook JVM it starts.
 */
record RunnerOptions(Map<String, String> parameters, boolean inPlace, String out, List<String> jvmOptions,
                     List<Path> notebooks, boolean child, String label, Path statusFile, boolean help,
                     long cellTimeoutSeconds, long notebookTimeoutSeconds) {
    /** Default limits: generous for the project's notebooks on a small machine, finite so nothing hangs. */
    static final long DEFAULT_CELL_TIMEOUT = 1800, DEFAULT_NOTEBOOK_TIMEOUT = 3600;

    static final String USAGE = """
            usage: java -cp target/classes io.buildgpt.notebook.runner.NotebookRunner \\
                       [-p name=javaExpression]... [--in-place | --out <file-or-dir>] [-J<jvm-option>]... \\
                       [--cell-timeout <s>] [--notebook-timeout <s>] <notebook.ipynb>...

            Executes Java notebooks with the cell semantics of the IJava/JJava kernels, each notebook in a
            fresh JVM whose working directory is the notebook's folder.

              -p name=javaExpression  override a parameter: a cell "name = javaExpression;" tagged
                                      injected-parameters goes right after the cell tagged "parameters"
                                      (repeatable; replaces a cell injected by an earlier run)
              --in-place              write each executed notebook over its input file
              --out <file-or-dir>     write the executed notebook there; a folder when several notebooks
              -J<jvm-option>          pass an option to the notebook JVMs, e.g. -J-Xmx4g
              --cell-timeout <s>      stop a notebook whose cell runs longer than s seconds (default 1800;
                                      0: no limit)
              --notebook-timeout <s>  stop a notebook that runs longer than s seconds in all (default 3600;
                                      0: no limit)

            Without --in-place or --out the notebooks are executed as a check and nothing is written.
            When a cell fails, its notebook is not written: one line
              notebook <path>, cell <N> (<first line of the cell>): <error>
            goes to stderr (N counts all cells from 1) and the exit code is 1. The same holds for a cell
            that runs past a time limit, and for notebook code that ends the JVM (System.exit): that is a
            failure, never a success, and so is a notebook JVM that ends without finishing (Runtime.halt, or
            killed, e.g. by the out-of-memory killer): the line names the last cell started and the exit
            code or signal. A notebook's JVM ends when the runner that started it ends, and the processes
            its cells started end with the notebook.
            Usage errors exit with 2.
            """;

    static RunnerOptions parse(String... args) {
        Map<String, String> parameters = new LinkedHashMap<>();
        List<String> jvmOptions = new ArrayList<>();
        List<Path> notebooks = new ArrayList<>();
        boolean inPlace = false;
        boolean child = false;
        boolean help = false;
        String out = null;
        String label = null;
        Path statusFile = null;
        long cellTimeout = DEFAULT_CELL_TIMEOUT;
        long notebookTimeout = DEFAULT_NOTEBOOK_TIMEOUT;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-p", "--parameter" -> {
                    String assignment = value(args, ++i, arg);
                    int eq = assignment.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException(arg + " expects name=javaExpression, got \"" + assignment + "\"");
                    }
                    parameters.put(assignment.substring(0, eq).strip(), assignment.substring(eq + 1));
                }
                case "--in-place" -> inPlace = true;
                case "--out" -> out = value(args, ++i, arg);
                case "--child" -> child = true;
                case "--label" -> label = value(args, ++i, arg);
                case "--status-file" -> statusFile = Path.of(value(args, ++i, arg));
                case "--cell-timeout" -> cellTimeout = seconds(value(args, ++i, arg), arg);
                case "--notebook-timeout" -> notebookTimeout = seconds(value(args, ++i, arg), arg);
                case "-h", "--help" -> help = true;
                default -> {
                    if (arg.startsWith("-J") && arg.length() > 2) {
                        jvmOptions.add(arg.substring(2));
                    } else if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    } else {
                        notebooks.add(Path.of(arg));
                    }
                }
            }
        }
        if (inPlace && out != null) {
            throw new IllegalArgumentException("--in-place and --out exclude each other");
        }
        if (notebooks.isEmpty() && !help) {
            throw new IllegalArgumentException("no notebook given");
        }
        if (child && notebooks.size() != 1) {
            throw new IllegalArgumentException("--child runs exactly one notebook");
        }
        return new RunnerOptions(parameters, inPlace, out, jvmOptions, notebooks, child, label, statusFile, help,
                cellTimeout, notebookTimeout);
    }

    private static long seconds(String value, String option) {
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds >= 0 && seconds <= 365L * 24 * 3600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " expects a whole number of seconds (0: no limit), got \"" + value + "\"");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
