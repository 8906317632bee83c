package io.buildgpt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class WholeUtf8Test {
    private static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xFF;
        return out;
    }

    @Test
    void validTextComesBackExactly() {
        String s = "ASCII, é (2 bytes), € (3 bytes), 🙂 (4 bytes), 中文";
        assertEquals(s, WholeUtf8.decode(bytes(s)));
    }

    @Test
    void anIncompleteCharacterIsHeldBackUntilItIsWhole() {
        int[] smile = bytes("🙂");                         // F0 9F 99 82
        WholeUtf8 w = new WholeUtf8();
        assertEquals("a", w.accept('a'));
        for (int i = 0; i < 3; i++) {
            assertEquals("", w.accept(smile[i]));
            assertEquals(i + 1, w.heldBack());
        }
        assertEquals("🙂", w.accept(smile[3]));
        assertEquals(0, w.heldBack());
        int[] cut = {'x', 0xE2, 0x82};                      // "x" and two of the three bytes of "€"
        assertEquals("x", WholeUtf8.decode(cut), "the cut character is not shown as U+FFFD");
    }

    @Test
    void brokenSequencesAreLeftOutNotShownAsReplacementCharacters() {
        WholeUtf8 w = new WholeUtf8();
        // a lead byte then ASCII; a stray continuation; an overlong C0 80; a surrogate ED A0 80; 0xFF
        String out = w.acceptAll(0xC3, 'a', 0x80, 'b', 0xC0, 0x80, 'c', 0xED, 0xA0, 0x80, 'd', 0xFF, 'e');
        assertEquals("abcde", out);
        assertFalse(out.contains("\uFFFD"));
        assertEquals(1 + 1 + 2 + 3 + 1, w.dropped());
        assertThrows(IllegalArgumentException.class, () -> w.accept(256));
    }

    @Test
    void everyByteSequenceDecodesWithoutReplacementCharacters() {
        java.util.Random r = new java.util.Random(1);
        for (int trial = 0; trial < 200; trial++) {
            int[] b = new int[r.nextInt(40)];
            for (int i = 0; i < b.length; i++) b[i] = r.nextInt(256);
            String s = WholeUtf8.decode(b);
            assertFalse(s.contains("\uFFFD"), "trial " + trial);
            byte[] round = s.getBytes(StandardCharsets.UTF_8);          // what it kept is valid UTF-8, in order
            assertEquals(s, new String(round, StandardCharsets.UTF_8));
        }
    }
}
