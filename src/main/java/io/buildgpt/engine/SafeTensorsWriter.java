package io.buildgpt.engine;

import io.buildgpt.files.AtomicFiles;
import io.buildgpt.json.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@link SafeTensors} files: float32 tensors, the header padded with spaces to a multiple of 8 bytes. */
final class SafeTensorsWriter {
    private SafeTensorsWriter() {
    }

    /**
     * Writes {@code tensors} as F32, in the given order, with {@code metadata} as {@code __metadata__}
     * (none when empty), atomically ({@link AtomicFiles}): the header padded with spaces to a multiple of 8.
     */
    static void write(Path file, Map<String, SafeTensors.FloatTensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long at = 0;
        for (Map.Entry<String, SafeTensors.FloatTensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is not a tensor name");
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            List<Long> shape = new ArrayList<>();
            for (int d : e.getValue().shape()) shape.add((long) d);
            entry.put("shape", shape);
            long end = at + 4L * e.getValue().values().length;
            entry.put("data_offsets", List.of(at, end));
            header.put(e.getKey(), entry);
            at = end;
        }
        byte[] json = Json.write(header).strip().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        AtomicFiles.write(file, ch -> {
            while (head.hasRemaining()) ch.write(head);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (SafeTensors.FloatTensor t : tensors.values()) {
                for (float v : t.values()) {
                    if (!buf.hasRemaining()) drain(ch, buf);
                    buf.putFloat(v);
                }
            }
            drain(ch, buf);
        });
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }

}
