package io.buildgpt.json;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * The small JSON codec shared by the notebook runner (.ipynb files) and {@code TensorFile} headers, with the
 * JDK only (the runner may not depend on Jackson). It depends on nothing else in the project, so both the
 * model and the notebook packages can use it without depending on each other.
 *
 * <p>Values map to plain Java types: objects to {@link LinkedHashMap} (key order preserved, so a notebook
 * written back diffs cleanly), arrays to {@link List}, strings to {@link String}, integral numbers to
 * {@link Long} (or {@link Double} when they do not fit), other numbers to {@link Double}, true/false to
 * {@link Boolean} and null to {@code null}.
 */
public final class Json {
    private Json() {
    }

    /** Parses one JSON document; anything but whitespace after it is an error. */
    public static Object parse(String text) {
        return new JsonParser(text).parseDocument();
    }

    /**
     * Writes a value the way Jupyter writes notebooks ({@code json.dump(indent=1, ensure_ascii=False)}):
     * one-space indentation, {@code ": "} after keys, non-ASCII characters as themselves, and a trailing
     * newline. Keys keep their insertion order.
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        new JsonWriter(out).write(value, 0);
        return out.append('\n').toString();
    }
}
