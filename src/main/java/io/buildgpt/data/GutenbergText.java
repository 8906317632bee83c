package io.buildgpt.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a Project Gutenberg plain-text ebook down to the book itself. The header (title page,
 * credits) and the licence after the book are boilerplate that would otherwise teach the model
 * legalese, and they are the same in every Gutenberg file.
 */
public final class GutenbergText {

    // Current files say "THE", older ones "THIS"; both keep the line shape "*** START OF ... ***".
    private static final Pattern START = Pattern.compile(
            "^\\*\\*\\*\\s*START OF (?:THE|THIS) PROJECT GUTENBERG EBOOK.*$",
            Pattern.MULTILINE | Pattern.CASE_INSENSITIVE);
    private static final Pattern END = Pattern.compile(
            "^\\*\\*\\*\\s*END OF (?:THE|THIS) PROJECT GUTENBERG EBOOK",
            Pattern.MULTILINE | Pattern.CASE_INSENSITIVE);

    private GutenbergText() {
    }

    /**
     * Returns the text between the {@code *** START OF THE PROJECT GUTENBERG EBOOK ...} line
     * (exclusive) and the {@code *** END OF THE PROJECT GUTENBERG EBOOK} line (exclusive),
     * with CRLF/CR line ends turned into LF, surrounding whitespace trimmed, and one final
     * newline so the file ends like any other text file (and like {@code shared/data}'s copy).
     *
     * @param what names the file or URL in the error message
     * @throws CorpusException if either marker is missing
     */
    public static String strip(String raw, String what) {
        String text = raw.replace("\r\n", "\n").replace('\r', '\n');
        Matcher start = START.matcher(text);
        if (!start.find()) {
            throw new CorpusException(what + " has no '*** START OF THE PROJECT GUTENBERG EBOOK' line, so it is "
                    + "not a Project Gutenberg text (or its format changed). Check the URL, or load the file "
                    + "as plain text with Corpus.fromFile(...).");
        }
        Matcher end = END.matcher(text);
        if (!end.find(start.end())) {
            throw new CorpusException(what + " has no '*** END OF THE PROJECT GUTENBERG EBOOK' line after its "
                    + "START line, so the download may be cut short or the format changed. Delete it and try "
                    + "again, or load the file as plain text with Corpus.fromFile(...).");
        }
        String body = text.substring(start.end(), end.start()).strip();
        if (body.isEmpty()) {
            throw new CorpusException(what + " has nothing between its Gutenberg START and END lines. "
                    + "Check that the URL points at the plain-text (.txt) edition of the book.");
        }
        return body + "\n";
    }
}
