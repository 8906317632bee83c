package io.buildgpt.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A training text plus where it came from. Notebooks start here:
 *
 * <pre>{@code
 * Corpus corpus = Corpus.named("tinyshakespeare");
 * corpus.stats();       // tinyshakespeare: 1,115,394 chars, 65 distinct (tinyshakespeare.txt from the cache)
 * corpus.preview(200);
 * }</pre>
 *
 * <p>Lengths and offsets are in Java chars (UTF-16 code units), not code points: the tokenizers
 * index the text by char, and the lecture corpora are BMP-only anyway, where the two agree.
 */
public final class Corpus {

    /**
     * The line written before each file of a code-folder corpus, a {@link String#format} pattern
     * taking the relative path with {@code /} separators, e.g.
     * {@code // ===== src/main/java/Foo.java =====}. It looks like a comment so the model learns
     * where files start and a human can find a file in the text.
     */
    public static final String FILE_SEPARATOR_FORMAT = "// ===== %s =====";

    private final String name;
    private final String text;
    private final String source;
    private final String origin;
    private final List<CodeFile> files;
    private final List<SkippedFile> skipped;
    private final String distinctChars;

    Corpus(String name, String text, String source, String origin) {
        this(name, text, source, origin, List.of(), List.of());
    }

    /**
     * @param source where the text came from, for messages (may hold this machine's paths)
     * @param origin the same for a reader, without this machine's folders: "tinyshakespeare.txt from the cache"
     */
    Corpus(String name, String text, String source, String origin, List<CodeFile> files, List<SkippedFile> skipped) {
        if (text == null || text.isBlank()) {
            // An empty corpus only fails later with an obscure "vocabulary size 0"; say it now.
            throw new CorpusException("Corpus '" + name + "' from " + source + " is empty"
                    + (text == null || text.isEmpty() ? "" : " (only whitespace)")
                    + ". Check the file, or delete it if it is a broken cached download.");
        }
        this.name = name;
        this.text = text;
        this.source = source;
        this.origin = origin;
        this.files = List.copyOf(files);
        this.skipped = List.copyOf(skipped);
        this.distinctChars = computeDistinct(text);
    }

    /**
     * What a notebook's one {@code corpus} parameter names: a registered corpus such as
     * {@code "tinyshakespeare"} or {@code "gibran-the-prophet"}, or else the path of your own UTF-8 text file.
     */
    public static Corpus open(String nameOrPath) {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("corpus must name a corpus (" + String.join(", ", NamedCorpora.names())
                    + ") or a text file, got: '" + nameOrPath + "'");
        }
        boolean known = NamedCorpora.names().stream().anyMatch(n -> n.equalsIgnoreCase(nameOrPath.strip()));
        boolean looksLikePath = nameOrPath.contains("/") || nameOrPath.contains("\\") || nameOrPath.contains(".");
        return known || !looksLikePath ? named(nameOrPath) : fromFile(Path.of(nameOrPath));
    }

    /** A registered corpus ({@link NamedCorpora#names()}) with {@link CorpusOptions#defaults()}. */
    public static Corpus named(String name) {
        return named(name, CorpusOptions.defaults());
    }

    /** A registered corpus, using {@code options} for the cache folder, local folder and download limits. */
    public static Corpus named(String name, CorpusOptions options) {
        return load(NamedCorpora.lookup(name), options);
    }

    /** Any corpus source (e.g. your own URL): local folder, else cache, else download. */
    public static Corpus load(CorpusSource source, CorpusOptions options) {
        if (source == null || options == null) {
            throw new IllegalArgumentException("source and options must not be null, got: " + source + ", " + options);
        }
        return NamedCorpusLoader.load(source, options);
    }

    /** Any UTF-8 text file; its name (without extension) becomes the corpus name. */
    public static Corpus fromFile(Path file) {
        String text = Utf8Files.read(file);
        Path abs = file.toAbsolutePath().normalize();
        String fileName = abs.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        return new Corpus(dot > 0 ? fileName.substring(0, dot) : fileName, text, abs.toString(), "from the file " + fileName);
    }

    /** Text already in memory (e.g. after {@link GutenbergText#strip}); handy for experiments. */
    public static Corpus fromText(String name, String text) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be non-blank, got: " + name);
        }
        return new Corpus(name, text, "text in memory", "text in memory");
    }

    /** Every source file under {@code root} with {@link CodeFolderOptions#defaults()}. */
    public static Corpus fromCodeFolder(Path root) {
        return fromCodeFolder(root, CodeFolderOptions.defaults());
    }

    /** Every matching source file under {@code root}; see {@link #FILE_SEPARATOR_FORMAT} for the layout. */
    public static Corpus fromCodeFolder(Path root, CodeFolderOptions options) {
        return CodeFolderReader.read(root, options);
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
    }

    /** Where the text came from: a path on this machine, possibly with "(cached)" or the download URL. */
    public String source() {
        return source;
    }

    /**
     * Where the text came from, as a notebook may show it: the file's name and whether it came from the
     * cache, a download or the local corpus folder, never this machine's folders.
     */
    public String origin() {
        return origin;
    }

    /** Length in Java chars (see the class comment for why not code points). */
    public int length() {
        return text.length();
    }

    /** The distinct chars of the text in ascending order: a char tokenizer's vocabulary. */
    public String distinctChars() {
        return distinctChars;
    }

    /**
     * The first {@code n} chars (all of them if the text is shorter), never ending in the middle
     * of a surrogate pair.
     */
    public String preview(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("preview length must be >= 0, got: " + n);
        }
        int end = Math.min(n, text.length());
        if (end > 0 && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    /**
     * The {@code n} least frequent characters with their counts, rarest first: where a scanned book's
     * artefacts (stray symbols, mis-read letters) and a text's oddities show up, e.g.
     * {@code '$' (U+0024) x1, '&' (U+0026) x3}.
     */
    public String rarestChars(int n) {
        if (n < 1) throw new IllegalArgumentException("n = " + n + " is out of range: ask for at least 1 character");
        int[] counts = new int[Character.MAX_VALUE + 1];
        for (int i = 0; i < text.length(); i++) counts[text.charAt(i)]++;
        return distinctChars.chars().boxed()
                .sorted(java.util.Comparator.comparingInt((Integer c) -> counts[c]).thenComparingInt(c -> c))
                .limit(n)
                .map(c -> CharTokenizer.describe(c) + " x" + counts[c])
                .collect(java.util.stream.Collectors.joining(", "));
    }

    public CorpusStats stats() {
        return new CorpusStats(name, text.length(), distinctChars.length(), origin);
    }

    /** For code-folder corpora the included files in text order, with their spans; else empty. */
    public List<CodeFile> files() {
        return files;
    }

    /** For code-folder corpora the matching files left out, with the reason; else empty. */
    public List<SkippedFile> skipped() {
        return skipped;
    }

    @Override
    public String toString() {
        return stats().toString();
    }

    private static String computeDistinct(String text) {
        boolean[] seen = new boolean[Character.MAX_VALUE + 1];
        for (int i = 0; i < text.length(); i++) {
            seen[text.charAt(i)] = true;
        }
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < seen.length; c++) {
            if (seen[c]) {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
