package io.buildgpt.data;

/**
 * One source file inside a code-folder corpus.
 *
 * <p>{@code [start, end)} is the file's span in {@link Corpus#text()}, measured in Java chars,
 * and it <em>includes</em> the separator line that names the file (see
 * {@link Corpus#FILE_SEPARATOR_FORMAT}). The spans of a corpus tile its text exactly, so a
 * later step can hold out whole files for validation by cutting at these offsets.
 *
 * @param path  path relative to the scanned folder, always with {@code /} separators
 * @param start offset of the separator line (inclusive)
 * @param end   offset just past the file's last newline (exclusive)
 */
public record CodeFile(String path, int start, int end) {

    public CodeFile {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path must be a non-blank relative path, got: " + path);
        }
        if (start < 0 || end < start) {
            throw new IllegalArgumentException(
                    "need 0 <= start <= end, got start=" + start + ", end=" + end + " for " + path);
        }
    }

    /** Number of chars in the span, separator line included. */
    public int length() {
        return end - start;
    }
}
