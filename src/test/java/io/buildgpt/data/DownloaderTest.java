package io.buildgpt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class DownloaderTest {

    private static final byte[] GOOD = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] PREVIOUS = "an older good copy\n".getBytes(StandardCharsets.UTF_8);
    private static final int CAP = 1000;

    @TempDir
    Path dataDir;

    private LoopbackServer server;
    private final DownloadConfig config = DownloadConfig.defaults()
            .withConnectTimeout(Duration.ofSeconds(2))
            .withReadTimeout(Duration.ofMillis(300))
            .withMaxBytes(CAP);

    @BeforeEach
    void startServer() throws IOException {
        server = new LoopbackServer()
                .on("/good", LoopbackServer.bytes(GOOD))
                .on("/truncated", ex -> {
                    ex.sendResponseHeaders(200, 500);
                    OutputStream out = ex.getResponseBody();
                    out.write(new byte[200]);
                    out.flush();
                    // Closing with bytes owed makes the server drop the connection mid-body.
                })
                .on("/oversized", LoopbackServer.bytes(new byte[CAP + 1]))
                .on("/oversized-chunked", ex -> {
                    ex.sendResponseHeaders(200, 0); // 0 = chunked, no Content-Length to check up front
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 10; i++) {
                            out.write(new byte[CAP / 2]);
                        }
                    }
                })
                .on("/missing", ex -> ex.sendResponseHeaders(404, -1))
                .on("/slow-body", ex -> {
                    ex.sendResponseHeaders(200, 100);
                    OutputStream out = ex.getResponseBody();
                    out.write(new byte[10]);
                    out.flush();
                    Thread.sleep(3_000);
                    out.write(new byte[90]);
                })
                .on("/slow-headers", ex -> {
                    Thread.sleep(3_000);
                    ex.sendResponseHeaders(200, GOOD.length);
                    ex.getResponseBody().write(GOOD);
                })
                .on("/gutenberg", LoopbackServer.bytes((
                        "The Project Gutenberg eBook\r\nlicence blurb\r\n"
                                + "*** START OF THE PROJECT GUTENBERG EBOOK THE PROPHET ***\r\n\r\n"
                                + "  THE PROPHET\r\n\r\nAlmustafa, the chosen.\r\n\r\n"
                                + "*** END OF THE PROJECT GUTENBERG EBOOK THE PROPHET ***\r\nlicence\r\n")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private CorpusSource source(String path, String sha256) {
        return new CorpusSource("sample", server.uri(path), sha256, CorpusSource.Format.PLAIN);
    }

    private Path target() {
        return dataDir.resolve("sample.txt");
    }

    private List<String> dataDirFiles() throws IOException {
        try (Stream<Path> s = Files.list(dataDir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void goodDownloadLandsInCacheWithExactBytes() throws IOException {
        Path result = new Downloader(config).download(source("/good", Checksums.sha256(GOOD)), target());
        assertEquals(target(), result);
        assertArrayEquals(GOOD, Files.readAllBytes(target()));
        assertEquals(List.of("sample.txt"), dataDirFiles());
    }

    @Test
    void goodDownloadReplacesPreviousFile() throws IOException {
        Files.write(target(), PREVIOUS);
        new Downloader(config).download(source("/good", null), target());
        assertArrayEquals(GOOD, Files.readAllBytes(target()));
        assertEquals(List.of("sample.txt"), dataDirFiles());
    }

    @Test
    void truncatedDownloadFails() throws IOException {
        assertFailsCleanly("/truncated", null, "truncated");
    }

    @Test
    void oversizedDownloadFailsOnContentLength() throws IOException {
        String msg = assertFailsCleanly("/oversized", null, "size cap of " + CAP + " bytes");
        assertTrue(msg.contains("announces " + (CAP + 1)), msg);
    }

    @Test
    void oversizedChunkedDownloadFailsWhileStreaming() throws IOException {
        assertFailsCleanly("/oversized-chunked", null, "size cap of " + CAP + " bytes");
    }

    @Test
    void httpErrorStatusFails() throws IOException {
        String msg = assertFailsCleanly("/missing", null, "HTTP 404");
        assertTrue(msg.contains("not found"), msg);
    }

    @Test
    void stalledBodyHitsReadTimeoutQuickly() throws IOException {
        long t0 = System.nanoTime();
        assertFailsCleanly("/slow-body", null, "read timeout");
        assertTrue(System.nanoTime() - t0 < 2_500_000_000L, "should give up after ~300 ms, not wait for the server");
    }

    @Test
    void slowHeadersHitReadTimeoutQuickly() throws IOException {
        long t0 = System.nanoTime();
        assertFailsCleanly("/slow-headers", null, "no response within 300 ms");
        assertTrue(System.nanoTime() - t0 < 2_500_000_000L, "should give up after ~300 ms, not wait for the server");
    }

    @Test
    void checksumMismatchFailsAndNamesBothHashes() throws IOException {
        String wrong = "0".repeat(64);
        String msg = assertFailsCleanly("/good", wrong, "Checksum mismatch");
        assertTrue(msg.contains(wrong) && msg.contains(Checksums.sha256(GOOD)), msg);
    }

    @Test
    void refusedConnectionExplainsHowToWorkOffline() throws IOException {
        int unusedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unusedPort = s.getLocalPort();
        }
        CorpusSource nowhere = new CorpusSource("sample", URI.create("http://127.0.0.1:" + unusedPort + "/x"), null,
                CorpusSource.Format.PLAIN);
        Files.write(target(), PREVIOUS);
        CorpusException e = assertThrows(CorpusException.class,
                () -> new Downloader(config).download(nowhere, target()));
        String msg = e.getMessage();
        assertTrue(msg.contains("http://127.0.0.1:" + unusedPort + "/x"), msg);
        assertTrue(msg.contains("could not connect"), msg);
        assertTrue(msg.contains("To work offline, put the file at " + target().toAbsolutePath()), msg);
        assertTrue(msg.contains("BUILDGPT_CORPUS_DIR"), msg);
        assertArrayEquals(PREVIOUS, Files.readAllBytes(target()));
        assertEquals(List.of("sample.txt"), dataDirFiles());
    }

    @Test
    void gutenbergDownloadIsStrippedBeforeCaching() throws IOException {
        CorpusSource book = new CorpusSource("book", server.uri("/gutenberg"), null, CorpusSource.Format.GUTENBERG);
        Path cached = dataDir.resolve("book.txt");
        new Downloader(config).download(book, cached);
        assertEquals("THE PROPHET\n\nAlmustafa, the chosen.\n", Files.readString(cached));
    }

    @Test
    void nonUtf8DownloadIsNotCached() throws IOException {
        server.on("/latin1", LoopbackServer.bytes(new byte[] {'c', 'a', 'f', (byte) 0xE9}));
        String msg = assertFailsCleanly("/latin1", null, "not valid UTF-8");
        assertTrue(msg.contains("byte offset 3"), msg);
    }

    @Test
    void namedLoadDownloadsOnceThenUsesCache() throws IOException {
        CorpusOptions options = new CorpusOptions(dataDir, null, config);
        CorpusSource good = source("/good", Checksums.sha256(GOOD));
        Corpus first = Corpus.load(good, options);
        assertTrue(first.source().contains("downloaded from"), first.source());
        server.close(); // a second load must not need the server any more
        Corpus second = Corpus.load(good, options);
        assertEquals(new String(GOOD, StandardCharsets.UTF_8), second.text());
        assertTrue(second.source().contains("(cached)"), second.source());
        assertTrue(first.origin().endsWith("downloaded into the cache"), first.origin());
        assertTrue(second.origin().endsWith("from the cache"), second.origin());
        assertTrue(!second.origin().contains(dataDir.toString()), "a reader sees no folder of this machine");
    }

    @Test
    void corruptedCacheIsReportedNotSilentlyUsed() throws IOException {
        Files.write(target(), PREVIOUS);
        CorpusOptions options = new CorpusOptions(dataDir, null, config);
        CorpusException e = assertThrows(CorpusException.class,
                () -> Corpus.load(source("/good", Checksums.sha256(GOOD)), options));
        assertTrue(e.getMessage().contains("Delete the file so it is downloaded again"), e.getMessage());
    }

    /** Runs a failing download over a previously cached good file; checks message and leftovers. */
    private String assertFailsCleanly(String path, String sha256, String expected) throws IOException {
        Files.write(target(), PREVIOUS);
        CorpusSource src = source(path, sha256);
        CorpusException e = assertThrows(CorpusException.class, () -> new Downloader(config).download(src, target()));
        String msg = e.getMessage();
        assertTrue(msg.contains(expected), "expected '" + expected + "' in: " + msg);
        assertTrue(msg.contains(src.url().toString()), msg);
        assertTrue(msg.contains("To work offline"), msg);
        assertArrayEquals(PREVIOUS, Files.readAllBytes(target()), "previous cache file must be untouched");
        assertEquals(List.of("sample.txt"), dataDirFiles(), "no temp/partial file may be left behind");
        return msg;
    }
}
