package io.buildgpt.notebook.runner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The last characters of a cell's stream output once its saved head is full, as (stream, text) chunks in
 * the order they were printed, and a count of what fell out between the head and them. Each character is
 * copied a bounded number of times, so keeping the tail of any amount of output takes linear time.
 */
final class OutputTail {
    /** Stream text in print order: {@code name} is "stdout" or "stderr". */
    record Chunk(String name, String text) {
    }

    private final int capacity;
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private int firstOffset; // characters of the first chunk already fallen out
    private long size;       // characters kept: all chunks less firstOffset
    private long leftOut;
    private String firstName;

    OutputTail(int capacity) {
        this.capacity = capacity;
    }

    boolean isEmpty() {
        return firstName == null;
    }

    /** The stream whose text was the first to overflow the head: the note goes there. */
    String firstName() {
        return firstName;
    }

    void add(String name, String text) {
        if (firstName == null) {
            firstName = name;
        }
        if (text.length() >= capacity) {
            leftOut += size + text.length() - capacity;
            chunks.clear();
            firstOffset = 0;
            size = capacity;
            chunks.add(new Chunk(name, text.substring(text.length() - capacity)));
            return;
        }
        chunks.add(new Chunk(name, text));
        size += text.length();
        while (size > capacity) {
            Chunk first = chunks.peekFirst();
            int available = first.text().length() - firstOffset;
            long excess = size - capacity;
            if (available <= excess) {
                chunks.removeFirst();
                firstOffset = 0;
                size -= available;
                leftOut += available;
            } else {
                firstOffset += (int) excess;
                size -= excess;
                leftOut += excess;
            }
        }
    }

    /** The kept chunks, the first one trimmed (never starting inside a surrogate pair); empties the tail. */
    List<Chunk> drain() {
        List<Chunk> kept = new ArrayList<>();
        for (Chunk chunk : chunks) {
            String text = chunk.text();
            if (kept.isEmpty()) {
                int from = firstOffset;
                if (from < text.length() && Character.isLowSurrogate(text.charAt(from))) {
                    from++;
                    leftOut++;
                }
                text = text.substring(from);
            }
            if (!text.isEmpty()) {
                kept.add(new Chunk(chunk.name(), text));
            }
        }
        chunks.clear();
        firstOffset = 0;
        size = 0;
        firstName = null;
        return kept;
    }

    /** The line that stands where text was left out; call after {@link #drain()}, it resets the count. */
    String note(int head) {
        String note = String.format(Locale.ROOT, "[... output cut: %,d characters left out here; the saved notebook"
                + " keeps the first %,d and the last %,d characters of a cell's output ...]\n", leftOut, head, capacity);
        leftOut = 0;
        return note;
    }
}
