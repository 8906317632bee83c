package io.buildgpt.data;

import java.util.Locale;

/**
 * The numbers a notebook shows right after loading a corpus.
 *
 * @param name     corpus name (a registered name, or the file/folder name)
 * @param chars    length in Java chars (UTF-16 units), the unit the tokenizers work in
 * @param distinct number of distinct chars, i.e. the vocabulary size of a char tokenizer
 * @param source   where the text came from, without this machine's folders (see {@link Corpus#origin()})
 */
public record CorpusStats(String name, int chars, int distinct, String source) {

    public CorpusStats {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be non-blank, got: " + name);
        }
        if (chars < 0 || distinct < 0 || distinct > chars) {
            throw new IllegalArgumentException(
                    "need 0 <= distinct <= chars, got chars=" + chars + ", distinct=" + distinct);
        }
        if (source == null) {
            throw new IllegalArgumentException("source must not be null for " + name);
        }
    }

    @Override
    public String toString() {
        // ROOT locale: always "1,115,394", matching the lecture, whatever the machine's locale.
        return String.format(Locale.ROOT, "%s: %,d chars, %,d distinct (%s)", name, chars, distinct, source);
    }
}
