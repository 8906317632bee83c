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
 * <p>Stream text is appended in linear time. A cell's saved stream output keeps its first
 * {@link #HEAD_CHARS} and last {@link #TAIL_CHARS} characters, with a note where text was left out (as
 * Jupyter front ends cut long output), so a cell printing megabytes neither slows the run nor bloats the file.
 *
 * <p>Synchronized because notebook code may print from other threads (parallel streams, executors).
 */
final class OutputRecorder {
    private final Map<String, Map<String, Object>> displays = new HashMap<>();
    private List<Map<String, Object>> outputs = new ArrayList<>();
    private int nextDisplayId = 1;
    private volatile Capture activeCapture;
    /** Characters of stream output a cell keeps before, and after, the text that is left out. */
    static final int HEAD_CHARS = 200_000, TAIL_CHARS = 50_000;
    private final int headChars;
    private final OutputTail tail;
    private long headUsed;

    OutputRecorder() {
        this(HEAD_CHARS, TAIL_CHARS);
    }

    /** With other limits than the defaults, for tests. */
    OutputRecorder(int headChars, int tailChars) {
        this.headChars = headChars;
        this.tail = new OutputTail(tailChars);
    }

    /** Starts recording into the outputs list of a cell. */
    synchronized void startCell(List<Map<String, Object>> cellOutputs) {
        outputs = cellOutputs;
        headUsed = 0;
    }

    /** Ends the cell: stream text gets Jupyter's list-of-lines form. */
    synchronized void finishCell() {
        flushTail();
        for (Map<String, Object> output : outputs) {
            if ("stream".equals(output.get("output_type")) && output.get("text") instanceof StringBuilder text) {
                output.put("text", Outputs.lines(text.toString()));
            }
        }
        outputs = new ArrayList<>();
    }

    /** Records stream text: into the cell's head while it has room, then into the tail. */
    synchronized void stream(String name, String text) {
        if (text.isEmpty()) {
            return;
        }
        long room = headChars - headUsed;
        if (room >= text.length()) {
            append(name, text);
            headUsed += text.length();
            return;
        }
        int cut = (int) Math.max(0, room);
        if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--; // never split a character
        }
        if (cut > 0) {
            append(name, text.substring(0, cut));
        }
        headUsed = headChars;
        tail.add(name, text.substring(cut));
    }

    /** Appends to the last output when it is the same stream (a StringBuilder until the cell ends). */
    private void append(String name, String text) {
        if (!outputs.isEmpty()) {
            Map<String, Object> last = outputs.get(outputs.size() - 1);
            if ("stream".equals(last.get("output_type")) && name.equals(last.get("name"))
                    && last.get("text") instanceof StringBuilder previous) {
                previous.append(text);
                return;
            }
        }
        outputs.add(Outputs.stream(name, new StringBuilder(text)));
    }

    /** Puts the note and the kept tail where the left-out text was, before whatever output comes next. */
    private void flushTail() {
        if (tail.isEmpty()) {
            return;
        }
        String name = tail.firstName();
        List<OutputTail.Chunk> kept = tail.drain();
        Map<String, Object> last = outputs.isEmpty() ? null : outputs.get(outputs.size() - 1);
        boolean midLine = last != null && name.equals(last.get("name")) && last.get("text") instanceof StringBuilder text
                && text.length() > 0 && text.charAt(text.length() - 1) != '\n';
        append(name, (midLine ? "\n" : "") + tail.note(headChars));
        for (OutputTail.Chunk chunk : kept) {
            append(chunk.name(), chunk.text());
        }
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
        flushTail();
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
