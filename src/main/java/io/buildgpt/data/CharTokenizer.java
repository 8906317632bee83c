package io.buildgpt.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The lecture's character-level tokenizer: the vocabulary is the sorted set of distinct characters
 * of the text, {@code stoi} maps a character to its id and {@code itos} maps back.
 */
public final class CharTokenizer {
    private final char[] itos;          // id -> character, sorted
    private final int[] stoiTable;      // character -> id, -1 where the character is unknown

    private CharTokenizer(char[] sortedChars) {
        if (sortedChars.length == 0) {
            throw new IllegalArgumentException("cannot build a vocabulary from an empty text: load a corpus with at least one character");
        }
        this.itos = sortedChars;
        this.stoiTable = new int[Character.MAX_VALUE + 1];
        Arrays.fill(stoiTable, -1);
        for (int i = 0; i < sortedChars.length; i++) stoiTable[sortedChars[i]] = i;
    }

    /** The vocabulary of {@code text}: every distinct character, in sorted order. */
    public static CharTokenizer fromText(String text) {
        TreeSet<Character> chars = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) chars.add(text.charAt(i));
        char[] sorted = new char[chars.size()];
        int i = 0;
        for (char c : chars) sorted[i++] = c;
        return new CharTokenizer(sorted);
    }

    /** Number of distinct characters, the lecture's {@code vocab_size}. */
    public int vocabSize() {
        return itos.length;
    }

    /** The vocabulary as one string, in id order. */
    public String vocabulary() {
        return new String(itos);
    }

    /** {@code stoi} as a map, for display. */
    public Map<Character, Integer> stoi() {
        Map<Character, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < itos.length; i++) map.put(itos[i], i);
        return map;
    }

    /** {@code itos}: the character of one id. */
    public char itos(int id) {
        checkId(id, -1);
        return itos[id];
    }

    /** Text to ids. An unknown character fails with its position, so a user can find it. */
    public int[] encode(String text) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            char c = text.charAt(i);
            int id = stoiTable[c];
            if (id < 0) {
                throw new IllegalArgumentException(String.format(
                        "unknown character %s at position %d: it is not in this tokenizer's vocabulary of %d characters; "
                                + "build the tokenizer from a text that contains it, or remove it from the input",
                        describe(text.codePointAt(i)), i, itos.length));
            }
            ids[i] = id;
        }
        return ids;
    }

    /** {@code text} without the characters this vocabulary lacks, e.g. to encode a demo phrase on any corpus. */
    public String keepKnown(String text) {
        StringBuilder kept = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (stoiTable[text.charAt(i)] >= 0) kept.append(text.charAt(i));
        }
        return kept.toString();
    }

    /** Ids back to text. */
    public String decode(int... ids) {
        char[] out = new char[ids.length];
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
            out[i] = itos[ids[i]];
        }
        return new String(out);
    }

    /** Ids back to text, from long ids as stored in an int64 tensor. */
    public String decode(long... ids) {
        int[] asInt = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= itos.length) checkId(-1, i);
            asInt[i] = (int) ids[i];
        }
        return decode(asInt);
    }

    private void checkId(int id, int position) {
        if (id < 0 || id >= itos.length) {
            throw new IllegalArgumentException("token id " + id + (position >= 0 ? " at position " + position : "")
                    + " is outside the vocabulary 0.." + (itos.length - 1) + "; decode only ids this tokenizer produced");
        }
    }

    /** A character (code point) as a reader can see it, also when it is a newline, a space or an emoji. */
    public static String describe(int codePoint) {
        String shown = switch (codePoint) {
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            case ' ' -> "space";
            default -> new String(Character.toChars(codePoint));
        };
        return String.format("'%s' (U+%04X)", shown, codePoint);
    }

    @Override
    public String toString() {
        return "CharTokenizer(vocab_size=" + itos.length + ")";
    }
}
