package io.buildgpt.data;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The registry of corpora that notebooks can load by name with {@link Corpus#named(String)}. */
public final class NamedCorpora {

    /** The char-rnn / nanoGPT "tiny shakespeare" file; pinned by checksum so every run sees the same bytes. */
    public static final CorpusSource TINY_SHAKESPEARE = new CorpusSource("tinyshakespeare",
            URI.create("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"),
            "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
            CorpusSource.Format.PLAIN);

    /**
     * Kahlil Gibran, The Prophet (Project Gutenberg ebook 58585). No checksum: Gutenberg edits
     * its files now and then, and a pinned hash would turn each edit into a hard failure.
     */
    public static final CorpusSource GIBRAN_THE_PROPHET = new CorpusSource("gibran-the-prophet",
            URI.create("https://www.gutenberg.org/cache/epub/58585/pg58585.txt"),
            null,
            CorpusSource.Format.GUTENBERG);

    private static final Map<String, CorpusSource> BY_NAME = new LinkedHashMap<>();

    static {
        for (CorpusSource source : List.of(TINY_SHAKESPEARE, GIBRAN_THE_PROPHET)) {
            BY_NAME.put(source.name(), source);
        }
    }

    private NamedCorpora() {
    }

    /** The known names, in registry order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /**
     * The source registered under {@code name} (case and surrounding blanks ignored).
     *
     * @throws CorpusException naming the known corpora if there is none
     */
    public static CorpusSource lookup(String name) {
        String key = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        CorpusSource source = BY_NAME.get(key);
        if (source == null) {
            throw new CorpusException("Unknown corpus name '" + name + "'. Known corpora: "
                    + String.join(", ", names()) + ". To use your own text, call Corpus.fromFile(path).");
        }
        return source;
    }
}
