package io.buildgpt.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Files that are not UTF-8 text, each refused with one message instead of a hang or a vocabulary holding U+0000. */
class HostileCorpusFileTest {
    @TempDir
    Path dir;

    @Test
    void aNamedPipeIsRefusedInsteadOfBlockingForever() throws Exception {
        Path fifo = dir.resolve("pipe.txt");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor() == 0 && Files.exists(fifo), "mkfifo is not available here");
        try {
            for (var load : java.util.List.<java.util.function.Supplier<Corpus>>of(() -> Corpus.fromFile(fifo), () -> Corpus.open(fifo.toString()))) {
                CorpusException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(CorpusException.class, load::get));
                assertEquals(fifo.toAbsolutePath() + " is not a regular file (a named pipe, device or socket): reading it could wait"
                        + " forever for data. Pass a text file (save the pipe's output to a file first).", e.getMessage());
            }
        } finally {
            // on the old code a reader is stuck opening the pipe: a writer that opens and closes it sets the reader free
            Thread unblock = new Thread(() -> {
                try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
                    out.flush();
                } catch (Exception ignored) {
                }
            });
            unblock.setDaemon(true);
            unblock.start();
        }
    }

    @Test
    void utf16WithoutAByteOrderMarkIsRefusedSayingSaveAsUtf8() throws Exception {
        Path le = dir.resolve("le.txt"), be = dir.resolve("be.txt");
        Files.write(le, "First Citizen:\nBefore we proceed any further, hear me speak.\n".getBytes(StandardCharsets.UTF_16LE));
        Files.write(be, "First Citizen:\nBefore we proceed any further, hear me speak.\n".getBytes(StandardCharsets.UTF_16BE));
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.fromFile(le));
        assertEquals(le.toAbsolutePath() + " looks like UTF-16LE text without a byte-order mark (every other byte is 0x00), not UTF-8."
                + " Save it as UTF-8, e.g. `iconv -f UTF-16LE -t UTF-8 in.txt > out.txt`.", e.getMessage());
        assertTrue(assertThrows(CorpusException.class, () -> Corpus.fromFile(be)).getMessage().contains("looks like UTF-16BE"));
    }

    @Test
    void aFileOfNulBytesOrABinaryFileIsNotACorpus() throws Exception {
        Path zeros = dir.resolve("zeros.txt"), binary = dir.resolve("mixed.txt");
        Files.write(zeros, new byte[4096]);
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.fromFile(zeros));
        assertEquals(zeros.toAbsolutePath() + " holds only NUL bytes (4096 bytes of 0x00), not text (a file that was never written,"
                + " or a binary file). Pass a UTF-8 text file.", e.getMessage());
        Files.write(binary, "some text\n\0\0\0\1more text that goes on for a while\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(binary.toAbsolutePath() + " contains NUL bytes (0x00), the first at byte offset 10: a binary file, not text."
                + " Pass a UTF-8 text file.", assertThrows(CorpusException.class, () -> Corpus.fromFile(binary)).getMessage());
    }

    @Test
    void ordinaryTextStillLoads() throws Exception {
        Path ok = dir.resolve("ok.txt");
        Files.write(ok, "héllo wörld\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("héllo wörld\n", Corpus.fromFile(ok).text());
    }
}
