package io.buildgpt.json;

import java.util.List;
import java.util.Map;

/** Pretty-prints JSON values in Jupyter's layout; see {@link Json#write(Object)}. */
final class JsonWriter {
    private final StringBuilder out;

    JsonWriter(StringBuilder out) {
        this.out = out;
    }

    void write(Object value, int indent) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            writeString(s);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Double || value instanceof Float) {
            writeFloating(((Number) value).doubleValue());
        } else if (value instanceof Number n) {
            out.append(n);
        } else if (value instanceof Map<?, ?> map) {
            writeObject(map, indent);
        } else if (value instanceof List<?> list) {
            writeArray(list, indent);
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private void writeObject(Map<?, ?> map, int indent) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys must be strings, not " + entry.getKey());
            }
            out.append(first ? "\n" : ",\n");
            first = false;
            indent(indent + 1);
            writeString(key);
            out.append(": ");
            write(entry.getValue(), indent + 1);
        }
        out.append('\n');
        indent(indent);
        out.append('}');
    }

    private void writeArray(List<?> list, int indent) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        for (Object item : list) {
            out.append(first ? "\n" : ",\n");
            first = false;
            indent(indent + 1);
            write(item, indent + 1);
        }
        out.append('\n');
        indent(indent);
        out.append(']');
    }

    private void writeFloating(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("JSON has no representation for " + d);
        }
        out.append(d); // Java's shortest round-trip form, e.g. 0.1 or 1.0E-5: both valid JSON numbers
    }

    private void writeString(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(s, i)) {
                        // A lone surrogate cannot be encoded as UTF-8; the escape keeps the file valid.
                        out.append("\\u%04x".formatted((int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    private void indent(int level) {
        out.append(" ".repeat(level));
    }
}
