package io.buildgpt.data;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import io.buildgpt.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A model's own byte-level BPE, read from its Hugging Face {@code vocab.json} + {@code merges.txt} (GPT-2's
 * tokenizer files, and those of every model of its architecture), and run by jtokkit, the same library as
 * {@link Gpt2Tokenizer}: GPT-2's own files give GPT-2's tokens, a code model's files give its own.
 *
 * <p>The files write each byte as a printable character (GPT-2's {@code bytes_to_unicode}: printable ASCII and
 * Latin-1 stand for themselves, the other 68 bytes for U+0100 onwards). jtokkit merges the adjacent pair whose
 * result ranks lowest; here a token's rank is its byte (single bytes) or 256 plus the line of the merge that
 * makes it, so the lowest rank is the earliest merge, as in Hugging Face's BPE. Text is split first with
 * GPT-2's pattern (contractions, letters, digits, other symbols, spaces).
 */
public final class HfBpeTokenizer {
    /** GPT-2's pre-tokenization pattern. */
    static final Pattern GPT2_PATTERN = Pattern.compile(
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private final Encoding encoding;
    private final int[] idOfRank;       // jtokkit's rank -> the model's token id
    private final byte[][] bytesOfId;   // token id -> its bytes (null for ids the vocabulary skips)
    private final String name;

    private HfBpeTokenizer(String name, Encoding encoding, int[] idOfRank, byte[][] bytesOfId) {
        this.name = name;
        this.encoding = encoding;
        this.idOfRank = idOfRank;
        this.bytesOfId = bytesOfId;
    }

    /** The tokenizer in {@code folder/vocab.json} and {@code folder/merges.txt}. */
    public static HfBpeTokenizer load(Path folder) throws IOException {
        Path vocabFile = need(folder, "vocab.json"), mergesFile = need(folder, "merges.txt");
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(vocabFile, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(vocabFile + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> vocab)) throw new IOException(vocabFile + ": not a JSON object of token -> id");
        int[] byteOfChar = byteLevelDecoder();
        int maxId = -1;
        Map<String, Integer> ids = new HashMap<>();
        for (Map.Entry<?, ?> e : vocab.entrySet()) {
            if (!(e.getValue() instanceof Long id) || id < 0 || id > 10_000_000) {
                throw new IOException(vocabFile + ": token '" + e.getKey() + "' has id " + e.getValue() + ", not a whole number >= 0");
            }
            ids.put((String) e.getKey(), id.intValue());
            maxId = Math.max(maxId, id.intValue());
        }
        byte[][] bytesOfId = new byte[maxId + 1][];
        for (Map.Entry<String, Integer> e : ids.entrySet()) bytesOfId[e.getValue()] = bytes(e.getKey(), byteOfChar);
        Map<byte[], Integer> ranks = new HashMap<>();
        Map<String, Integer> rankOfToken = new HashMap<>();
        int[] idOfRank = new int[256 + ids.size()];
        for (int b = 0; b < 256; b++) {
            String ch = String.valueOf((char) charOfByte(byteOfChar, b));
            Integer id = ids.get(ch);
            if (id == null) throw new IOException(vocabFile + ": byte " + b + " ('" + ch + "') has no token: not a byte-level BPE vocabulary");
            ranks.put(new byte[]{(byte) b}, b);
            rankOfToken.put(ch, b);
            idOfRank[b] = id;
        }
        List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
        int rank = 256;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank() || (n == 0 && line.startsWith("#version"))) continue;
            String[] pair = line.split(" ");
            if (pair.length != 2) throw new IOException(mergesFile + ": line " + (n + 1) + " is not two tokens separated by one space: '" + line + "'");
            String merged = pair[0] + pair[1];
            Integer id = ids.get(merged);
            if (id == null) throw new IOException(mergesFile + ": line " + (n + 1) + " makes '" + merged + "', which vocab.json lacks");
            if (rankOfToken.containsKey(merged)) continue;                   // another merge made it earlier
            rankOfToken.put(merged, rank);
            ranks.put(bytes(merged, byteOfChar), rank);
            idOfRank[rank++] = id;
        }
        String name = "hf-bpe:" + folder.toAbsolutePath().normalize();
        Encoding encoding = Encodings.newLazyEncodingRegistry()
                .registerGptBytePairEncoding(new GptBytePairEncodingParams(name, GPT2_PATTERN, ranks, Map.of()))
                .getEncoding(name).orElseThrow();
        return new HfBpeTokenizer(name, encoding, java.util.Arrays.copyOf(idOfRank, rank), bytesOfId);
    }

    private static Path need(Path folder, String file) throws NoSuchFileException {
        Path p = folder.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null, "no " + file + " in " + folder
                    + ": a GPT-2-style tokenizer needs vocab.json and merges.txt from the model's folder");
        }
        return p;
    }

    /** The number of token ids (the largest id + 1). */
    public int vocabSize() {
        return bytesOfId.length;
    }

    /** Text to the model's token ids; special tokens in the text are treated as ordinary text. */
    public int[] encode(String text) {
        int[] ranks = encoding.encodeOrdinary(text).toArray();
        int[] out = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++) out[i] = idOfRank[ranks[i]];
        return out;
    }

    /** Token ids to text (bytes joined, then read as UTF-8). */
    public String decode(int... ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= bytesOfId.length || bytesOfId[ids[i]] == null) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i + " is not in this vocabulary (0.." + (bytesOfId.length - 1) + ")");
            }
            out.writeBytes(bytesOfId[ids[i]]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** GPT-2's {@code bytes_to_unicode}, inverted: for each char code below 512, its byte, or -1. */
    static int[] byteLevelDecoder() {
        int[] byteOfChar = new int[512];
        java.util.Arrays.fill(byteOfChar, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            byteOfChar[printable ? b : next++] = b;
        }
        return byteOfChar;
    }

    private static int charOfByte(int[] byteOfChar, int b) {
        for (int c = 0; c < byteOfChar.length; c++) if (byteOfChar[c] == b) return c;
        throw new IllegalStateException("byte " + b);
    }

    private static byte[] bytes(String token, int[] byteOfChar) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < byteOfChar.length ? byteOfChar[c] : -1;
            if (b < 0) return token.getBytes(StandardCharsets.UTF_8);      // not byte-level text (an added token): its UTF-8
            out[i] = (byte) b;
        }
        return out;
    }

    @Override
    public String toString() {
        return "HfBpeTokenizer(" + name + ", vocab=" + vocabSize() + ")";
    }
}
