package io.buildgpt.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Downloads a corpus into its cache file so that the cache only ever holds a complete, verified
 * file: bytes go to a temp file in the same folder, are checked (size cap, Content-Length,
 * checksum, UTF-8), cleaned, and only then moved over the target in one atomic rename. On any
 * failure the temp file is deleted and the target, if present, is left as it was.
 */
public final class Downloader {

    private static final int CHUNK = 64 * 1024;

    private final DownloadConfig config;
    private final HttpClient client;

    public Downloader(DownloadConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null; use DownloadConfig.defaults()");
        }
        this.config = config;
        this.client = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * Downloads {@code source} to {@code target} (created or replaced atomically).
     *
     * @return {@code target}
     * @throws CorpusException saying what failed and how to work offline
     */
    public Path download(CorpusSource source, Path target) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp;
        try {
            Files.createDirectories(dir);
            // Same folder as the target, so the final rename never crosses file systems.
            temp = Files.createTempFile(dir, "." + source.name() + "-", ".part");
        } catch (IOException e) {
            throw new CorpusException("Cannot write to the data folder " + dir + ": " + e
                    + ". Make it writable, or set " + CorpusOptions.DIR_ENV + " to a folder that holds "
                    + source.fileName() + ".", e);
        }
        try {
            fetch(source, target, temp);
            byte[] raw = Files.readAllBytes(temp);
            Checksums.verify(raw, source.sha256(), "the download from " + source.url(),
                    "The server sent a different file (or it was corrupted on the way); try again later. "
                            + offlineHint(source, target));
            String text;
            try {
                text = source.format().clean(Utf8Files.decode(raw, "The download from " + source.url()),
                        "the download from " + source.url());
            } catch (CorpusException e) {
                // Bad encoding or missing Gutenberg markers: the server's file is the problem,
                // so the offline route is the useful fix.
                throw new CorpusException(e.getMessage() + " " + offlineHint(source, target), e);
            }
            if (source.format() != CorpusSource.Format.PLAIN) {
                Files.writeString(temp, text, StandardCharsets.UTF_8);
            }
            moveIntoPlace(temp, target);
            return target;
        } catch (IOException e) {
            throw new CorpusException("Cannot write the downloaded corpus to " + temp + ": " + e
                    + ". Check free disk space and permissions of " + dir + ".", e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** The offline advice that ends every download error message. */
    static String offlineHint(CorpusSource source, Path target) {
        return "To work offline, put the file at " + target.toAbsolutePath() + " or set " + CorpusOptions.DIR_ENV
                + " (or -D" + CorpusOptions.DIR_PROPERTY + "=...) to a folder holding " + source.fileName() + ".";
    }

    private void fetch(CorpusSource source, Path target, Path temp) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(source.url())
                .timeout(config.readTimeout()) // bounds the wait for the response headers
                .header("User-Agent", "build-gpt-corpus/0.1 (java.net.http)")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw failure(source, target, describe(e, source.url()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(source, target, "the download was interrupted", e);
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status != 200) {
                throw failure(source, target, "the server answered HTTP " + status + statusHint(status), null);
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            if (length.isPresent() && length.getAsLong() > config.maxBytes()) {
                throw oversized(source, target, "announces " + length.getAsLong() + " bytes");
            }
            long received = copy(body, temp, source, target, length);
            if (length.isPresent() && received != length.getAsLong()) {
                throw failure(source, target, "the download is truncated: got " + received + " of "
                        + length.getAsLong() + " bytes; try again", null);
            }
        }
    }

    /**
     * Copies the body, waiting at most readTimeout for each chunk. The HTTP client's own
     * timeout stops at the response headers, so a server that stalls mid-body would otherwise
     * hang the notebook forever; each read runs on a helper thread we can interrupt.
     */
    private long copy(InputStream body, Path temp, CorpusSource source, Path target, OptionalLong length)
            throws IOException {
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "corpus-download-" + source.name());
            t.setDaemon(true);
            return t;
        });
        byte[] buffer = new byte[CHUNK];
        long received = 0;
        try (OutputStream out = Files.newOutputStream(temp)) {
            while (true) {
                Future<Integer> chunk = reader.submit(() -> body.read(buffer));
                int n;
                try {
                    n = chunk.get(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    chunk.cancel(true);
                    throw failure(source, target, "no data arrived for " + config.readTimeout().toMillis()
                            + " ms after " + received + " bytes (read timeout); the network or server is too slow", e);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    String problem = length.isPresent()
                            ? "the download is truncated: the connection broke after " + received + " of "
                                    + length.getAsLong() + " bytes (" + firstMessage(cause) + "); try again"
                            : "the connection broke after " + received + " bytes (" + firstMessage(cause) + ")";
                    throw failure(source, target, problem, cause);
                } catch (InterruptedException e) {
                    chunk.cancel(true);
                    Thread.currentThread().interrupt();
                    throw failure(source, target, "the download was interrupted", e);
                }
                if (n < 0) {
                    return received;
                }
                received += n;
                if (received > config.maxBytes()) {
                    throw oversized(source, target, "sent more than that");
                }
                out.write(buffer, 0, n);
            }
        } finally {
            reader.shutdownNow();
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Some network/FUSE file systems cannot rename atomically; a plain replace is the
            // best they offer, and the file is already fully verified at this point.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private CorpusException oversized(CorpusSource source, Path target, String detail) {
        return failure(source, target, "the file is over the size cap of " + config.maxBytes() + " bytes (the server "
                + detail + "); check the URL, or raise DownloadConfig.maxBytes if the file is really that big", null);
    }

    private static CorpusException failure(CorpusSource source, Path target, String problem, Throwable cause) {
        return new CorpusException("Download of corpus '" + source.name() + "' from " + source.url() + " failed: "
                + problem + ". " + offlineHint(source, target), cause);
    }

    /** Turns the HTTP client's terse exceptions (often with a null message) into a sentence. */
    private String describe(IOException e, URI url) {
        if (e instanceof HttpConnectTimeoutException) {
            return "could not connect to " + url.getHost() + " within " + config.connectTimeout().toMillis()
                    + " ms (no network, or a firewall/proxy in the way)";
        }
        if (e instanceof HttpTimeoutException) {
            return "no response within " + config.readTimeout().toMillis() + " ms (read timeout)";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "the host " + url.getHost() + " could not be resolved (no network, or DNS is down)";
            }
            if (t instanceof SSLException) {
                return "the secure (TLS) connection failed: " + firstMessage(t);
            }
        }
        if (e instanceof ConnectException) {
            return "could not connect to " + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "")
                    + " (" + detail(e, "connection refused or host unreachable") + "; no network, or the server is down)";
        }
        return firstMessage(e);
    }

    /** The first non-blank message in the cause chain, else {@code fallback}. */
    private static String detail(Throwable e, String fallback) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return fallback;
    }

    private static String firstMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e == null ? "unknown error" : e.getClass().getSimpleName();
    }

    private static String statusHint(int status) {
        if (status == 404 || status == 410) {
            return " (not found: the file moved or the URL is wrong)";
        }
        if (status == 403 || status == 429) {
            return " (refused or rate-limited: try again later)";
        }
        return status >= 500 ? " (server error: try again later)" : "";
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // Nothing useful to tell the user: the real error (if any) is already on its way,
            // and a leftover hidden .part file is harmless.
        }
    }
}
