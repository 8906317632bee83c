package io.buildgpt.notebook.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds cell outputs in nbformat 4 shape. Keys are inserted in sorted order and multi-line text is
 * stored as a list of lines, both as Jupyter itself saves them, so a notebook executed here diffs
 * cleanly against one saved from JupyterLab.
 */
final class Outputs {
    private Outputs() {
    }

    /** The text is a String, or a StringBuilder while its cell is running (see {@link OutputRecorder}). */
    static Map<String, Object> stream(String name, CharSequence text) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("name", name);
        output.put("output_type", "stream");
        output.put("text", text);
        return output;
    }

    static Map<String, Object> executeResult(Map<String, Object> data, int executionCount) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("data", data);
        output.put("execution_count", (long) executionCount);
        output.put("metadata", new LinkedHashMap<>());
        output.put("output_type", "execute_result");
        return output;
    }

    static Map<String, Object> displayData(Map<String, Object> data) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("data", data);
        output.put("metadata", new LinkedHashMap<>());
        output.put("output_type", "display_data");
        return output;
    }

    static Map<String, Object> error(String ename, String evalue, List<String> traceback) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("ename", ename);
        output.put("evalue", evalue);
        output.put("output_type", "error");
        output.put("traceback", new ArrayList<Object>(traceback));
        return output;
    }

    /** Splits text into lines that keep their line ends, like Python's {@code splitlines(keepends=True)} for '\n'. */
    static List<Object> lines(String text) {
        List<Object> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    /** nbformat "multiline strings" are either one string or a list of strings to concatenate. */
    static String joined(Object multiline) {
        if (multiline == null) {
            return "";
        }
        if (multiline instanceof List<?> parts) {
            StringBuilder sb = new StringBuilder();
            for (Object part : parts) {
                sb.append(part);
            }
            return sb.toString();
        }
        return multiline.toString();
    }
}
