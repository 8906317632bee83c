package io.buildgpt.notebook.runner;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The child JVM's guard against hangs and silent exits, one per executed notebook:
 * <ul>
 *   <li>a cell running longer than the per-cell limit, or the notebook longer than its limit, ends the
 *       JVM with exit code 1 after one line naming the notebook, the cell and its first line;</li>
 *   <li>notebook code that ends the JVM ({@code System.exit(0)} in a cell or in a {@code -p} expression,
 *       or a signal) is reported the same way and turned into exit code 1: nothing is written, and the
 *       remaining cells are said not to have run;</li>
 *   <li>when the runner that started this JVM ends (even killed with SIGKILL), this JVM ends too, so
 *       no orphan keeps a core busy;</li>
 *   <li>whichever of these ends the JVM, the processes that notebook code started end first.</li>
 * </ul>
 * Each cell started and finished, and the final report, go to the launcher's {@link ChildStatus} file.
 * Limits are in seconds; 0 means none. The watchdog checks ten times a second.
 */
final class RunWatch implements NotebookExecutor.CellListener {
    private static final long POLL_MILLIS = 100;
    private final String label;
    private final long cellLimitNanos, notebookLimitNanos;
    private final long cellLimitSeconds, notebookLimitSeconds;
    private final long notebookStart = System.nanoTime();
    private final PrintStream err = System.err; // notebook code may replace System.err; report to the real one
    private volatile int cell = -1;
    private volatile String firstLine = "";
    private volatile long cellStart;
    private volatile boolean done;
    private final ChildStatus status;

    RunWatch(String label, long cellLimitSeconds, long notebookLimitSeconds, ChildStatus status) {
        this.label = label;
        this.status = status;
        this.cellLimitSeconds = cellLimitSeconds;
        this.notebookLimitSeconds = notebookLimitSeconds;
        this.cellLimitNanos = cellLimitSeconds * 1_000_000_000L;
        this.notebookLimitNanos = notebookLimitSeconds * 1_000_000_000L;
    }

    /** Starts the watchdog, the exit guard and the parent watch; returns this. */
    RunWatch start() {
        Thread watchdog = new Thread(this::watch, "notebook-runner-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::onExit, "notebook-runner-exit-guard"));
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            if (!done) {
                stop(where() + "the runner that started this JVM ended, so this notebook's JVM stops too");
            }
        }));
        return this;
    }

    @Override
    public void cellStarted(int index, String source) {
        firstLine = JavaKernel.firstLine(source);
        cellStart = System.nanoTime();
        cell = index;
        status.started(index, firstLine);
    }

    @Override
    public void cellFinished(int index) {
        cell = -1;
        status.finished(index);
    }

    /** Ends, at once, every process this JVM started and their descendants (notebook code's {@code sleep}, servers...). */
    static void endDescendants() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** The runner's own code is ending the JVM from here on: exits are no longer the notebook's doing. */
    void done() {
        done = true;
    }

    private void watch() {
        while (!done) {
            long now = System.nanoTime();
            if (cellLimitNanos > 0 && cell >= 0 && now - cellStart > cellLimitNanos) {
                stop(where() + String.format(Locale.ROOT, "timed out after %d s, the limit per cell;"
                        + " raise it with --cell-timeout SECONDS (0: no limit)", cellLimitSeconds));
            }
            if (notebookLimitNanos > 0 && now - notebookStart > notebookLimitNanos) {
                stop(where() + String.format(Locale.ROOT, "timed out: the notebook ran for %d s, its limit;"
                        + " raise it with --notebook-timeout SECONDS (0: no limit)", notebookLimitSeconds));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void onExit() {
        if (!done) {
            done = true;
            endDescendants();
            err.println(where() + "the notebook's code ended the JVM (System.exit, or a signal) before the last cell;"
                    + " the remaining cells were not run and no notebook was written");
            err.flush();
            status.reported();
            Runtime.getRuntime().halt(1);
        }
    }

    private String where() {
        int index = cell;
        return "notebook " + label + (index >= 0 ? ", cell " + (index + 1) + " (" + firstLine + "): " : ": ");
    }

    /** Reports and ends the JVM at once: a cell stuck in a loop cannot be interrupted any other way. */
    private void stop(String message) {
        done = true;
        endDescendants();
        err.println(message);
        err.flush();
        status.reported();
        Runtime.getRuntime().halt(1);
    }
}
