package io.buildgpt.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ByteTokenizerTest {
    private final ByteTokenizer tok = new ByteTokenizer();

    @Test
    void roundTripsAnyTextIncludingNonAscii() {
        for (String text : new String[]{"", "int x = 1;\n", "Grüße, naïve café — ½ 日本語 \uD83D\uDE80 emoji \uD83D\uDC4D\uD83C\uDFFD", "tab\tcr\r\n\u0000nul"}) {
            int[] ids = tok.encode(text);
            for (int id : ids) assertTrue(id >= 0 && id < 256);
            assertEquals(text, tok.decode(ids));
            assertEquals(text, tok.decodeStrict(ids));
        }
        assertArrayEquals(new int[]{0xF0, 0x9F, 0x9A, 0x80}, tok.encode("\uD83D\uDE80"), "a rocket is four bytes");
        assertArrayEquals(new int[]{'a', 0xC3, 0xA9}, tok.encode("aé"));
        assertEquals(256, tok.vocabSize());
        assertEquals("hi", tok.decode(new long[]{'h', 'i'}));
    }

    @Test
    void halfACharacterDecodesToTheReplacementCharacterOrIsRefused() {
        int[] rocket = tok.encode("a\uD83D\uDE80b");
        int[] cut = {rocket[0], rocket[1], rocket[2], rocket[5]}; // 'a', two of four bytes, 'b'
        assertEquals("a\uFFFDb", tok.decode(cut));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decodeStrict(cut));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tok.decode(256));
        assertTrue(e.getMessage().contains("id 256") && e.getMessage().contains("0..255"), e.getMessage());
    }
}
