package io.buildgpt.data;

import io.buildgpt.files.AtomicFiles;

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
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final java.util.function.Consumer<String> progress;

    /** A downloader that prints a progress line now and then while a slow download runs (see {@link DownloadProgress}). */
    public Downloader(DownloadConfig config) {
        this(config, System.out::println);
    }

    /** The same, giving the progress lines to {@code progress}. */
    Downloader(DownloadConfig config, java.util.function.Consumer<String> progress) {
        this.progress = progress;
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
        Path absolute = target.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        Path temp = PartFiles.of(absolute);
        try {
            Files.createDirectories(dir);
            PartFiles.removeStale(absolute, source.name());
            AtomicFiles.removeStaleTemporaries(absolute);
        } catch (IOException e) {
            throw new CorpusException("Cannot write to the data folder " + dir + ": " + WriteFailures.describe(dir, e)
                    + ". Make it writable, or set " + CorpusOptions.DIR_ENV + " to a folder that holds "
                    + source.fileName() + ".", e);
        }
        try {
            fetch(source, target, temp);
            byte[] raw = Files.readAllBytes(temp);
            if (raw.length == 0) {
                throw failure(source, target, "the server sent an empty file, which is never a complete corpus, so nothing was"
                        + " cached; check the URL, or try again later", null);
            }
            String notText = ResponseChecks.bodyProblem(source, raw);
            if (notText != null) throw failure(source, target, notText, null);
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
            // fsync, permissions and the atomic rename: see AtomicFiles
            AtomicFiles.write(absolute, source.format() == CorpusSource.Format.PLAIN ? raw : text.getBytes(StandardCharsets.UTF_8));
            return target;
        } catch (IOException e) {
            throw new CorpusException("Cannot write the downloaded corpus to " + absolute + ": " + WriteFailures.describe(dir, e)
                    + (e instanceof AccessDeniedException ? ". Make " + dir + " writable, or set " + CorpusOptions.DIR_ENV
                            + " to a folder you can write" : ". Check free disk space and permissions of " + dir) + ".", e);
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
                String loop = ResponseChecks.redirectProblem(status, response.headers().firstValue("Location").orElse(null));
                throw failure(source, target, loop != null ? loop : "the server answered HTTP " + status + statusHint(status), null);
            }
            String wrongType = ResponseChecks.contentTypeProblem(source, response.headers().firstValue("Content-Type").orElse(null));
            if (wrongType != null) throw failure(source, target, wrongType, null);
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            if (length.isPresent() && length.getAsLong() > config.maxBytes()) {
                throw oversized(source, target, "announces " + length.getAsLong() + " bytes");
            }
            long received = copy(body, temp, source, target, length);
            if (length.isPresent() && received != length.getAsLong()) {
                throw failure(source, target, "the download is truncated: got " + received + " of "
                        + length.getAsLong() + " bytes; try again", null);
            }
            if (!provablyComplete(response, length) && source.sha256() == null && received > 0) {
                // An HTTP/1.x body without a length or chunked framing ends when the connection closes,
                // which a server that died mid-file does too: such a body cannot be told from a truncated one.
                throw failure(source, target, "the server sent " + received + " bytes without saying how many (no"
                        + " Content-Length, not chunked) and the source has no checksum, so the download cannot be shown"
                        + " complete and was not cached; try again, or give the CorpusSource a sha256", null);
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
        DownloadProgress progress = new DownloadProgress(source.name(), length, config.totalTimeout(), this.progress);
        try (OutputStream out = Files.newOutputStream(temp)) {
            while (true) {
                Future<Integer> chunk = reader.submit(() -> body.read(buffer));
                int n;
                long left = progress.millisLeft();
                try {
                    if (left <= 0) throw new TimeoutException();
                    n = chunk.get(Math.min(config.readTimeout().toMillis(), left), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    chunk.cancel(true);
                    if (progress.millisLeft() <= 0) throw failure(source, target, progress.overDeadline(received), e);
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
                progress.update(received);
                if (received > config.maxBytes()) {
                    throw oversized(source, target, "sent more than that");
                }
                out.write(buffer, 0, n);
            }
        } finally {
            reader.shutdownNow();
        }
    }

    /** A body whose end is part of the protocol: a Content-Length (checked), chunked framing, or HTTP/2 framing. */
    private static boolean provablyComplete(HttpResponse<?> response, OptionalLong length) {
        return length.isPresent() || response.version() == HttpClient.Version.HTTP_2
                || response.headers().allValues("Transfer-Encoding").stream().anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("chunked"));
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
