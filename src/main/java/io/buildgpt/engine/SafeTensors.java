package io.buildgpt.engine;

import io.buildgpt.json.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code .safetensors} file, the format Hugging Face stores checkpoints and PEFT adapters in:
 * <ol>
 *   <li>8 bytes: the header's length {@code N}, an unsigned little-endian 64-bit integer;</li>
 *   <li>{@code N} bytes of UTF-8 JSON: for each tensor {@code "name": {"dtype": "F32", "shape": [...],
 *       "data_offsets": [begin, end]}}, and optionally {@code "__metadata__": {string: string}};</li>
 *   <li>the data: each tensor's bytes, row-major little-endian, at {@code [begin, end)} of this region.</li>
 * </ol>
 * {@link #open} checks the whole layout before anything is read: the lengths against the file's, the
 * JSON, every dtype and shape, and that the byte ranges equal {@code product(shape) * dtype size}, follow
 * each other without gap or overlap from 0, and end exactly where the file ends. Any fault is a
 * {@link CheckpointException} naming the file and the problem. Values are read only when asked for,
 * tensor by tensor ({@link #floats}), so a checkpoint's unused tensors cost nothing.
 */
public final class SafeTensors {
    /** The header may not be larger than this (the format's own limit). */
    static final long MAX_HEADER = 100L << 20;

    /** The element types of the format, with their sizes in bytes. */
    public enum DType {
        BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1), I16(2), U16(2), F16(2), BF16(2),
        I32(4), U32(4), F32(4), F64(8), I64(8), U64(8);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor's entry in the header: its dtype, shape, and byte range in the data region. */
    public record Info(String name, DType dtype, int[] shape, long begin, long end) {
        /** The number of values, {@code product(shape)}. */
        public long size() {
            long s = 1;
            for (int d : shape) s *= d;
            return s;
        }
    }

    /** A float32 tensor to write: {@code values.length == product(shape)}. */
    public record FloatTensor(int[] shape, float[] values) {
        public FloatTensor {
            long size = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " has a negative dimension");
                size *= d;
            }
            if (size != values.length) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds " + size + " values, not " + values.length);
            }
        }
    }

    private final Path file;
    private final long dataStart;
    private final Map<String, Info> tensors;       // in header order
    private final Map<String, String> metadata;

    private SafeTensors(Path file, long dataStart, Map<String, Info> tensors, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Reads and checks {@code file}'s header and layout (no values yet); a fault is a {@link CheckpointException}. */
    public static SafeTensors open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new CheckpointException(file + ": no such file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            if (length < 8) {
                throw fault(file, "truncated: " + length + " bytes, shorter than the 8-byte header length that starts the format");
            }
            ByteBuffer eight = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, eight, 0);
            long n = eight.getLong(0);
            if (n < 2 || n > MAX_HEADER) {
                throw fault(file, "the header length " + Long.toUnsignedString(n) + " is not between 2 and " + MAX_HEADER
                        + " bytes: not a safetensors file, or a damaged one");
            }
            if (8 + n > length) {
                throw fault(file, "truncated: the header says it is " + n + " bytes long, but only " + (length - 8) + " bytes follow");
            }
            ByteBuffer head = ByteBuffer.allocate((int) n);
            readFully(ch, head, 8);
            String text = new String(head.array(), StandardCharsets.UTF_8);
            Object parsed;
            try {
                parsed = Json.parse(text);
            } catch (IllegalArgumentException e) {
                throw fault(file, "the header is not valid JSON (" + e.getMessage() + ")");
            }
            if (!(parsed instanceof Map<?, ?> map)) throw fault(file, "the header is not a JSON object");
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Info> infos = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (!(e.getValue() instanceof Map<?, ?> meta)) throw fault(file, "'__metadata__' is not a JSON object");
                    for (Map.Entry<?, ?> m : meta.entrySet()) {
                        if (!(m.getValue() instanceof String s)) throw fault(file, "'__metadata__' field '" + m.getKey() + "' is not a string");
                        metadata.put((String) m.getKey(), s);
                    }
                } else {
                    infos.put(name, info(file, name, e.getValue()));
                }
            }
            checkLayout(file, infos, length - 8 - n);
            return new SafeTensors(file, 8 + n, infos, metadata);
        }
    }

    private static Info info(Path file, String name, Object value) throws CheckpointException {
        if (!(value instanceof Map<?, ?> m)) throw fault(file, "tensor '" + name + "': its header entry is not a JSON object");
        if (!(m.get("dtype") instanceof String d)) throw fault(file, "tensor '" + name + "': 'dtype' is missing or not a string");
        DType dtype;
        try {
            dtype = DType.valueOf(d);
        } catch (IllegalArgumentException ex) {
            throw fault(file, "tensor '" + name + "': unknown dtype '" + d + "' (the format knows " + List.of(DType.values()) + ")");
        }
        long[] shape = wholes(file, name, m.get("shape"), "shape", -1);
        long[] offsets = wholes(file, name, m.get("data_offsets"), "data_offsets", 2);
        int[] dims = new int[shape.length];
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) throw fault(file, "tensor '" + name + "': dimension " + shape[i] + " is too large");
            dims[i] = (int) shape[i];
            size = Math.multiplyExact(size, shape[i]);
        }
        if (offsets[1] < offsets[0]) {
            throw fault(file, "tensor '" + name + "': data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        long bytes = Math.multiplyExact(size, dtype.bytes);
        if (offsets[1] - offsets[0] != bytes) {
            throw fault(file, "tensor '" + name + "': data_offsets [" + offsets[0] + ", " + offsets[1] + "] span " + (offsets[1] - offsets[0])
                    + " bytes, but shape " + java.util.Arrays.toString(dims) + " of " + dtype + " needs " + bytes);
        }
        return new Info(name, dtype, dims, offsets[0], offsets[1]);
    }

    private static long[] wholes(Path file, String name, Object value, String field, int count) throws CheckpointException {
        if (!(value instanceof List<?> list) || (count >= 0 && list.size() != count)) {
            throw fault(file, "tensor '" + name + "': '" + field + "' is missing or not a list" + (count >= 0 ? " of " + count + " numbers" : ""));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v) || v < 0) {
                throw fault(file, "tensor '" + name + "': '" + field + "' holds " + list.get(i) + ", not a whole number >= 0");
            }
            out[i] = v;
        }
        return out;
    }

    /** The ranges, sorted by start, must tile {@code [0, dataLength)} exactly. */
    private static void checkLayout(Path file, Map<String, Info> infos, long dataLength) throws CheckpointException {
        List<Info> sorted = new ArrayList<>(infos.values());
        sorted.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long at = 0;
        for (Info i : sorted) {
            if (i.begin() != at) {
                throw fault(file, "tensor '" + i.name() + "' starts at byte " + i.begin() + " of the data, but the previous tensor ends at " + at
                        + (i.begin() < at ? ": the header's offsets overlap" : ": the header's offsets leave a gap"));
            }
            at = i.end();
        }
        if (at > dataLength) {
            throw fault(file, "truncated: the header places data up to byte " + at + ", but the file holds " + dataLength + " bytes of data");
        }
        if (at < dataLength) {
            throw fault(file, "the file holds " + dataLength + " bytes of data, but the header accounts for " + at
                    + ": extra bytes at the end, or offsets that do not match the data");
        }
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /** The tensors' header entries, in header order. */
    public Map<String, Info> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The header entry of {@code name}, or a {@link CheckpointException} naming the file and the key. */
    public Info info(String name) throws CheckpointException {
        Info i = tensors.get(name);
        if (i == null) throw fault(file, "no tensor '" + name + "' (the file holds " + tensors.size() + " tensors)");
        return i;
    }

    /**
     * {@code name}'s values as float32, row-major: F32 as stored, F16 and BF16 widened exactly. Any other
     * dtype is a {@link CheckpointException}: its values are not weights this project can use.
     */
    public float[] floats(String name) throws IOException {
        Info i = info(name);
        if (i.size() > TensorFile.MAX_TENSOR_VALUES) throw fault(file, "tensor '" + name + "' has " + i.size() + " values, more than one Java array holds");
        if (i.dtype() != DType.F32 && i.dtype() != DType.F16 && i.dtype() != DType.BF16) {
            throw fault(file, "tensor '" + name + "' has dtype " + i.dtype() + "; weights must be F32, F16 or BF16");
        }
        int count = (int) i.size();
        float[] out = new float[count];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int chunk = 1 << 20;                                      // bytes per read: no whole-tensor byte copy
            ByteBuffer buf = ByteBuffer.allocate(chunk).order(ByteOrder.LITTLE_ENDIAN);
            int w = i.dtype().bytes, done = 0;
            long pos = dataStart + i.begin();
            while (done < count) {
                int take = Math.min(count - done, chunk / w);
                buf.clear().limit(take * w);
                readFully(ch, buf, pos);
                buf.flip();
                if (i.dtype() == DType.F32) buf.asFloatBuffer().get(out, done, take);   // bulk: little-endian floats as stored
                else for (int k = 0; k < take; k++) {
                    out[done + k] = i.dtype() == DType.F16 ? halfToFloat(buf.getShort())
                            : Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16);   // BF16: the top half of a float32
                }
                pos += (long) take * w;
                done += take;
            }
        }
        return out;
    }

    /** IEEE 754 half precision to float32, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF, sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1F, mant = bits & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));  // inf, NaN
        if (exp == 0) {                                                                  // zero, subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Writes {@code tensors} as F32, in the given order, with {@code metadata} as {@code __metadata__} (none when
     * empty), atomically: see {@link SafeTensorsWriter}.
     */
    public static void write(Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata) throws IOException {
        SafeTensorsWriter.write(file, tensors, metadata);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new CheckpointException("unexpected end of file at byte " + pos);
            pos += r;
        }
    }

    private static CheckpointException fault(Path file, String problem) {
        return new CheckpointException(file + ": " + problem);
    }
}
