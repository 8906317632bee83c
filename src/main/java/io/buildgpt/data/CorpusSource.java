package io.buildgpt.data;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a named corpus comes from and how to check it. Public so tests (and curious users) can
 * point the loader at another URL, e.g. a loopback server, without touching the registry.
 *
 * @param name   the corpus name, also its cache file name {@code <name>.txt}: lower-case letters,
 *               digits and dashes only, so it is safe as a file name on every OS
 * @param url    an http(s) URL
 * @param sha256 expected lower-case hex SHA-256 of the downloaded bytes, or null when the file
 *               legitimately changes over time (Project Gutenberg re-issues its files)
 * @param format how to turn the downloaded text into the corpus text
 */
public record CorpusSource(String name, URI url, String sha256, Format format) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /** What the downloaded file looks like. */
    public enum Format {
        /** Used as downloaded. */
        PLAIN,
        /** A Project Gutenberg ebook: header and licence are removed, see {@link GutenbergText}. */
        GUTENBERG,
        /**
         * An HTML page, used as downloaded, tags and all. Only a source of this format accepts an HTML answer:
         * the others refuse one, since it is usually a login or error page instead of the file.
         */
        HTML;

        String clean(String text, String what) {
            return this == GUTENBERG ? GutenbergText.strip(text, what) : text;
        }
    }

    public CorpusSource {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("corpus name must match [a-z0-9][a-z0-9-]* (it becomes a file name), got: "
                    + name);
        }
        if (url == null || url.getScheme() == null || url.getHost() == null
                || !(url.getScheme().toLowerCase(Locale.ROOT).equals("https")
                        || url.getScheme().toLowerCase(Locale.ROOT).equals("http"))) {
            throw new IllegalArgumentException("url of corpus '" + name + "' must be an absolute http(s) URL, got: " + url);
        }
        if (sha256 != null && !Checksums.isSha256(sha256)) {
            throw new IllegalArgumentException("sha256 of corpus '" + name
                    + "' must be 64 lower-case hex digits or null, got: " + sha256);
        }
        if (format == null) {
            throw new IllegalArgumentException("format of corpus '" + name + "' must not be null");
        }
    }

    /** The file name this corpus is cached under. */
    public String fileName() {
        return name + ".txt";
    }
}
