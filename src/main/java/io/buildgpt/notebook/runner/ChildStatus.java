package io.buildgpt.notebook.runner;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a notebook's JVM tells its launcher through a small file: each cell it starts and finishes, and
 * that it has reported how the notebook ended (success or a failure line on stderr). A JVM that ends
 * without that report ({@code Runtime.halt}, a signal such as the out-of-memory killer's, a crash) runs
 * none of its own code at the end; the launcher then reads the file and names the cell itself.
 *
 * <p>Each line is written straight to the file (no buffer), so it survives the JVM being killed a moment later.
 */
final class ChildStatus implements AutoCloseable {
    /** For a child started without a status file: writes nothing. */
    static final ChildStatus NONE = new ChildStatus(null);

    private final OutputStream out;

    private ChildStatus(OutputStream out) {
        this.out = out;
    }

    static ChildStatus open(Path file) {
        if (file == null) {
            return NONE;
        }
        try {
            return new ChildStatus(new FileOutputStream(file.toFile(), true));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the runner's status file " + file + ": " + e.getMessage(), e);
        }
    }

    void started(int index, String firstLine) {
        write("start\t" + index + "\t" + firstLine.replace('\n', ' ') + "\n");
    }

    void finished(int index) {
        write("end\t" + index + "\n");
    }

    /** The child has printed its last word: whatever its exit code, the launcher adds nothing. */
    void reported() {
        write("reported\n");
    }

    private synchronized void write(String line) {
        if (out == null) {
            return;
        }
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the launcher then reports the end itself, with the last cell it read
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // nothing more will be written
            }
        }
    }

    /**
     * The launcher's side: null when the child reported its end; otherwise the line that reports it,
     * naming the last cell started and how the JVM ended.
     */
    static String unreportedEnd(Path file, String label, int exitCode) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String cell = null;
        boolean inCell = false;
        for (String line : lines) {
            String[] parts = line.split("\t", 3);
            switch (parts[0]) {
                case "reported" -> {
                    return null;
                }
                case "start" -> {
                    cell = parts.length == 3 ? "cell " + (Integer.parseInt(parts[1]) + 1) + " (" + parts[2] + ")" : null;
                    inCell = true;
                }
                case "end" -> inCell = false;
                default -> { } // a line cut short by the JVM's end
            }
        }
        String where = cell == null ? ": the notebook's JVM ended before its first cell"
                : ", " + cell + ": the notebook's JVM ended " + (inCell ? "in this cell" : "after this cell, before the next");
        return "notebook " + label + where + " (" + how(exitCode) + ") without finishing the notebook;"
                + " the remaining cells were not run and no notebook was written";
    }

    /** The exit code, and the signal it stands for when it is 128 + a signal number (as on Linux and macOS). */
    static String how(int exitCode) {
        if (exitCode <= 128 || exitCode > 128 + 64) {
            return "exit code " + exitCode;
        }
        int signal = exitCode - 128;
        String name = switch (signal) {
            case 1 -> ", SIGHUP";
            case 2 -> ", SIGINT";
            case 6 -> ", SIGABRT: a crash, see the hs_err_pid file in the notebook's folder";
            case 9 -> ", SIGKILL, as kill -9 and the out-of-memory killer send";
            case 11 -> ", SIGSEGV: a crash in native code, see the hs_err_pid file in the notebook's folder";
            case 15 -> ", SIGTERM";
            default -> "";
        };
        return "exit code " + exitCode + ": killed by signal " + signal + name;
    }
}
