package io.buildgpt.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Corpora a careful user might try: CRLF text, a name that is also a file, files too big for the heap or for one string. */
class CorpusLimitsTest {
    @TempDir
    Path dir;

    @Test
    void crlfAndCrLineEndsBecomeLfSoCarriageReturnIsNeverAToken() throws Exception {
        Path file = dir.resolve("windows.txt");
        Files.writeString(file, "first line\r\nsecond\rthird\n");
        Corpus corpus = Corpus.fromFile(file);
        assertEquals("first line\nsecond\nthird\n", corpus.text());
        assertFalse(CharTokenizer.fromText(corpus.text()).vocabulary().contains("\r"));
        assertEquals("a\nb", Corpus.fromText("t", "a\r\nb").text());
    }

    @Test
    void aNameThatIsNeitherACorpusNorAFileNamesBothPossibilities() {
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.open("novel-that-is-not-here"));
        assertTrue(e.getMessage().startsWith("'novel-that-is-not-here' is neither a known corpus name (tinyshakespeare,"), e.getMessage());
        assertTrue(e.getMessage().contains(") nor a file: there is no file " + Path.of("novel-that-is-not-here").toAbsolutePath()
                + ". Give one of those names, or the path of a UTF-8 text file"), e.getMessage());
    }

    @Test
    void aFileWithoutExtensionInTheWorkingFolderIsUsed() throws Exception {
        Path file = Path.of("target", "novel-" + ProcessHandle.current().pid());
        Files.createDirectories(file.getParent());
        Files.writeString(file, "It was a dark night.\n");
        try {
            // "target/novel-..." has a '/', so also check the plain name through the same rule as the notebook parameter
            assertEquals("It was a dark night.\n", Corpus.open(file.toString()).text());
            assertTrue(Files.isRegularFile(Path.of(file.toString())));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aCorpusTooBigForTheHeapIsRefusedWithSizeLimitAndSetting() {
        CorpusException e = assertThrows(CorpusException.class,
                () -> Utf8Files.requireHeapFor(300_000_000L, "big.txt", 1L << 30));
        assertEquals("big.txt is 300.0 MB: loading it needs about 1500.0 MB of heap (5 bytes per byte of text, then 4 bytes per"
                + " character for its token ids), but this JVM may use at most 1073.7 MB (-Xmx). Give it more, e.g. -Xmx3g (the"
                + " notebook runner: -J-Xmx...), or use a smaller file.", e.getMessage());
        Utf8Files.requireHeapFor(1_115_394L, "tinyshakespeare", 1L << 30); // the lecture's corpus fits easily
    }

    @Test
    void aFileOverTwoGigabytesIsRefusedBeforeItIsRead() throws Exception {
        Path file = dir.resolve("huge.txt");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(3L << 30); // sparse: no disk used
        }
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.fromFile(file));
        assertTrue(e.getMessage().endsWith("huge.txt is 3221.2 MB, but a corpus is held as one Java string, at most 2 GB"
                + " (2147483639 bytes): use a part of it, e.g. `head -c 1000000000 big.txt > part.txt`."), e.getMessage());
    }
}
