package io.buildgpt.data;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A tokenizer that every text shares: its tokens are the text's UTF-8 bytes, ids 0..255.
 *
 * <p>Why bytes: a {@link CharTokenizer}'s vocabulary is the set of chars of one corpus, so a model
 * trained on Shakespeare has no id for {@code '{'} and cannot be fine-tuned on Java. With bytes the
 * vocabulary is the same 256 for prose and code, so a model pretrained on one is fine-tuned on the
 * other without changing its embedding or output layer. The price: a non-ASCII character takes 2 to
 * 4 tokens, and the model must learn to emit valid UTF-8.
 *
 * <p>{@link #encode} then {@link #decode} gives back any string exactly (lone surrogates excepted:
 * they are not Unicode text and UTF-8 cannot hold them; they encode as {@code '?'}). A model can
 * generate byte sequences that are not valid UTF-8 (half a character); {@link #decode} replaces each
 * malformed sequence with U+FFFD, as Python's {@code bytes.decode(errors="replace")} does, so
 * sampling never fails; {@link #decodeStrict} refuses them instead.
 */
public final class ByteTokenizer {
    /** Every byte value is a token. */
    public static final int VOCAB_SIZE = 256;

    public int vocabSize() {
        return VOCAB_SIZE;
    }

    /** The UTF-8 bytes of {@code text}, each as an id 0..255. */
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF; // signed byte -> 0..255
        return ids;
    }

    /** The text whose UTF-8 bytes are {@code ids}; malformed sequences become U+FFFD. */
    public String decode(int... ids) {
        return new String(toBytes(ids), StandardCharsets.UTF_8);
    }

    /** The same for int64 ids, e.g. a row of a generated tensor. */
    public String decode(long... ids) {
        int[] asInt = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= VOCAB_SIZE) throw outOfRange(ids[i], i);
            asInt[i] = (int) ids[i];
        }
        return decode(asInt);
    }

    /** Like {@link #decode}, but a malformed UTF-8 sequence is an error naming its position. */
    public String decodeStrict(int... ids) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(toBytes(ids));
        try {
            CharBuffer out = decoder.decode(in);
            return out.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("ids are not valid UTF-8 near byte " + in.position()
                    + ": use decode(...) to replace malformed sequences with U+FFFD", e);
        }
    }

    private static byte[] toBytes(int[] ids) {
        byte[] bytes = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= VOCAB_SIZE) throw outOfRange(ids[i], i);
            bytes[i] = (byte) ids[i];
        }
        return bytes;
    }

    private static IllegalArgumentException outOfRange(long id, int position) {
        return new IllegalArgumentException("id " + id + " at position " + position + " is out of range: byte ids are 0.." + (VOCAB_SIZE - 1));
    }

    @Override
    public String toString() {
        return "ByteTokenizer(UTF-8 bytes, vocabSize=" + VOCAB_SIZE + ")";
    }
}
