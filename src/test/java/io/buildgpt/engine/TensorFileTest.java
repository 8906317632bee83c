package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TensorFileTest {
    @TempDir
    Path dir;

    private static List<TensorFile.Entry> entries() {
        return List.of(new TensorFile.Entry("a", new int[]{2, 3}, new float[]{1, 2, 3, 4, 5, 6}),
                new TensorFile.Entry("b", new int[]{1}, new float[]{-0.5f}));
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of("step", 42L), entries());
        TensorFile.Contents c = TensorFile.read(f, "demo");
        assertEquals(42L, c.header().get("step"));
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, c.require("a", new int[]{2, 3}, f).values());
        assertArrayEquals(new float[]{-0.5f}, c.tensors().get("b").values());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of(), entries());
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f, "demo"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void damagedValuesFailTheChecksum() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of(), entries());
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 1] ^= 0x40;
        Files.write(f, bytes);
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f, "demo"));
        assertTrue(e.getMessage().contains("fails its checksum"), e.getMessage());
    }

    @Test
    void wrongFormatAndMissingFileAreNamed() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of(), entries());
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f, "other"));
        assertTrue(e.getMessage().contains("is a 'demo' file, not a 'other' file"), e.getMessage());
        Files.writeString(f, "hello");
        e = assertThrows(IOException.class, () -> TensorFile.read(f, "demo"));
        assertTrue(e.getMessage().contains("no header line"), e.getMessage());
        e = assertThrows(IOException.class, () -> TensorFile.read(dir.resolve("missing.bin"), "demo"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aFailedWriteLeavesWhatWasThereAndNoTemporaryFile() throws IOException {
        Path target = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(target.resolve("keep.txt"), "kept");
        // moving over a non-empty directory fails at the last step, after the temporary file was written
        assertThrows(IOException.class, () -> TensorFile.write(target, "demo", Map.of(), entries()));
        assertEquals("kept", Files.readString(target.resolve("keep.txt")));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("busy"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void everySingleByteEditOfTheHeaderIsRefused() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of("step", 42L, "optimizer", Map.of("learning_rate", 0.001, "beta1", 0.9)), entries());
        byte[] original = Files.readAllBytes(f);
        int headerLength = new String(original, java.nio.charset.StandardCharsets.UTF_8).indexOf('\n');
        for (int i = 0; i < headerLength; i++) {
            for (int bit : new int[]{0x01, 0x08}) {
                byte[] edited = original.clone();
                edited[i] ^= (byte) bit;
                Files.write(f, edited);
                int at = i;
                assertThrows(IOException.class, () -> TensorFile.read(f, "demo"), () -> "byte " + at + " edited, file loaded");
            }
        }
    }

    @Test
    void aRenamedOrMissingChecksumIsAnErrorNotASkippedCheck() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of(), entries());
        String text = Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.writeString(f, text.replace("\"sha256\"", "\"sha257\""), java.nio.charset.StandardCharsets.ISO_8859_1);
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f, "demo"));
        assertEquals(f + " has no valid header field 'sha256' (64 hex digits, once): without it nothing in the file can be"
                + " checked, so it is refused; use another copy", e.getMessage());
    }

    @Test
    void malformedHeaderFieldsAreNamedWithTheFile() throws IOException {
        Path f = dir.resolve("t.bin");
        String[][] cases = {
                {"\"tensors\":", "\"tensorz\":", f + " has no header field 'tensors' (a list of {name, shape}): the file is damaged; use another copy"},
                {"\"shape\":", "\"shapf\":", f + ": header field 'tensors[0].shape' (tensor a) is missing or not a list; the file is damaged"},
                {"\"name\":", "\"namf\":", f + ": header field 'tensors[0].name' is missing or not a string; the file is damaged"},
        };
        for (String[] c : cases) {
            TensorFile.write(f, "demo", Map.of(), entries());
            String text = Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
            Files.writeString(f, text.replaceFirst(java.util.regex.Pattern.quote(c[0]), c[1]), java.nio.charset.StandardCharsets.ISO_8859_1);
            IOException e = assertThrows(IOException.class, () -> TensorFile.read(f, "demo"));
            assertEquals(c[2], e.getMessage());
        }
    }

    @Test
    void aTensorTooLargeForOneArrayIsRefusedWithItsSize() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of(), entries());
        String text = Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.writeString(f, text.replaceFirst("\\[\\s*2,\\s*3\\s*\\]", "[50000, 50000]"),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f, "demo"));
        assertTrue(e.getMessage().contains("(tensor a) [50000, 50000] holds more than 2147483639 values, more than one Java array can hold"),
                e.getMessage());
    }

    @Test
    void aVersion1FileIsRefusedSayingWhy() throws IOException {
        Path f = dir.resolve("t.bin");
        Files.write(f, "{\"format\": \"demo\", \"version\": 1, \"tensors\": []}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f, "demo"));
        assertEquals(f + " has header field 'version' = 1, but this program reads version 2 (version 1 files carry no checksum"
                + " of their header, so they cannot be vouched for: save it again with this version)", e.getMessage());
    }

    @Test
    void rewritingKeepsThePermissionsAndRemovesStaleTemporaries() throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFile.write(f, "demo", Map.of(), entries());
        assertTrue(Files.getPosixFilePermissions(f).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
                "a new file gets the default permissions, not 0600: " + Files.getPosixFilePermissions(f));
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        // a save killed earlier: its process (pid 2^22 + 12345 is above Linux's pid limit) is gone
        Path stale = io.buildgpt.files.AtomicFiles.temporaryOf(f.toAbsolutePath(), (1 << 22) + 12345);
        Files.write(stale, new byte[1000]);
        Path living = io.buildgpt.files.AtomicFiles.temporaryOf(f.toAbsolutePath(), ProcessHandle.current().parent().orElseThrow().pid());
        Files.write(living, new byte[10]);
        // left by the earlier naming (Files.createTempFile: no pid), two hours ago, and one of a minute ago
        Path legacy = dir.resolve("t.bin8412937465.tmp");
        Files.write(legacy, new byte[100]);
        Files.setLastModifiedTime(legacy, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        Path recent = dir.resolve("t.bin1234.tmp");
        Files.write(recent, new byte[100]);
        TensorFile.write(f, "demo", Map.of("step", 2L), entries());
        assertFalse(Files.exists(legacy), "an abandoned temporary of the earlier naming is removed");
        assertTrue(Files.exists(recent), "a recent one may still be in use");
        assertEquals("rw-rw-r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertFalse(Files.exists(stale), "the stale temporary of the same target is removed");
        assertTrue(Files.exists(living), "a temporary whose writer is alive is left alone");
    }
}
