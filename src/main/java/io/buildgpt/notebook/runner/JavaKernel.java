package io.buildgpt.notebook.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * One notebook's Java session with IJava/JJava cell semantics: leading %line magics, then the cell is split
 * into JShell snippets and evaluated in order; the value of a final expression is the cell's result.
 */
final class JavaKernel implements AutoCloseable {
    /** Private System property keys through which the helper snippets reach the runner (JDK types only). */
    private static final String DISPLAY_KEY = "io.buildgpt.notebook.runner.display";
    private static final String UPDATE_KEY = "io.buildgpt.notebook.runner.updateDisplay";

    /** The imports IJava evaluates at start-up, so notebooks written there compile here. */
    private static final List<String> STARTUP = List.of(
            "import java.util.*;",
            "import java.io.*;",
            "import java.math.*;",
            "import java.net.*;",
            "import java.util.concurrent.*;",
            "import java.util.prefs.*;",
            "import java.util.regex.*;",
            "String display(Object value) {\n"
                    + "    @SuppressWarnings(\"unchecked\") java.util.function.Function<Object, Object> f =\n"
                    + "        (java.util.function.Function<Object, Object>) System.getProperties().get(\"" + DISPLAY_KEY + "\");\n"
                    + "    return (String) f.apply(value);\n"
                    + "}",
            "void updateDisplay(String id, Object value) {\n"
                    + "    @SuppressWarnings(\"unchecked\") java.util.function.BiConsumer<Object, Object> f =\n"
                    + "        (java.util.function.BiConsumer<Object, Object>) System.getProperties().get(\"" + UPDATE_KEY + "\");\n"
                    + "    f.accept(id, value);\n"
                    + "}");

    /** The value of a cell's final expression; {@code value} may itself be null. */
    record Result(Object value) {
    }

    private final Path notebookDir;
    private final SnippetLoaderDelegate loader = new SnippetLoaderDelegate();
    private final ValueKeepingExecutionControl control = new ValueKeepingExecutionControl(loader);
    private final JShell shell;

    JavaKernel(Path notebookDir, OutputRecorder recorder) {
        this.notebookDir = notebookDir.toAbsolutePath();
        Function<Object, Object> display = recorder::display;
        BiConsumer<Object, Object> update = (id, value) -> recorder.updateDisplay(String.valueOf(id), value);
        System.getProperties().put(DISPLAY_KEY, display);
        System.getProperties().put(UPDATE_KEY, update);
        this.shell = startShell();
    }

    /**
     * JShell's compiler takes its default class path from the java.class.path property when it first
     * compiles, which would let notebook code compile against the runner's own classes (and then fail at
     * run time, since the snippet loader cannot see them). Blanking the property while the shell is built
     * and compiles its start-up snippets gives the compiler what the class loader has: the JDK and whatever
     * %classpath adds.
     */
    private JShell startShell() {
        String classPath = System.getProperty("java.class.path");
        System.setProperty("java.class.path", "");
        try {
            JShell started = JShell.builder()
                    .executionEngine(new ValueKeepingExecutionControl.Provider(control), Map.of())
                    .build();
            for (String snippet : STARTUP) {
                List<SnippetEvent> events = started.eval(snippet);
                if (events.isEmpty() || !events.get(0).status().isDefined()) {
                    throw new IllegalStateException("the runner's start-up snippet failed: " + firstLine(snippet));
                }
            }
            return started;
        } finally {
            System.setProperty("java.class.path", classPath);
        }
    }

    /** Runs one cell; returns its result, or null when the cell does not end in a value. */
    Result execute(String source) throws CellFailure {
        String[] lines = source.split("\n", -1);
        int first = 0;
        while (first < lines.length) {
            String line = lines[first].strip();
            if (line.startsWith("%%")) {
                throw CellFailure.magicError("cell magic " + line.split("\\s+")[0] + " is not supported by this runner");
            }
            if (!line.isEmpty() && !line.startsWith("%")) {
                break;
            }
            if (!line.isEmpty()) {
                lineMagic(line.substring(1));
            }
            first++;
        }
        String code = String.join("\n", List.of(lines).subList(first, lines.length));
        return evalCode(code);
    }

