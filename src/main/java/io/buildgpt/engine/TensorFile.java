package io.buildgpt.engine;

import io.buildgpt.files.AtomicFiles;
import io.buildgpt.json.Json;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one file format of this project for tensors: parameter files and checkpoints. Any language
 * reads it in a few lines (see {@code src/bench/gpt_parity.py}); no Java serialization.
 * <ol>
 *   <li>one line of JSON, UTF-8, ending in {@code '\n'}: {@code {"format": ..., "version": 2,
 *       "dtype": "float32", "byte_order": "little", ...metadata..., "sha256": "<64 hex digits>",
 *       "tensors": [{"name": ..., "shape": [...]}, ...]}};</li>
 *   <li>then every tensor's values, row-major little-endian float32, in the header's order.</li>
 * </ol>
 * The checksum covers the whole file, header included: it is the SHA-256 of the file's bytes with the
 * 64 hex digits of the {@code sha256} field written as zeros. A file without it (or of version 1, whose
 * checksum covered only the values) is refused, since nothing in it could be vouched for.
 *
 * <p>Files are written through {@link AtomicFiles} (a temporary file beside the target, forced to disk and
 * moved into place only when complete), so a failed or interrupted write leaves the previous file as it
 * was. Values are streamed in both directions, never gathered into one array, so files over 2 GB work
 * (each tensor is one Java array, so at most {@link #MAX_TENSOR_VALUES} values). Reading checks the
 * format, every header field, the length and the checksum: a truncated, damaged or edited file is
 * refused with a message naming the file and the field, never half-loaded.
 */
public final class TensorFile {
    /** The most values one tensor can hold: the largest Java array. */
    public static final int MAX_TENSOR_VALUES = Integer.MAX_VALUE - 8;
    static final int VERSION = 2;
    private static final String HASH_FIELD = "sha256";
    private static final String ZEROS = "0".repeat(64);
    private static final Pattern HASH = Pattern.compile("\"" + HASH_FIELD + "\"\\s*:\\s*\"([0-9a-f]{64})\"");
    private static final int CHUNK_FLOATS = 1 << 16;

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
        List<Object> tensors = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.name());
            t.put("shape", Arrays.stream(e.shape()).mapToObj(d -> (Object) (long) d).toList());
            tensors.add(t);
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("format", format);
        header.put("version", (long) VERSION);
        header.put("dtype", "float32");
        header.put("byte_order", "little");
        header.putAll(metadata);
        header.put(HASH_FIELD, ZEROS);
        header.put("tensors", tensors);
        String line = Json.write(header).replaceAll("\\s*\\n\\s*", " ").strip() + "\n"; // one line: readers split on '\n'
        byte[] lineBytes = line.getBytes(StandardCharsets.UTF_8);
        Matcher m = HASH.matcher(line);
        if (!m.find()) throw new IllegalStateException("the header lost its " + HASH_FIELD + " field: " + line);
        int hashOffset = line.substring(0, m.start(1)).getBytes(StandardCharsets.UTF_8).length;

        AtomicFiles.write(file, channel -> {
            MessageDigest digest = sha256();
            writeFully(channel, ByteBuffer.wrap(lineBytes));
            digest.update(lineBytes);
            ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                float[] values = e.values();
                for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
                    int n = Math.min(CHUNK_FLOATS, values.length - from);
                    chunk.clear();
                    chunk.asFloatBuffer().put(values, from, n);
                    chunk.limit(4 * n);
                    digest.update(chunk.duplicate());
                    writeFully(channel, chunk);
                }
            }
            byte[] hex = HexFormat.of().formatHex(digest.digest()).getBytes(StandardCharsets.US_ASCII);
            channel.position(hashOffset);
            writeFully(channel, ByteBuffer.wrap(hex));
        });
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /**
     * Reads a whole file of the given format. A missing or unreadable file, a wrong format or version, a
     * malformed header field, a truncated payload or a bad checksum is an IOException naming the file
     * (and the field).
     */
    public static Contents read(Path file, String format) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a folder, not a '" + format + "' file: give the path of the file in it");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IOException(file + " is not a regular file (a named pipe, device or socket): give the path of a '" + format + "' file");
        }
        if (!Files.isRegularFile(file)) throw new IOException(file + " does not exist: check the path, or save one first");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] lineBytes = readLine(in, file, format);
            String line = new String(lineBytes, StandardCharsets.UTF_8);
            Map<String, Object> header = header(line, file);
            if (!(header.get("format") instanceof String found)) {
                throw new IOException(file + " has a damaged header: it has no 'format' field (its fields are " + header.keySet()
                        + "), so it is not a '" + format + "' file, or one whose header was damaged; use another copy");
            }
            if (!format.equals(found)) {
                throw new IOException(file + " is a '" + found + "' file, not a '" + format + "' file (or its header was damaged)");
            }
            String expectedHash = hashOf(line, header, file);
            List<TensorHeader> tensors = tensors(header, file);
            long expected = 0;
            for (TensorHeader t : tensors) expected += 4L * t.size();
            long available = Files.size(file) - lineBytes.length - 1;
            if (available != expected) {
                throw new IOException(file + " holds " + available + " bytes of values but its header announces " + expected
                        + ": the file is " + (available < expected ? "truncated" : "corrupt") + "; use another copy");
            }
            MessageDigest digest = sha256();
            Matcher m = HASH.matcher(line);
            m.find();
            digest.update((line.substring(0, m.start(1)) + ZEROS + line.substring(m.end(1)) + "\n").getBytes(StandardCharsets.UTF_8));
            Map<String, Entry> entries = new LinkedHashMap<>();
            byte[] chunk = new byte[4 * CHUNK_FLOATS];
            ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorHeader t : tensors) {
                float[] values = new float[t.size()];
                for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
                    int n = Math.min(CHUNK_FLOATS, values.length - from);
                    if (in.readNBytes(chunk, 0, 4 * n) != 4 * n) {
                        throw new IOException(file + " ended early in tensor " + t.name() + ": the file is truncated; use another copy");
                    }
                    digest.update(chunk, 0, 4 * n);
                    view.clear();
                    view.asFloatBuffer().get(values, from, n);
                }
                entries.put(t.name(), new Entry(t.name(), t.shape(), values));
            }
            if (!expectedHash.equals(HexFormat.of().formatHex(digest.digest()))) {
                throw new IOException(file + " fails its checksum: its header or its values were changed after saving;"
                        + " use another copy");
            }
            return new Contents(header, entries);
        } catch (AccessDeniedException e) {
            throw new IOException(file + " cannot be read: access denied; check the file's permissions", e);
        }
    }

    private record TensorHeader(String name, int[] shape, int size) {}

    @SuppressWarnings("unchecked")
    private static Map<String, Object> header(String line, Path file) throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (RuntimeException e) {
            throw new IOException(file + " has a damaged header (" + e.getMessage() + "): the file is corrupt; use another copy");
        }
        if (!(parsed instanceof Map<?, ?> map)) throw new IOException(file + " has a damaged header: it is not a JSON object; use another copy");
        Map<String, Object> header = (Map<String, Object>) map;
        Object version = header.get("version");
        if (!(version instanceof Number v) || v.longValue() != VERSION) {
            throw new IOException(file + " has header field 'version' = " + version + ", but this program reads version " + VERSION
                    + (Long.valueOf(1).equals(version) ? " (version 1 files carry no checksum of their header, so they cannot be"
                    + " vouched for: save it again with this version)" : ": it was written by another version"));
        }
        return header;
    }

    private static String hashOf(String line, Map<String, Object> header, Path file) throws IOException {
        Matcher m = HASH.matcher(line);
        if (!(header.get(HASH_FIELD) instanceof String hash) || !m.find() || !hash.equals(m.group(1)) || m.find()) {
            throw new IOException(file + " has no valid header field '" + HASH_FIELD + "' (64 hex digits, once): without it"
                    + " nothing in the file can be checked, so it is refused; use another copy");
        }
        return hash;
    }

    private static List<TensorHeader> tensors(Map<String, Object> header, Path file) throws IOException {
        if (!(header.get("tensors") instanceof List<?> list)) {
            throw new IOException(file + " has no header field 'tensors' (a list of {name, shape}): the file is damaged; use another copy");
        }
        List<TensorHeader> tensors = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = file + ": header field 'tensors[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> t)) throw new IOException(where + "' is not an object; the file is damaged");
            if (!(t.get("name") instanceof String name)) throw new IOException(where + ".name' is missing or not a string; the file is damaged");
            if (!(t.get("shape") instanceof List<?> dims)) {
                throw new IOException(where + ".shape' (tensor " + name + ") is missing or not a list; the file is damaged");
            }
            int[] shape = new int[dims.size()];
            long size = 1;
            for (int d = 0; d < shape.length; d++) {
                if (!(dims.get(d) instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) {
                    throw new IOException(where + ".shape' (tensor " + name + ") holds " + dims.get(d)
                            + ", not a dimension (a whole number >= 0); the file is damaged");
                }
                shape[d] = (int) (long) n;
                size *= n;
                if (size > MAX_TENSOR_VALUES) {
                    throw new IOException(where + ".shape' (tensor " + name + ") " + dims + " holds more than " + MAX_TENSOR_VALUES
                            + " values, more than one Java array can hold");
                }
            }
            tensors.add(new TensorHeader(name, shape, (int) size));
        }
        return tensors;
    }

    private static byte[] readLine(InputStream in, Path file, String format) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || line.size() > 10_000_000) throw new IOException(file + " has no header line: not a '" + format + "' file, or truncated");
            line.write(b);
        }
        return line.toByteArray();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }
}
