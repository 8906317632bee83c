package io.buildgpt.notebook.runner;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the outputs of the cell that is running: stdout/stderr text, displays, the result and errors,
 * in the order they happen. Displays stay addressable by id after their cell ends, so a later cell can
 * update them (what nbclient does on an update_display_data message).
 *
 * <p>Synchronized because notebook code may print from other threads (parallel streams, executors).
 */
final class OutputRecorder {
    private final Map<String, Map<String, Object>> displays = new HashMap<>();
    private List<Map<String, Object>> outputs = new ArrayList<>();
    private int nextDisplayId = 1;
    private volatile Capture activeCapture;

    /** Starts recording into the outputs list of a cell. */
    synchronized void startCell(List<Map<String, Object>> cellOutputs) {
        outputs = cellOutputs;
    }

    /** Ends the cell: stream text gets Jupyter's list-of-lines form. */
    synchronized void finishCell() {
        for (Map<String, Object> output : outputs) {
            if ("stream".equals(output.get("output_type")) && output.get("text") instanceof String text) {
                output.put("text", Outputs.lines(text));
            }
        }
        outputs = new ArrayList<>();
    }

    /** Appends stream text, merging with the previous output when it is the same stream. */
    synchronized void stream(String name, String text) {
        if (text.isEmpty()) {
            return;
        }
        if (!outputs.isEmpty()) {
            Map<String, Object> last = outputs.get(outputs.size() - 1);
            if ("stream".equals(last.get("output_type")) && name.equals(last.get("name"))
                    && last.get("text") instanceof String previous) {
                last.put("text", previous + text);
                return;
            }
        }
        outputs.add(Outputs.stream(name, text));
    }

    synchronized String display(Object value) {
        drainStreams();
        Map<String, Object> output = Outputs.displayData(MimeRenderer.render(value));
        String id = "display-" + nextDisplayId++;
        displays.put(id, output);
        outputs.add(output);
        return id;
    }

    synchronized void updateDisplay(String id, Object value) {
        Map<String, Object> output = displays.get(id);
        if (output == null) {
            throw new IllegalArgumentException("no display with id \"" + id + "\"; use the id display(...) returned");
        }
        output.put("data", MimeRenderer.render(value));
    }

    synchronized void result(Object value, int executionCount) {
        drainStreams();
        outputs.add(Outputs.executeResult(MimeRenderer.render(value), executionCount));
    }

    synchronized void error(CellFailure failure) {
        drainStreams();
        outputs.add(Outputs.error(failure.ename(), failure.evalue(), failure.traceback()));
    }

    /** Text printed without a newline is still pending; it belongs before whatever comes next. */
    private void drainStreams() {
        if (activeCapture != null) {
            activeCapture.flush();
        }
    }

    /**
     * Points System.out and System.err at this recorder until closed. Notebook classes see the swap
     * because they share java.lang.System with the runner.
     */
    Capture capture() {
        return new Capture();
    }

    final class Capture implements AutoCloseable {
        private final PrintStream savedOut = System.out;
        private final PrintStream savedErr = System.err;
        private final StreamBuffer outBuffer = new StreamBuffer("stdout");
        private final StreamBuffer errBuffer = new StreamBuffer("stderr");

        private Capture() {
            outBuffer.other = errBuffer;
            errBuffer.other = outBuffer;
            System.setOut(new PrintStream(outBuffer, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBuffer, true, StandardCharsets.UTF_8));
            activeCapture = this;
        }

        /** Pushes pending bytes into the outputs, e.g. before a display so the order stays right. */
        void flush() {
            outBuffer.drain();
            errBuffer.drain();
        }

        @Override
        public void close() {
            flush();
            System.setOut(savedOut);
            System.setErr(savedErr);
            activeCapture = null;
        }
    }

    /**
     * Holds a stream's bytes until the other stream writes or someone asks for them, so that a UTF-8
     * character split across two writes is still decoded whole.
     */
    private final class StreamBuffer extends OutputStream {
        private final String name;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private StreamBuffer other;

        StreamBuffer(String name) {
            this.name = name;
        }

        @Override
        public void write(int b) {
            synchronized (OutputRecorder.this) {
                other.drain();
                pending.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (OutputRecorder.this) {
                other.drain();
                pending.write(b, off, len);
            }
        }

        @Override
        public void flush() {
            drain();
        }

        void drain() {
            synchronized (OutputRecorder.this) {
                if (pending.size() > 0) {
                    String text = pending.toString(StandardCharsets.UTF_8);
                    pending.reset();
                    stream(name, text);
                }
            }
        }
    }
}
