package io.buildgpt.data;

/**
 * A file that matched the extension filter of a code folder but was left out, and why
 * (too big, over the total cap, not UTF-8), so the user can see what the corpus is missing.
 *
 * @param path   path relative to the scanned folder, with {@code /} separators
 * @param bytes  the file's size on disk
 * @param reason a short human-readable reason
 */
public record SkippedFile(String path, long bytes, String reason) {

    public SkippedFile {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path must be non-blank, got: " + path);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got: " + bytes);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must be non-blank for " + path);
        }
    }
}
