package io.buildgpt.data;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What tells a server's answer from a corpus before anything is cached: an HTML page (a login, error or
 * "file moved" page sent with status 200) or a binary file (an archive, image, PDF) is refused unless the
 * source says it expects HTML ({@link CorpusSource.Format#HTML}); a redirect the HTTP client stopped
 * following is named as one. A source with a sha256 is vouched for by its checksum instead.
 */
final class ResponseChecks {
    private ResponseChecks() {
    }

    /** Why a response of {@code contentType} (may be null) cannot be {@code source}'s corpus, or null when it may be. */
    static String contentTypeProblem(CorpusSource source, String contentType) {
        if (contentType == null || source.sha256() != null) return null;
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if ((type.equals("text/html") || type.equals("application/xhtml+xml")) && source.format() != CorpusSource.Format.HTML) {
            return htmlProblem("Content-Type " + type);
        }
        boolean binary = type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/") || type.startsWith("font/")
                || type.equals("application/zip") || type.equals("application/gzip") || type.equals("application/x-gzip")
                || type.equals("application/pdf") || type.equals("application/x-tar") || type.equals("application/x-bzip2")
                || type.equals("application/x-7z-compressed") || type.equals("application/x-xz") || type.equals("application/zstd");
        if (binary) {
            return "the server sent a binary file (Content-Type " + type + "), not the text of a corpus, so nothing was cached;"
                    + " check the URL, and if it is an archive, unpack it and give the text file's path instead";
        }
        return null;
    }

    /** The same check on the body itself, for a server that sends HTML without saying so (or as text/plain). */
    static String bodyProblem(CorpusSource source, byte[] body) {
        if (source.sha256() != null || source.format() == CorpusSource.Format.HTML) return null;
        String start = new String(body, 0, Math.min(body.length, 256), StandardCharsets.ISO_8859_1).stripLeading()
                .replace("\u00EF\u00BB\u00BF", "").toLowerCase(Locale.ROOT);
        if (start.startsWith("<!doctype html") || start.startsWith("<html")) {
            return htmlProblem("a body starting with " + (start.startsWith("<html") ? "<html" : "<!DOCTYPE html"));
        }
        return null;
    }

    private static String htmlProblem(String evidence) {
        return "the server sent an HTML page (" + evidence + "), not the plain text of a corpus: often a login, error or"
                + " 'file moved' page. Nothing was cached; open the URL in a browser and give the address of the raw text file,"
                + " or use CorpusSource.Format.HTML if the corpus really is that page";
    }

    /** Why a redirect status that the client returned (it follows at most a few) means the download cannot go on, or null. */
    static String redirectProblem(int status, String location) {
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) return null;
        return "the server redirected too many times (the last answer was HTTP " + status
                + (location == null ? "" : " to " + location) + "): a redirect loop, often a login or cookie wall;"
                + " open the URL in a browser and give the address the file finally comes from";
    }
}
