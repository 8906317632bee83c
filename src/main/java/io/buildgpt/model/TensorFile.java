package io.buildgpt.model;

import io.buildgpt.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one file format of this project for tensors: parameter files and checkpoints. Any language
 * reads it in a few lines (see {@code src/bench/gpt_parity.py}); no Java serialization.
 * <ol>
 *   <li>one line of JSON, UTF-8, ending in {@code '\n'}: {@code {"format": ..., "version": 1,
 *       "dtype": "float32", "byte_order": "little", ...metadata..., "payload_sha256": "...",
 *       "tensors": [{"name": ..., "shape": [...]}, ...]}};</li>
 *   <li>then every tensor's values, row-major little-endian float32, in the header's order.</li>
 * </ol>
 * Files are written to a temporary file beside the target and moved into place only when complete,
 * so a failed or interrupted write leaves the previous file as it was. Reading checks the format,
 * the length and the checksum, so a truncated or damaged file is refused with a message, never half-loaded.
 */
public final class TensorFile {
    /** One named tensor: its shape and its values, row-major. */
    public record Entry(String name, int[] shape, float[] values) {
        public Entry {
            long size = 1;
            for (int d : shape) size *= d;
            if (size != values.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size + " values, got " + values.length);
            }
        }
    }

    /** What a file holds: its header (parsed JSON) and its tensors by name, in file order. */
    public record Contents(Map<String, Object> header, Map<String, Entry> tensors) {
        public Entry require(String name, int[] shape, Path file) throws IOException {
            Entry e = tensors.get(name);
            if (e == null || !Arrays.equals(e.shape(), shape)) {
                throw new IOException(file + " has no tensor " + name + " of shape " + Arrays.toString(shape)
                        + (e == null ? "" : " (it has shape " + Arrays.toString(e.shape()) + ")")
                        + ": was it saved from a model with the same configuration?");
            }
            return e;
        }
    }

    private TensorFile() {}

    /** Writes {@code entries} under a header of {@code format} plus {@code metadata} (JSON-able values), atomically. */
    public static void write(Path file, String format, Map<String, Object> metadata, List<Entry> entries) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        List<Object> tensors = new ArrayList<>();
        for (Entry e : entries) {
            ByteBuffer buf = ByteBuffer.allocate(4 * e.values().length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(e.values());
            payload.write(buf.array());
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.name());
            t.put("shape", Arrays.stream(e.shape()).mapToObj(d -> (Object) (long) d).toList());
            tensors.add(t);
        }
        byte[] body = payload.toByteArray();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("format", format);
        header.put("version", 1L);
        header.put("dtype", "float32");
        header.put("byte_order", "little");
        header.putAll(metadata);
        header.put("payload_sha256", sha256(body));
        header.put("tensors", tensors);
        String line = Json.write(header).replaceAll("\\s*\\n\\s*", " ").strip() + "\n"; // one line: readers split on '\n'

        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write(body);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a whole file of the given format; a wrong format, a truncated payload or a bad checksum is an IOException naming the file. */
    @SuppressWarnings("unchecked")
    public static Contents read(Path file, String format) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + " does not exist: check the path, or save one first");
        try (InputStream in = Files.newInputStream(file)) {
            Map<String, Object> header;
            String line = readLine(in, file, format);
            try {
                header = (Map<String, Object>) Json.parse(line);
            } catch (RuntimeException e) {
                throw new IOException(file + " has a damaged header (" + e.getMessage() + "): the file is corrupt; use another copy");
            }
            if (!format.equals(header.get("format"))) {
                throw new IOException(file + " is a '" + header.get("format") + "' file, not a '" + format + "' file");
            }
            byte[] body = in.readAllBytes();
            List<Map<String, Object>> tensors = (List<Map<String, Object>>) header.get("tensors");
            long expected = 0;
            for (Map<String, Object> t : tensors) expected += 4L * size(shape(t));
            if (body.length != expected) {
                throw new IOException(file + " holds " + body.length + " bytes of values but its header announces " + expected
                        + ": the file is " + (body.length < expected ? "truncated" : "corrupt") + "; use another copy");
            }
            Object sum = header.get("payload_sha256");
            if (sum != null && !sum.equals(sha256(body))) {
                throw new IOException(file + " fails its checksum: the values were damaged after saving; use another copy");
            }
            Map<String, Entry> entries = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            for (Map<String, Object> t : tensors) {
                int[] shape = shape(t);
                float[] values = new float[size(shape)];
                buf.asFloatBuffer().get(values);
                buf.position(buf.position() + 4 * values.length);
                entries.put((String) t.get("name"), new Entry((String) t.get("name"), shape, values));
            }
            return new Contents(header, entries);
        }
    }

    private static int[] shape(Map<String, Object> tensor) {
        return ((List<?>) tensor.get("shape")).stream().mapToInt(d -> ((Number) d).intValue()).toArray();
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    private static String readLine(InputStream in, Path file, String format) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || line.size() > 10_000_000) throw new IOException(file + " has no header line: not a '" + format + "' file, or truncated");
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
