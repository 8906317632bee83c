package io.buildgpt.notebook.runner;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Why a cell failed, in the three parts of an nbformat error output, plus a one-line summary for the
 * runner's report.
 */
final class CellFailure extends Exception {
    private final String ename;
    private final String evalue;
    private final List<String> traceback;
    private final String summary;

    CellFailure(String ename, String evalue, List<String> traceback) {
        this(ename, evalue, traceback, (ename + ": " + evalue).replace('\n', ' ').strip());
    }

    private CellFailure(String ename, String evalue, List<String> traceback, String summary) {
        super(summary);
        this.ename = ename;
        this.evalue = evalue;
        this.traceback = List.copyOf(traceback);
        this.summary = summary;
    }

    /**
     * A snippet JShell refused to compile. The output holds the full diagnostics (source line and caret);
     * the summary holds their messages only, as "compile error: ...".
     */
    static CellFailure compileError(String diagnostics, List<String> messages) {
        String summary = "compile error: " + String.join("; ", messages).replace('\n', ' ');
        return new CellFailure("CompilationException", diagnostics, List.of(diagnostics.split("\n")), summary);
    }

    static CellFailure compileError(String message) {
        return compileError(message, List.of(message));
    }

    /** A magic line that could not be carried out. */
    static CellFailure magicError(String message) {
        return new CellFailure("MagicException", message, List.of(message));
    }

    /** An exception thrown by notebook code; the summary names every cause. */
    static CellFailure thrown(Throwable t) {
        StringBuilder value = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable cause = t.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            value.append("; caused by ").append(cause);
        }
        return new CellFailure(t.getClass().getName(), value.toString(), trimmedStackTrace(t));
    }

    String ename() {
        return ename;
    }

    String evalue() {
        return evalue;
    }

    List<String> traceback() {
        return traceback;
    }

    /** "ename: evalue" on one line, for the report on stderr. */
    String summary() {
        return summary;
    }

    /**
     * The stack trace without the runner's and JShell's frames below the snippet: a reader wants the
     * notebook's frames, not reflection plumbing. Cause sections are kept whole.
     */
    private static List<String> trimmedStackTrace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        List<String> lines = new ArrayList<>();
        boolean skipping = false;
        for (String line : text.toString().split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("Caused by:") || trimmed.startsWith("Suppressed:")) {
                skipping = false;
            }
            if (!skipping) {
                lines.add(line);
            }
            if (trimmed.startsWith("at ") && trimmed.contains(".do_it$(")) {
                skipping = true;
            }
        }
        return lines;
    }
}
