package io.buildgpt.model;

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
}