    private void lineMagic(String magic) throws CellFailure {
        String[] parts = magic.strip().split("\\s+", 2);
        if (!parts[0].equals("classpath")) {
            throw CellFailure.magicError("unknown line magic %" + parts[0] + " (this runner supports %classpath)");
        }
        for (Path path : ClasspathMagic.resolve(parts.length > 1 ? parts[1] : "", notebookDir)) {
            shell.addToClasspath(path.toString()); // both the compiler and the snippet class loader
        }
    }

    private Result evalCode(String code) throws CellFailure {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        Result result = null;
        String remaining = code;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (!info.completeness().isComplete()) {
                throw CellFailure.compileError("incomplete code at the end of the cell: " + firstLine(remaining));
            }
            result = evalSnippet(info.source());
            remaining = info.remaining();
        }
        return result;
    }

    private Result evalSnippet(String source) throws CellFailure {
        control.reset();
        List<SnippetEvent> events = shell.eval(source);
        SnippetEvent event = events.stream().filter(e -> e.causeSnippet() == null).findFirst()
                .orElseThrow(() -> CellFailure.compileError("JShell did not evaluate: " + firstLine(source)));
        if (event.exception() != null) {
            throw runtimeFailure(event.exception());
        }
        Snippet snippet = event.snippet();
        if (!event.status().isDefined()) {
            throw diagnostics(snippet);
        }
        return switch (snippet.subKind()) {
            // An assignment is not shown, as in IJava; a bare variable, a method call or any other
            // expression with a value is.
            case VAR_VALUE_SUBKIND, OTHER_EXPRESSION_SUBKIND, TEMP_VAR_EXPRESSION_SUBKIND ->
                    control.hasValue() ? new Result(control.lastValue()) : null;
            default -> null;
        };
    }

    private CellFailure runtimeFailure(JShellException exception) {
        if (control.lastThrown() != null) {
            return CellFailure.thrown(control.lastThrown());
        }
        if (exception instanceof UnresolvedReferenceException unresolved) {
            DeclarationSnippet declaration = unresolved.getSnippet();
            String missing = shell.unresolvedDependencies(declaration).collect(Collectors.joining(", "));
            String message = "cannot use " + firstLine(declaration.source()) + " until " + missing + " is defined";
            return new CellFailure("UnresolvedReferenceException", message, List.of(message));
        }
        if (exception instanceof EvalException eval) {
            return new CellFailure(eval.getExceptionClassName(), String.valueOf(eval.getMessage()),
                    List.of(eval.getExceptionClassName() + ": " + eval.getMessage()));
        }
        return CellFailure.thrown(exception);
    }

    /** javac's messages, each with the offending line and a caret, like the jshell tool shows them. */
    private CellFailure diagnostics(Snippet snippet) {
        StringBuilder sb = new StringBuilder();
        List<String> messages = new ArrayList<>();
        String source = snippet.source();
        for (Diag diag : shell.diagnostics(snippet).filter(Diag::isError).toList()) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            messages.add(diag.getMessage(Locale.ROOT));
            sb.append(diag.getMessage(Locale.ROOT));
            int position = (int) Math.max(0, Math.min(diag.getPosition(), source.length()));
            int lineStart = source.lastIndexOf('\n', position - 1) + 1;
            int lineEnd = source.indexOf('\n', position);
            String line = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
            sb.append('\n').append(line).append('\n').append(" ".repeat(position - lineStart)).append('^');
        }
        if (snippet instanceof DeclarationSnippet declaration) {
            String missing = shell.unresolvedDependencies(declaration).collect(Collectors.joining(", "));
            if (!missing.isEmpty()) {
                sb.append(sb.length() > 0 ? "\n" : "").append("unresolved: ").append(missing);
                messages.add("unresolved: " + missing);
            }
        }
        return sb.length() > 0 ? CellFailure.compileError(sb.toString(), messages)
                : CellFailure.compileError("JShell rejected: " + firstLine(source));
    }

    static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("");
    }

    @Override
    public void close() {
        shell.close();
        System.getProperties().remove(DISPLAY_KEY);
        System.getProperties().remove(UPDATE_KEY);
        try {
            loader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the notebook class loader", e);
        }
    }
}
