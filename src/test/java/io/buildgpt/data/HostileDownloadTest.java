package io.buildgpt.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Servers that trickle, answer with a login page or a binary file, or redirect in a loop; a data folder that cannot be written. */
class HostileDownloadTest {
    private static final byte[] LOGIN = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>user, password</form></body></html>\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dataDir;
    private LoopbackServer server;
    private final DownloadConfig config = DownloadConfig.defaults().withConnectTimeout(Duration.ofSeconds(2))
            .withReadTimeout(Duration.ofSeconds(1));

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer()
                .on("/trickle", ex -> {
                    ex.sendResponseHeaders(200, 1000);
                    OutputStream out = ex.getResponseBody();
                    for (int i = 0; i < 1000; i++) { // a byte every 200 ms: never idle for a whole read timeout
                        out.write('a');
                        out.flush();
                        Thread.sleep(200);
                    }
                })
                .on("/login", ex -> {
                    ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                    LoopbackServer.bytes(LOGIN).handle(ex);
                })
                .on("/login-as-text", ex -> {
                    ex.getResponseHeaders().add("Content-Type", "text/plain");
                    LoopbackServer.bytes(LOGIN).handle(ex);
                })
                .on("/zip", ex -> {
                    ex.getResponseHeaders().add("Content-Type", "application/zip");
                    LoopbackServer.bytes(TEXT).handle(ex);
                })
                .on("/text", ex -> {
                    ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
                    LoopbackServer.bytes(TEXT).handle(ex);
                })
                .on("/loop", ex -> {
                    ex.getResponseHeaders().add("Location", "/loop");
                    ex.sendResponseHeaders(302, -1);
                });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CorpusSource source(String path, CorpusSource.Format format) {
        return new CorpusSource("mycorpus", server.uri(path), null, format);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dataDir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aTricklingServerIsStoppedByTheOverallDeadlineWithProgressOnTheWay() throws IOException {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Downloader downloader = new Downloader(config.withTotalTimeout(Duration.ofMillis(2000)), lines::add);
        long t0 = System.nanoTime();
        CorpusException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CorpusException.class, () -> downloader.download(source("/trickle", CorpusSource.Format.PLAIN),
                        dataDir.resolve("mycorpus.txt"))));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 6, "stopped near the 2 s limit, not after the server's 200 s: " + seconds);
        assertTrue(e.getMessage().matches("Download of corpus 'mycorpus' from http://127\\.0\\.0\\.1:\\d+/trickle failed: the download did not"
                + " finish within the overall limit of 2000 ms \\(DownloadConfig\\.totalTimeout\\): got \\d+ of 1000 bytes, about \\d+ B per"
                + " second, so the server or network is too slow; try again later, or allow more time with"
                + " DownloadConfig\\.withTotalTimeout\\(\\.\\.\\.\\)\\. To work offline, .*"), e.getMessage());
        assertFalse(lines.isEmpty(), "progress was shown while it ran");
        assertTrue(lines.get(0).matches("downloading mycorpus: \\d+ B of 1.0 kB \\(\\d+%\\) after \\d s"), lines.get(0));
        assertEquals(List.of(), files(), "nothing cached, no temporary left");
    }

    @Test
    void anHtmlLoginPageIsNotCachedAsTheCorpus() throws IOException {
        Path target = dataDir.resolve("mycorpus.txt");
        CorpusException e = assertThrows(CorpusException.class,
                () -> new Downloader(config).download(source("/login", CorpusSource.Format.PLAIN), target));
        assertTrue(e.getMessage().contains("failed: the server sent an HTML page (Content-Type text/html), not the plain text of a corpus:"
                + " often a login, error or 'file moved' page. Nothing was cached; open the URL in a browser and give the address of the"
                + " raw text file, or use CorpusSource.Format.HTML if the corpus really is that page. To work offline"), e.getMessage());
        assertEquals(List.of(), files());
        e = assertThrows(CorpusException.class, () -> new Downloader(config).download(source("/login-as-text", CorpusSource.Format.PLAIN), target));
        assertTrue(e.getMessage().contains("the server sent an HTML page (a body starting with <!DOCTYPE html)"), e.getMessage());
        assertEquals(List.of(), files());
        e = assertThrows(CorpusException.class, () -> new Downloader(config).download(source("/zip", CorpusSource.Format.PLAIN), target));
        assertTrue(e.getMessage().contains("the server sent a binary file (Content-Type application/zip), not the text of a corpus"), e.getMessage());
        assertEquals(List.of(), files());

        new Downloader(config).download(source("/login", CorpusSource.Format.HTML), target); // a source that expects HTML gets it
        assertArrayEquals(LOGIN, Files.readAllBytes(target));
        new Downloader(config).download(source("/text", CorpusSource.Format.PLAIN), target);
        assertArrayEquals(TEXT, Files.readAllBytes(target));
    }

    @Test
    void aRedirectLoopSaysSo() {
        CorpusException e = assertThrows(CorpusException.class,
                () -> new Downloader(config).download(source("/loop", CorpusSource.Format.PLAIN), dataDir.resolve("mycorpus.txt")));
        assertTrue(e.getMessage().contains("failed: the server redirected too many times (the last answer was HTTP 302 to /loop): a redirect"
                + " loop, often a login or cookie wall; open the URL in a browser and give the address the file finally comes from."), e.getMessage());
    }

    /**
     * Tests run as root, which chmod does not stop; sysfs refuses new files even to root, so {@code /sys} stands in for
     * a folder this user may not write (skipped where it does not).
     */
    @Test
    void aDataFolderThatRefusesWritesSaysAccessDeniedNotDiskSpace() {
        Path denied = Path.of("/sys");
        assumeTrue(Files.isDirectory(denied) && !Files.isWritable(denied.resolve("buildgpt-probe")), "no folder that refuses writes");
        CorpusException e = assertThrows(CorpusException.class,
                () -> new Downloader(config).download(source("/text", CorpusSource.Format.PLAIN), denied.resolve("mycorpus.txt")));
        assertTrue(e.getMessage().startsWith("Cannot write the downloaded corpus to /sys/mycorpus.txt: access denied: this user may not create"
                + " files in /sys. Make /sys writable, or set " + CorpusOptions.DIR_ENV + " to a folder you can write."), e.getMessage());
        assertFalse(e.getMessage().contains("disk space"), e.getMessage());
    }

    @Test
    void aDataFolderUnderARegularFileSaysWhichFileIsInTheWay() throws IOException {
        Path file = Files.write(dataDir.resolve("not-a-folder"), new byte[]{1});
        CorpusException e = assertThrows(CorpusException.class,
                () -> new Downloader(config).download(source("/text", CorpusSource.Format.PLAIN), file.resolve("data/mycorpus.txt")));
        assertTrue(e.getMessage().startsWith("Cannot write to the data folder " + file.resolve("data") + ": " + file
                + " is a file, not a folder, so nothing can be saved under it."), e.getMessage());
    }
}
