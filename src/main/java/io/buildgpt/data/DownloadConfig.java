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
 * @param totalTimeout   how long the whole download may take, so that a server trickling a byte now and
 *                       then (never idle for a whole readTimeout) is stopped too
 */
public record DownloadConfig(Duration connectTimeout, Duration readTimeout, long maxBytes, Duration totalTimeout) {

    /** 10 minutes for the whole download: 20 MB (the default cap) at 35 kB/s. */
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(10);

    /** 20 MB: eighteen times tinyshakespeare, far below anything that could hurt a laptop. */
    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;

    public DownloadConfig {
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("readTimeout", readTimeout);
        requirePositive("totalTimeout", totalTimeout);
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            // The corpus ends up in one String, so more than ~2 GB could never be loaded anyway.
            throw new IllegalArgumentException("maxBytes must be in [1, " + (Integer.MAX_VALUE - 8) + "], got: " + maxBytes);
        }
    }

    /** The given limits, and {@link #DEFAULT_TOTAL_TIMEOUT} for the whole download. */
    public DownloadConfig(Duration connectTimeout, Duration readTimeout, long maxBytes) {
        this(connectTimeout, readTimeout, maxBytes, DEFAULT_TOTAL_TIMEOUT);
    }

    /** 10 s to connect, 30 s read timeout, 20 MB cap, 10 minutes in all. */
    public static DownloadConfig defaults() {
        return new DownloadConfig(Duration.ofSeconds(10), Duration.ofSeconds(30), DEFAULT_MAX_BYTES, DEFAULT_TOTAL_TIMEOUT);
    }

    public DownloadConfig withConnectTimeout(Duration timeout) {
        return new DownloadConfig(timeout, readTimeout, maxBytes, totalTimeout);
    }

    public DownloadConfig withReadTimeout(Duration timeout) {
        return new DownloadConfig(connectTimeout, timeout, maxBytes, totalTimeout);
    }

    public DownloadConfig withMaxBytes(long bytes) {
        return new DownloadConfig(connectTimeout, readTimeout, bytes, totalTimeout);
    }

    public DownloadConfig withTotalTimeout(Duration timeout) {
        return new DownloadConfig(connectTimeout, readTimeout, maxBytes, timeout);
    }

    private static void requirePositive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(field + " must be in (0 s, 1 h], got: " + d);
        }
    }
}
