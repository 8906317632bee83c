package io.buildgpt.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 helpers; used to make sure a cached or shared corpus is the exact file the lecture used. */
public final class Checksums {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private Checksums() {
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256, so this is a broken JDK, not a user error.
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** True if {@code hex} is a lower-case 64-digit SHA-256. */
    static boolean isSha256(String hex) {
        return hex != null && SHA256_HEX.matcher(hex).matches();
    }

    /**
     * Throws unless {@code bytes} hash to {@code expected}; does nothing when {@code expected}
     * is null (sources such as Gutenberg change over time, so they carry no checksum).
     *
     * @param what names the file or URL in the message
     * @param fix  what the user should do when the check fails
     */
    static void verify(byte[] bytes, String expected, String what, String fix) {
        if (expected == null) {
            return;
        }
        String actual = sha256(bytes);
        if (!actual.equals(expected)) {
            throw new CorpusException("Checksum mismatch for " + what + ": expected SHA-256 " + expected
                    + " but got " + actual + " (" + bytes.length + " bytes). " + fix);
        }
    }
}
