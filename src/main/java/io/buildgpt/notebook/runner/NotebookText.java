package io.buildgpt.notebook.runner;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** A notebook file's bytes as text: strict UTF-8, with a message naming the encoding it probably is instead. */
final class NotebookText {
    private NotebookText() {
    }

    static String decode(byte[] bytes, Path file) {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            throw new IllegalArgumentException(file + " is UTF-16 (it starts with a UTF-16 byte-order mark), but notebooks"
                    + " are UTF-8: convert it, e.g. iconv -f UTF-16 -t UTF-8, or save it again from Jupyter");
        }
        wideOrBinary(bytes, file);
        int start = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = Math.min(in.position(), bytes.length - 1);
            throw new IllegalArgumentException(file + " is not valid UTF-8 (byte 0x"
                    + String.format(Locale.ROOT, "%02X", bytes[offset] & 0xFF) + " at offset " + offset
                    + "; Latin-1 or Windows-1252?), but notebooks are UTF-8: convert it, e.g. iconv -f LATIN1 -t UTF-8,"
                    + " or save it again from Jupyter");
        }
        return out.flip().toString();
    }

    /**
     * UTF-8 JSON has no NUL byte. Where NULs fall tells UTF-16 or UTF-32 without a byte-order mark (JSON's
     * characters are ASCII, so each has one non-zero byte: one zero in two, or three in four) from a file
     * that is not text.
     */
    private static void wideOrBinary(byte[] bytes, Path file) {
        int firstNul = -1;
        int[] zerosAt = new int[4]; // zero bytes per position modulo 4
        int sample = Math.min(bytes.length, 4096) & ~3;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (firstNul < 0) {
                    firstNul = i;
                }
                if (i < sample) {
                    zerosAt[i & 3]++;
                }
            }
        }
        if (firstNul < 0) {
            return;
        }
        // most, not all: a character beyond Latin-1 (or beyond the BMP for UTF-32) has more non-zero bytes
        int quarter = sample / 4;
        int pairs = sample / 2;
        int even = zerosAt[0] + zerosAt[2];
        int odd = zerosAt[1] + zerosAt[3];
        String encoding = null;
        if (quarter > 0 && Math.min(zerosAt[2], zerosAt[3]) >= quarter * 9 / 10 && zerosAt[1] >= quarter * 9 / 10
                && zerosAt[0] <= quarter / 10) {
            encoding = "UTF-32LE";
        } else if (quarter > 0 && Math.min(zerosAt[0], zerosAt[1]) >= quarter * 9 / 10 && zerosAt[2] >= quarter * 9 / 10
                && zerosAt[3] <= quarter / 10) {
            encoding = "UTF-32BE";
        } else if (pairs > 0 && odd >= pairs * 9 / 10 && even <= pairs / 10) {
            encoding = "UTF-16LE";
        } else if (pairs > 0 && even >= pairs * 9 / 10 && odd <= pairs / 10) {
            encoding = "UTF-16BE";
        }
        if (encoding == null) {
            throw new IllegalArgumentException(file + " has a NUL byte at offset " + firstNul + ", so it is not UTF-8 text;"
                    + " notebooks are UTF-8 JSON: is it a notebook at all?");
        }
        String evidence = encoding.startsWith("UTF-32") ? "three bytes in four are 0" : "every other byte is 0";
        throw new IllegalArgumentException(file + " is " + encoding + " without a byte-order mark (it has NUL bytes: "
                + evidence + "), but notebooks are UTF-8: convert it, e.g. iconv -f " + encoding
                + " -t UTF-8, or save it again from Jupyter");
    }
}
