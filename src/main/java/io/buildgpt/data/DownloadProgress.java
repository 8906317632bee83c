package io.buildgpt.data;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The clock of one download: how long it may still take ({@link DownloadConfig#totalTimeout}), and a
 * progress line every {@link #interval} while it runs, so that a slow download shows it is alive. A
 * download done within the first interval prints nothing.
 */
final class DownloadProgress {
    private final String name;
    private final OptionalLong length;
    private final Duration total;
    private final Consumer<String> out;
    private final long start = System.nanoTime();
    private final long interval;
    private long nextReport;

    DownloadProgress(String name, OptionalLong length, Duration total, Consumer<String> out) {
        this.name = name;
        this.length = length;
        this.total = total;
        this.out = out;
        // every 10 s, or four times within a short overall limit
        this.interval = Math.min(Duration.ofSeconds(10).toNanos(), total.toNanos() / 4);
        this.nextReport = start + interval;
    }

    /** Milliseconds left before the overall limit. */
    long millisLeft() {
        return total.toMillis() - (System.nanoTime() - start) / 1_000_000;
    }

    /** Reports {@code received} bytes when an interval has passed since the last line. */
    void update(long received) {
        long now = System.nanoTime();
        if (now < nextReport) return;
        nextReport = now + interval;
        out.accept(String.format(Locale.ROOT, "downloading %s: %s%s after %.0f s", name, size(received),
                length.isPresent() ? " of " + size(length.getAsLong()) + " (" + 100 * received / Math.max(1, length.getAsLong()) + "%)" : "",
                (now - start) / 1e9));
    }

    /** The problem to report when the overall limit passed after {@code received} bytes. */
    String overDeadline(long received) {
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format(Locale.ROOT, "the download did not finish within the overall limit of %d ms (DownloadConfig.totalTimeout):"
                        + " got %d%s bytes, about %s per second, so the server or network is too slow; try again later, or allow"
                        + " more time with DownloadConfig.withTotalTimeout(...)", total.toMillis(), received,
                length.isPresent() ? " of " + length.getAsLong() : "", size((long) (received / Math.max(seconds, 1e-3))));
    }

    private static String size(long bytes) {
        if (bytes < 1000) return bytes + " B";
        if (bytes < 1_000_000) return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
