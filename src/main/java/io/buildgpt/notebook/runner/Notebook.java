package io.buildgpt.notebook.runner;

import io.buildgpt.json.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import io.buildgpt.files.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * An nbformat 4 document held as parsed JSON, with the look-ups that runners and tests need.
 * The underlying maps are live: changes through {@link #document()} are what gets written.
 */
public final class Notebook {
    private final Map<String, Object> document;

    private Notebook(Map<String, Object> document) {
        this.document = document;
    }

    public static Notebook parse(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> map) || !(map.get("cells") instanceof List<?>)) {
            throw new IllegalArgumentException("not a Jupyter notebook: the top level needs a \"cells\" array");
        }
        List<?> cells = (List<?>) map.get("cells");
        for (int i = 0; i < cells.size(); i++) {
            if (!(cells.get(i) instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("cell " + (i + 1) + " is " + describe(cells.get(i))
                        + ", not a JSON object: every entry of \"cells\" must be an object with \"cell_type\" and \"source\""
                        + " (was the file edited by hand?)");
            }
            checkSource(i, ((Map<?, ?>) cells.get(i)).get("source"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> document = (Map<String, Object>) map;
        return new Notebook(document);
    }

    /** nbformat: a cell's source is a string or a list of strings (lines); anything else would run as its toString. */
    private static void checkSource(int index, Object source) {
        String wrong = null;
        if (source instanceof List<?> lines) {
            for (Object line : lines) {
                if (!(line instanceof String)) {
                    wrong = "a list holding " + describe(line);
                    break;
                }
            }
        } else if (source != null && !(source instanceof String)) {
            wrong = describe(source);
        }
        if (wrong != null) {
            throw new IllegalArgumentException("cell " + (index + 1) + ": source must be a string or a list of strings, not "
                    + wrong + " (was the file edited by hand?)");
        }
    }

    private static String describe(Object value) {
        return value == null ? "null" : value instanceof String ? "a string" : value instanceof List<?> ? "an array"
                : value instanceof Map<?, ?> ? "an object" : value instanceof Boolean ? "a boolean" : "a number";
    }

    /**
     * Reads a notebook file, which Jupyter always writes as UTF-8. A UTF-16 or UTF-32 file (with or without a
     * byte-order mark), a Latin-1 / Windows-1252 one, or one with NUL bytes is refused with a message saying
     * so and how to convert it.
     */
    public static Notebook read(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a folder, not a notebook; give a .ipynb file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UncheckedIOException("cannot read notebook " + file + ": access denied; check the file's permissions", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read notebook " + file + ": " + e, e);
        }
        String text = NotebookText.decode(bytes, file);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public Map<String, Object> document() {
        return document;
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> cells() {
        return (List<Map<String, Object>>) document.get("cells");
    }

    public Map<String, Object> cell(int index) {
        return cells().get(index);
    }

    public String cellType(int index) {
        return String.valueOf(cell(index).get("cell_type"));
    }

    /** The cell's source as one string (nbformat allows a string or a list of lines). */
    public String source(int index) {
        return Outputs.joined(cell(index).get("source"));
    }

    @SuppressWarnings("unchecked")
    public List<String> tags(int index) {
        if (cell(index).get("metadata") instanceof Map<?, ?> metadata && metadata.get("tags") instanceof List<?> tags) {
            return (List<String>) tags;
        }
        return List.of();
    }

    /** Index of the first cell carrying the tag, or -1. */
    public int indexOfTagged(String tag) {
        for (int i = 0; i < cells().size(); i++) {
            if (tags(i).contains(tag)) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first cell whose source contains the text, or -1; handy for tests. */
    public int indexOfCellContaining(String text) {
        for (int i = 0; i < cells().size(); i++) {
            if (source(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    /** The execution count of a code cell, or null when it was not executed. */
    public Long executionCount(int index) {
        return cell(index).get("execution_count") instanceof Number n ? n.longValue() : null;
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> outputs(int index) {
        Object outputs = cell(index).get("outputs");
        return outputs instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    /**
     * All text a reader sees below the cell, in order: stream text, the text/plain of results and
     * displays, and for errors "ename: evalue".
     */
    public String text(int index) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> output : outputs(index)) {
            switch (String.valueOf(output.get("output_type"))) {
                case "stream" -> sb.append(Outputs.joined(output.get("text")));
                case "execute_result", "display_data" -> {
                    if (output.get("data") instanceof Map<?, ?> data && data.containsKey("text/plain")) {
                        sb.append(Outputs.joined(data.get("text/plain"))).append('\n');
                    }
                }
                case "error" -> sb.append(output.get("ename")).append(": ").append(output.get("evalue")).append('\n');
                default -> { }
            }
        }
        return sb.toString();
    }

    /** The text of the stream outputs with the given name ("stdout" or "stderr"). */
    public String stream(int index, String name) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> output : outputs(index)) {
            if ("stream".equals(output.get("output_type")) && name.equals(output.get("name"))) {
                sb.append(Outputs.joined(output.get("text")));
            }
        }
        return sb.toString();
    }

    /** The image/png outputs of the cell, decoded. */
    public List<BufferedImage> images(int index) {
        List<BufferedImage> images = new ArrayList<>();
        for (Map<String, Object> output : outputs(index)) {
            if (output.get("data") instanceof Map<?, ?> data && data.get("image/png") != null) {
                String base64 = Outputs.joined(data.get("image/png")).replaceAll("\\s", "");
                try {
                    images.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64))));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot decode the image/png of cell " + index, e);
                }
            }
        }
        return images;
    }

    public String toJson() {
        return Json.write(document);
    }

    /**
     * Writes the notebook so that readers never see half a file: a temporary file in the same folder is
     * moved over the target (see {@link AtomicFiles}: fsync first, the previous file's permissions kept),
     * and if anything fails the previous file is left as it was.
     */
    public void write(Path target) {
        try {
            AtomicFiles.write(target, toJson().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write notebook " + target + ": " + e.getMessage(), e);
        }
    }
}
