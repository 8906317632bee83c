package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A file laid out by hand: the header text, then {@code data}. */
    private Path raw(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    private static String fault(Path f) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.open(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void writesAndReadsBackF32WithMetadata() throws IOException {
        Map<String, SafeTensors.FloatTensor> t = new LinkedHashMap<>();
        t.put("a.weight", new SafeTensors.FloatTensor(new int[]{2, 3}, new float[]{1, 2, 3, 4, 5, -6.5f}));
        t.put("b", new SafeTensors.FloatTensor(new int[]{1}, new float[]{Float.MIN_VALUE}));
        t.put("empty", new SafeTensors.FloatTensor(new int[]{0, 4}, new float[0]));
        Path f = dir.resolve("x.safetensors");
        SafeTensors.write(f, t, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "the header is padded to 8 bytes");
        assertEquals(8 + n + 4 * 7, bytes.length);
        SafeTensors s = SafeTensors.open(f);
        assertEquals(java.util.List.of("a.weight", "b", "empty"), java.util.List.copyOf(s.tensors().keySet()));
        assertArrayEquals(new int[]{2, 3}, s.info("a.weight").shape());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, -6.5f}, s.floats("a.weight"));
        assertArrayEquals(new float[]{Float.MIN_VALUE}, s.floats("b"));
        assertEquals(0, s.floats("empty").length);
        assertEquals("pt", s.metadata().get("format"));
    }

    @Test
    void widensHalfAndBfloat16Exactly() throws IOException {
        // F16: 1.0 = 0x3C00, -2.5 = 0xC100, smallest subnormal 0x0001 = 2^-24, 65504 = 0x7BFF, +inf 0x7C00
        // BF16: 1.0 = 0x3F80, -3.0 = 0xC040
        ByteBuffer d = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0xC100).putShort((short) 0x0001).putShort((short) 0x7BFF).putShort((short) 0x7C00);
        d.putShort((short) 0x3F80).putShort((short) 0xC040);
        Path f = raw("h.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[10,14]}}", d.array());
        SafeTensors s = SafeTensors.open(f);
        assertArrayEquals(new float[]{1f, -2.5f, 0x1p-24f, 65504f, Float.POSITIVE_INFINITY}, s.floats("h"));
        assertArrayEquals(new float[]{1f, -3f}, s.floats("b"));
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        Path ok = dir.resolve("ok.safetensors");
        SafeTensors.write(ok, Map.of("w", new SafeTensors.FloatTensor(new int[]{4}, new float[]{1, 2, 3, 4})), Map.of());
        byte[] bytes = Files.readAllBytes(ok);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));
        assertTrue(fault(cut).contains("truncated"), fault(cut));
        Files.write(cut, Arrays.copyOf(bytes, 20));                       // inside the header
        assertTrue(fault(cut).contains("truncated"), fault(cut));
        Files.write(cut, Arrays.copyOf(bytes, 5));                        // inside the length
        assertTrue(fault(cut).contains("truncated"), fault(cut));
    }

    @Test
    void headerThatLiesAboutOffsetsIsRefused() throws IOException {
        byte[] data = floats(1, 2, 3, 4);
        String overlap = fault(raw("o.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data));
        assertTrue(overlap.contains("overlap"), overlap);
        String gap = fault(raw("g.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", data));
        assertTrue(gap.contains("gap"), gap);
        String span = fault(raw("s.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", data));
        assertTrue(span.contains("needs 12"), span);
        String past = fault(raw("p.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,20]}}", data));
        assertTrue(past.contains("truncated"), past);
        String extra = fault(raw("e.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", data));
        assertTrue(extra.contains("extra bytes"), extra);
        String backwards = fault(raw("r.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,0]}}", data));
        assertTrue(backwards.contains("end before they begin"), backwards);
    }

    @Test
    void badHeaderTextIsRefused() throws IOException {
        assertTrue(fault(raw("j.safetensors", "{\"a\": [", new byte[0])).contains("not valid JSON"));
        assertTrue(fault(raw("l.safetensors", "[1, 2]", new byte[0])).contains("not a JSON object"));
        assertTrue(fault(raw("d.safetensors", "{\"a\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)))
                .contains("unknown dtype 'F31'"));
        assertTrue(fault(raw("m.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", floats(1)))
                .contains("'data_offsets' is missing"));
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertTrue(fault(huge).contains("not a safetensors file"), fault(huge));
    }

    @Test
    void missingKeyAndWrongDtypeNameFileAndTensor() throws IOException {
        Path f = raw("i.safetensors", "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        SafeTensors s = SafeTensors.open(f);
        CheckpointException dtype = assertThrows(CheckpointException.class, () -> s.floats("ids"));
        assertTrue(dtype.getMessage().contains(f.toString()) && dtype.getMessage().contains("'ids' has dtype I64"), dtype.getMessage());
        CheckpointException missing = assertThrows(CheckpointException.class, () -> s.floats("wte.weight"));
        assertTrue(missing.getMessage().contains(f.toString()) && missing.getMessage().contains("no tensor 'wte.weight'"), missing.getMessage());
    }
}
