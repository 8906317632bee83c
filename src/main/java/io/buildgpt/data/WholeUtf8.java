package io.buildgpt.data;

import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of sampled bytes into text one whole UTF-8 character at a time, so a completion never
 * shows U+FFFD: the bytes of a character still incomplete are held back until it is whole, and a
 * sequence the model broke (a lead byte followed by something that does not continue it, a stray
 * continuation byte, an overlong or surrogate form) is left out and counted, instead of shown as U+FFFD.
 * <pre>
 *   WholeUtf8 w = new WholeUtf8();
 *   w.accept(0xC3)  -> ""      held back: half of "é"
 *   w.accept(0xA9)  -> "é"
 * </pre>
 * Not thread-safe: one stream per instance.
 */
public final class WholeUtf8 {
    private final byte[] pending = new byte[4];
    private int have, need;      // bytes held back, and how many the character needs
    private int dropped;         // bytes left out as malformed

    /** Adds one byte (0..255); returns the characters it completes (usually one, or none). */
    public String accept(int b) {
        if (b < 0 || b > 255) throw new IllegalArgumentException("byte = " + b + " is out of range: it must be 0..255");
        StringBuilder out = new StringBuilder(2);
        if (have > 0) {
            if ((b & 0xC0) == 0x80 && continues(b)) {
                pending[have++] = (byte) b;
                if (have == need) {
                    out.append(new String(pending, 0, have, StandardCharsets.UTF_8));
                    have = 0;
                }
                return out.toString();
            }
            dropped += have;                 // the character was broken off: leave it out, then start afresh with b
            have = 0;
        }
        if (b < 0x80) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xF4) {
            need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
            pending[0] = (byte) b;
            have = 1;
        } else {
            dropped++;                       // a stray continuation byte, or a lead byte UTF-8 never uses
        }
        return out.toString();
    }

    /** Whether continuation byte {@code b} may follow what is held back (rules out overlong, surrogate and too-large forms). */
    private boolean continues(int b) {
        if (have != 1) return true;
        int lead = pending[0] & 0xFF;
        if (lead == 0xE0) return b >= 0xA0;
        if (lead == 0xED) return b <= 0x9F;
        if (lead == 0xF0) return b >= 0x90;
        if (lead == 0xF4) return b <= 0x8F;
        return true;
    }

    /** The whole characters of {@code bytes}, in order; an incomplete character at the end is held back (see {@link #heldBack()}). */
    public String acceptAll(int... bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (int b : bytes) out.append(accept(b));
        return out.toString();
    }

    /** Bytes of a character not yet complete. */
    public int heldBack() {
        return have;
    }

    /** Bytes left out because they did not form a valid UTF-8 character. */
    public int dropped() {
        return dropped;
    }

    /** The whole characters of {@code bytes}: a trailing incomplete character and malformed bytes left out. */
    public static String decode(int... bytes) {
        return new WholeUtf8().acceptAll(bytes);
    }
}
