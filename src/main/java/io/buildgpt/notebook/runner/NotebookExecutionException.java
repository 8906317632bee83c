package io.buildgpt.notebook.runner;

/**
 * A cell failed. The message reads {@code cell <N> (<first line of the cell>): <error>}, N counting all
 * cells from 1 in the executed notebook (an injected parameters cell included). The notebook, with the
 * error output recorded in that cell, stays available for inspection.
 */
public final class NotebookExecutionException extends RuntimeException {
    private final transient Notebook notebook;
    private final int cellIndex;
    private final String error;

    NotebookExecutionException(Notebook notebook, int cellIndex, String firstLine, String error, Throwable cause) {
        super("cell " + (cellIndex + 1) + " (" + firstLine + "): " + error, cause);
        this.notebook = notebook;
        this.cellIndex = cellIndex;
        this.error = error;
    }

    /** The partly executed notebook, outputs up to and including the failed cell. */
    public Notebook notebook() {
        return notebook;
    }

    /** Index of the failed cell in {@link Notebook#cells()}, from 0. */
    public int cellIndex() {
        return cellIndex;
    }

    /** The error alone: diagnostics, or the exception class, message and causes. */
    public String error() {
        return error;
    }
}
