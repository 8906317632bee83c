package io.buildgpt.engine;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HfDownload against a local server that serves the gpt2-tiny fixture as the hub would (Range, X-Linked-Etag). */
class HfDownloadTest {
    static final Path FIXTURE = Path.of("src/test/resources/gpt2-tiny");
    @TempDir
    Path tmp;
    HttpServer server;
    final List<String> ranges = new ArrayList<>();
    volatile boolean corrupt;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();                        // /owner/name/resolve/main/<file>
            String file = path.substring(path.lastIndexOf('/') + 1);
            Path p = FIXTURE.resolve(file);
            if (!path.startsWith("/tiny/gpt2/resolve/main/") || !Files.isRegularFile(p)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            byte[] all = Files.readAllBytes(p);
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + HfDownload.sha256(p) + "\"");
            if (corrupt) all[all.length / 2] ^= 1;
            String range = ex.getRequestHeaders().getFirst("Range");
            int from = 0;
            if (range != null) {
                ranges.add(file + " " + range);
                from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            }
            ex.sendResponseHeaders(range != null ? 206 : 200, all.length - from);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(all, from, all.length - from);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HfDownload downloader(List<String> log) {
        return new HfDownload(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), Duration.ofSeconds(5), log::add);
    }

    @Test
    void downloadsVerifiesAndResumes() throws IOException {
        Path folder = HfDownload.folderOf(tmp, "tiny/gpt2");
        Files.createDirectories(folder);
        byte[] model = Files.readAllBytes(FIXTURE.resolve("model.safetensors"));
        Files.write(folder.resolve("model.safetensors.part"), Arrays.copyOf(model, 100_000)); // an interrupted earlier run
        List<String> log = new ArrayList<>();
        assertEquals(folder, downloader(log).fetch("tiny/gpt2", tmp));
        assertEquals(List.of("model.safetensors bytes=100000-"), ranges, "only the missing bytes were asked for");
        for (String f : HfDownload.FILES) assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(f)), Files.readAllBytes(folder.resolve(f)), f);
        assertFalse(Files.exists(folder.resolve("model.safetensors.part")));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("model.safetensors: resuming at 0.1 MB")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("model.safetensors: complete")), log.toString());
        Gpt2CheckpointTest.assertHfLogits(Gpt2Checkpoint.load(folder), Gpt2CheckpointTest.expected());
        log.clear();
        downloader(log).fetch("tiny/gpt2", tmp);
        assertTrue(log.isEmpty(), "files in place are kept: " + log);
    }

    @Test
    void aFolderIsUsedAsItIsAndANameIsDownloaded() throws IOException {
        assertEquals(FIXTURE, downloader(new ArrayList<>()).resolve(FIXTURE.toString(), tmp));
        assertTrue(ranges.isEmpty());
        assertEquals(HfDownload.folderOf(tmp, "tiny/gpt2"), downloader(new ArrayList<>()).resolve("tiny/gpt2", tmp));
    }

    @Test
    void aCorruptFileIsRefusedAndNotKept() {
        corrupt = true;
        IOException e = assertThrows(IOException.class, () -> downloader(new ArrayList<>()).fetch("tiny/gpt2", tmp));
        assertTrue(e.getMessage().contains("config.json has SHA-256"), e.getMessage());
        Path folder = HfDownload.folderOf(tmp, "tiny/gpt2");
        assertFalse(Files.exists(folder.resolve("config.json")));
        assertFalse(Files.exists(folder.resolve("config.json.part")));
    }

    /** A notebook's output must not show the machine's folders: a relative models root stays relative in results and messages. */
    @Test
    void aRelativeModelsRootStaysRelativeWhenTheServerCannotBeReached() throws IOException {
        Path root = Path.of("target", "hf-relative-" + System.nanoTime(), "models");      // does not exist yet
        assertEquals(HfDownload.folderOf(root, "tiny/gpt2"), downloader(new ArrayList<>()).fetch("tiny/gpt2", root));
        Path other = Path.of("target", "hf-relative-" + System.nanoTime(), "models");
        server.stop(0);                                                                 // nothing listens any more
        IOException e = assertThrows(IOException.class, () -> downloader(new ArrayList<>()).fetch("tiny/gpt2", other));
        assertTrue(e.getMessage().contains("cannot download config.json"), e.getMessage());
        assertTrue(e.getMessage().contains(" to " + HfDownload.folderOf(other, "tiny/gpt2") + " and load"), e.getMessage());
        assertFalse(e.getMessage().contains(Path.of("").toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void anUnknownModelOrABadNameIsNamed() {
        IOException e = assertThrows(IOException.class, () -> downloader(new ArrayList<>()).fetch("nobody/nothing", tmp));
        assertTrue(e.getMessage().contains("HTTP 404 for config.json"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> HfDownload.folderOf(tmp, "../etc"));
        assertTrue(bad.getMessage().contains("not a Hugging Face model name"), bad.getMessage());
    }
}
