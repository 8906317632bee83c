package io.buildgpt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks the real lecture corpora where the read-only {@code ../shared/data} folder sits beside
 * the project; skipped (not failed) elsewhere, so the build never needs it or the network.
 */
class SharedCorporaTest {

    // Surefire runs in the project root, so "" is the folder holding pom.xml.
    private static final Path SHARED = Path.of("").toAbsolutePath().resolve("../shared/data").normalize();

    private CorpusOptions offline;

    @BeforeEach
    void requireSharedData() {
        assumeTrue(Files.isDirectory(SHARED), "no " + SHARED + " beside the project; skipping real-corpus checks");
        // The cache folder is never touched when a local folder is set; point it somewhere harmless anyway.
        offline = new CorpusOptions(SHARED.resolve("unused-cache"), SHARED, DownloadConfig.defaults());
    }

    @Test
    void tinyShakespeareMatchesTheLecture() throws Exception {
        assumeTrue(Files.isRegularFile(SHARED.resolve("tinyshakespeare.txt")));
        Corpus corpus = Corpus.named("tinyshakespeare", offline); // also verifies the SHA-256
        assertEquals(1_115_394, corpus.length());
        assertEquals(65, corpus.distinctChars().length());
        assertEquals("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", corpus.distinctChars());
        assertTrue(corpus.preview(13).equals("First Citizen"), corpus.preview(13));
        assertEquals(NamedCorpora.TINY_SHAKESPEARE.sha256(),
                Checksums.sha256(Files.readAllBytes(SHARED.resolve("tinyshakespeare.txt"))));
        assertEquals("tinyshakespeare: 1,115,394 chars, 65 distinct (tinyshakespeare.txt from the local corpus folder)",
                corpus.stats().toString());
    }

    @Test
    void gibranMatchesTheSharedReadme() {
        assumeTrue(Files.isRegularFile(SHARED.resolve("gibran-the-prophet.txt")));
        Corpus corpus = Corpus.named("gibran-the-prophet", offline);
        assertEquals(64_895, corpus.length());
        assertEquals(62, corpus.distinctChars().length());
        assertTrue(corpus.preview(11).equals("THE PROPHET"), corpus.preview(11));
    }
}
