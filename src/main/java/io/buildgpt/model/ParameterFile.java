package io.buildgpt.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Saves and loads parameters in a format any language can read in a few lines (see
 * {@code src/bench/gpt_parity.py}):
 * <ol>
 *   <li>one line of JSON, UTF-8, ending in {@code '\n'}:
 *       {@code {"format": "buildgpt-parameters", "version": 1, "dtype": "float32", "byte_order": "little",
 *       "tensors": [{"name": "token_embedding_table.weight", "shape": [65, 64]}, ...]}};</li>
 *   <li>then every tensor's values, row-major little-endian float32, in the header's order.</li>
 * </ol>
 * Names are the PyTorch state_dict keys, so {@code model.load_state_dict} takes them as they are.
 */
public final class ParameterFile {
    private static final Pattern TENSOR = Pattern.compile("\\{\"name\": \"([^\"]+)\", \"shape\": \\[([0-9, ]*)]}");

    private ParameterFile() {}

    public static void write(Path file, List<Parameter> parameters) throws IOException {
        StringBuilder header = new StringBuilder("{\"format\": \"buildgpt-parameters\", \"version\": 1, \"dtype\": \"float32\", \"byte_order\": \"little\", \"tensors\": [");
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (i > 0) header.append(", ");
            header.append("{\"name\": \"").append(p.name()).append("\", \"shape\": ").append(Arrays.toString(p.shape())).append('}');
        }
        header.append("]}\n");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header.toString().getBytes(StandardCharsets.UTF_8));
            for (Parameter p : parameters) {
                ByteBuffer buf = ByteBuffer.allocate(4 * p.size()).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(p.data());
                out.write(buf.array());
            }
        }
    }

    /** Reads {@code file} into {@code parameters}, matched by name; every parameter must be present with its shape. */
    public static void read(Path file, List<Parameter> parameters) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            String header = readLine(in, file);
            Map<String, float[]> values = new HashMap<>();
            Matcher m = TENSOR.matcher(header);
            List<String> names = new ArrayList<>();
            while (m.find()) {
                String name = m.group(1);
                int size = 1;
                for (String d : m.group(2).split(",\\s*")) if (!d.isBlank()) size *= Integer.parseInt(d.trim());
                byte[] bytes = in.readNBytes(4 * size);
                if (bytes.length != 4 * size) throw new IOException(file + " ends inside tensor " + name + ": the file is truncated");
                float[] v = new float[size];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                values.put(name + " " + m.group(2).replace(" ", ""), v);
                names.add(name);
            }
            for (Parameter p : parameters) {
                String key = p.name() + " " + Arrays.toString(p.shape()).replace(" ", "").replace("[", "").replace("]", "");
                float[] v = values.get(key);
                if (v == null) {
                    throw new IOException(file + " has no tensor " + p.name() + " of shape " + Arrays.toString(p.shape())
                            + "; it holds " + names + ": was it saved from a model with the same configuration?");
                }
                System.arraycopy(v, 0, p.data(), 0, v.length);
            }
        }
    }

    private static String readLine(InputStream in, Path file) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException(file + " has no header line: not a buildgpt parameter file");
            line.write(b);
        }
        String header = line.toString(StandardCharsets.UTF_8);
        if (!header.contains("\"format\": \"buildgpt-parameters\"")) throw new IOException(file + " is not a buildgpt parameter file (header: " + header.substring(0, Math.min(80, header.length())) + ")");
        return header;
    }
}
