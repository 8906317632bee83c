package io.buildgpt.data;

import java.time.Duration;

/**
 * Limits for one corpus download. The defaults suit a lecture-sized text on a slow connection;
 * tests shrink them to keep failure cases fast.
 *
 * @param connectTimeout how long to wait for the TCP/TLS connection
 * @param readTimeout    how long to wait for the response headers, and then for each chunk of
 *                       the body (an inactivity limit, not a limit on the whole download)
 * @param maxBytes       size cap; a bigger file is refused so a wrong URL cannot fill the disk
 */
public record DownloadConfig(Duration connectTimeout, Duration readTimeout, long maxBytes) {

    /** 20 MB: eighteen times tinyshakespeare, far below anything that could hurt a laptop. */
    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;

    public DownloadConfig {
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("readTimeout", readTimeout);
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            // The corpus ends up in one String, so more than ~2 GB could never be loaded anyway.
            throw new IllegalArgumentException("maxBytes must be in [1, " + (Integer.MAX_VALUE - 8) + "], got: " + maxBytes);
        }
    }

    /** 10 s to connect, 30 s read timeout, 20 MB cap. */
    public static DownloadConfig defaults() {
        return new DownloadConfig(Duration.ofSeconds(10), Duration.ofSeconds(30), DEFAULT_MAX_BYTES);
    }

    public DownloadConfig withConnectTimeout(Duration timeout) {
        return new DownloadConfig(timeout, readTimeout, maxBytes);
    }

    public DownloadConfig withReadTimeout(Duration timeout) {
        return new DownloadConfig(connectTimeout, timeout, maxBytes);
    }

    public DownloadConfig withMaxBytes(long bytes) {
        return new DownloadConfig(connectTimeout, readTimeout, bytes);
    }

    private static void requirePositive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(field + " must be in (0 s, 1 h], got: " + d);
        }
    }
}
