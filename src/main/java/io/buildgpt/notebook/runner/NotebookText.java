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
}
