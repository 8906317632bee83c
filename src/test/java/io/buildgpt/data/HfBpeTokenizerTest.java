package io.buildgpt.data;

import io.buildgpt.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfBpeTokenizerTest {
    static final Path FIXTURE = Path.of("src/test/resources/gpt2-tiny");

    @TempDir
    Path tmp;

    @Test
    void encodesTheFixturesSampleAsTransformersDid() throws IOException {
        Map<?, ?> e = (Map<?, ?>) Json.parse(Files.readString(FIXTURE.resolve("expected.json")));
        int[] want = ((List<?>) e.get("sample_ids")).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
        HfBpeTokenizer tok = HfBpeTokenizer.load(FIXTURE);
        assertEquals(300, tok.vocabSize());
        String sample = (String) e.get("sample");
        assertArrayEquals(want, tok.encode(sample));
        assertEquals(sample, tok.decode(tok.encode(sample)));
        // the model's input rows are GPT2TokenizerFast's encodings too (the second one cut to the first's length)
        int[] second = ((List<?>) ((List<?>) e.get("input_ids")).get(1)).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
        int[] mine = tok.encode("if (count > 0) { return sum; }");
        assertArrayEquals(second, java.util.Arrays.copyOf(mine, second.length));
        String odd = "naïve\tcafé ✓ \u0000 end";                                   // non-ASCII, control bytes: bytes survive
        assertEquals(odd, tok.decode(tok.encode(odd)));
    }

    @Test
    void byteLevelAlphabetIsGpt2s() {
        int[] d = HfBpeTokenizer.byteLevelDecoder();
        assertEquals(' ', d['Ġ']);                                                // U+0120 stands for the space byte
        assertEquals('\n', d['Ċ']);                                               // U+010A for newline
        assertEquals('A', d['A']);
        assertEquals(256, java.util.Arrays.stream(d).filter(v -> v >= 0).count());
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Files.copy(FIXTURE.resolve("vocab.json"), tmp.resolve("vocab.json"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> HfBpeTokenizer.load(tmp));
        assertTrue(e.getMessage().contains("no merges.txt"), e.getMessage());
    }

    @Test
    void aMergeMakingAnUnknownTokenIsNamed() throws IOException {
        Files.copy(FIXTURE.resolve("vocab.json"), tmp.resolve("vocab.json"));
        Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\nq z\n");
        IOException e = assertThrows(IOException.class, () -> HfBpeTokenizer.load(tmp));
        assertTrue(e.getMessage().contains("line 2 makes 'qz', which vocab.json lacks"), e.getMessage());
    }
}
