package io.buildgpt.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads files as strict UTF-8. {@code Files.readString} would also fail on bad bytes, but its
 * {@code MalformedInputException} says neither which file nor where; a learner with a
 * Latin-1 file needs both, so we decode by hand and report the byte offset.
 */
public final class Utf8Files {

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private Utf8Files() {
    }

    /** Reads {@code file} and decodes it strictly; see {@link #decode(byte[], String)}. */
    public static String read(Path file) {
        return decode(readBytes(file), file.toAbsolutePath().toString());
    }

    /** Reads all bytes, turning the usual I/O failures into one-line {@link CorpusException}s. */
    public static byte[] readBytes(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new CorpusException(abs + " is a folder, not a text file. "
                    + "Pass a file, or use Corpus.fromCodeFolder(...) to read every source file under it.");
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            // a named pipe (FIFO) would block the read until some other program writes to it: perhaps forever
            throw new CorpusException(abs + " is not a regular file (a named pipe, device or socket): reading it could wait"
                    + " forever for data. Pass a text file (save the pipe's output to a file first).");
        }
        try {
            requireHeapFor(Files.size(abs), abs.toString(), Runtime.getRuntime().maxMemory());
            return Files.readAllBytes(abs);
        } catch (NoSuchFileException e) {
            throw new CorpusException("File not found: " + abs
                    + ". Check the path (relative paths start at " + Path.of("").toAbsolutePath()
                    + "), or place the file there.", e);
        } catch (AccessDeniedException e) {
            throw new CorpusException("Cannot read " + abs + ": permission denied. Fix the file's permissions.", e);
        } catch (IOException e) {
            throw new CorpusException("Cannot read " + abs + ": " + e + ". Check the file and try again.", e);
        }
    }

    /** Heap a text file needs while it is read and decoded, per byte: the bytes, the decoded chars (2), the String (up to 2). */
    static final int LOAD_BYTES_PER_BYTE = 5;

    /**
     * Refuses, with its size, the limit and the setting to change, a file that cannot be loaded in this
     * heap (a bare OutOfMemoryError deep in the decoder would say none of that) or in one Java array.
     */
    static void requireHeapFor(long fileBytes, String what, long maxHeap) {
        if (fileBytes > Integer.MAX_VALUE - 8) {
            throw new CorpusException(what + " is " + mb(fileBytes) + ", but a corpus is held as one Java string, at most 2 GB"
                    + " (2147483639 bytes): use a part of it, e.g. `head -c 1000000000 big.txt > part.txt`.");
        }
        long needed = LOAD_BYTES_PER_BYTE * fileBytes;
        if (needed > maxHeap * 9 / 10) {
            throw new CorpusException(what + " is " + mb(fileBytes) + ": loading it needs about " + mb(needed) + " of heap ("
                    + LOAD_BYTES_PER_BYTE + " bytes per byte of text, then 4 bytes per character for its token ids), but this JVM"
                    + " may use at most " + mb(maxHeap) + " (-Xmx). Give it more, e.g. -Xmx" + Math.max(2, (needed * 2 >> 30) + 1)
                    + "g (the notebook runner: -J-Xmx...), or use a smaller file.");
        }
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /**
     * Decodes {@code bytes} as UTF-8, refusing malformed input instead of replacing it with
     * U+FFFD (silent replacement would put garbage characters into the vocabulary).
     * A leading byte-order mark, which some Windows editors write, is dropped.
     *
     * @param what the file or URL the bytes came from, named in the error message
     */
    public static String decode(byte[] bytes, String what) {
        refuseNulBytes(bytes, what);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // A UTF-8 sequence of n bytes decodes to at most n chars, so this buffer never overflows.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            throw new CorpusException(what + " is not valid UTF-8: "
                    + (result.isMalformed() ? "malformed" : "unmappable") + " byte sequence "
                    + hex(bytes, offset, result.length()) + " at byte offset " + offset
                    + ". Re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.txt > out.txt`) or pick another file.");
        }
        if (result.isOverflow()) {
            // Cannot happen given the buffer size above; fail loudly rather than truncate.
            throw new IllegalStateException("UTF-8 decoder overflow for " + what,
                    new CharacterCodingException());
        }
        out.flip();
        String text = out.toString();
        return !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
    }

    /**
     * Refuses bytes holding U+0000, which no text corpus has: a UTF-16 file saved without a byte-order mark
     * (every other byte 0x00; it decodes as "valid" UTF-8 with NULs between the letters), a file of zeros,
     * or some other binary file. Each would otherwise put NUL into the vocabulary without a word.
     */
    static void refuseNulBytes(byte[] bytes, String what) {
        int first = -1, even = 0, odd = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (first < 0) first = i;
                if ((i & 1) == 0) even++; else odd++;
            }
        }
        if (first < 0) return;
        if (even + odd == bytes.length) {
            throw new CorpusException(what + " holds only NUL bytes (" + bytes.length + " bytes of 0x00), not text"
                    + " (a file that was never written, or a binary file). Pass a UTF-8 text file.");
        }
        int half = bytes.length / 2;
        if (half > 0 && (odd >= 0.3 * half && even <= odd / 20 || even >= 0.3 * half && odd <= even / 20)) {
            String endian = odd > even ? "LE" : "BE";
            throw new CorpusException(what + " looks like UTF-16" + endian + " text without a byte-order mark (every other byte is 0x00),"
                    + " not UTF-8. Save it as UTF-8, e.g. `iconv -f UTF-16" + endian + " -t UTF-8 in.txt > out.txt`.");
        }
        throw new CorpusException(what + " contains NUL bytes (0x00), the first at byte offset " + first + ": a binary file, not text."
                + " Pass a UTF-8 text file.");
    }

    private static String hex(byte[] bytes, int offset, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = offset; i < Math.min(bytes.length, offset + Math.max(1, length)); i++) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("0x%02X", bytes[i] & 0xFF));
        }
        return sb.toString();
    }
}
