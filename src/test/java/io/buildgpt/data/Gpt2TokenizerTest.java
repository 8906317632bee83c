package io.buildgpt.data;

import io.buildgpt.TestTexts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class Gpt2TokenizerTest {
    private final Gpt2Tokenizer bpe = new Gpt2Tokenizer();

    @Test
    void goodBoyAsInTheLecture() {
        assertEquals(50257, bpe.vocabSize());
        assertArrayEquals(new int[]{11274, 2933, 0}, bpe.encode("good boy!"));
        assertEquals("good boy!", bpe.decode(11274, 2933, 0));
    }

    @Test
    void lastIdIsEndOfTextAndTheNextIsRejected() {
        assertEquals("<|endoftext|>", bpe.decode(50256));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bpe.decode(50257));
        assertTrue(e.getMessage().contains("50257"), e.getMessage());
    }

    @Test
    void roundTripsNonAsciiText() {
        String s = "naïve café — 東京";
        assertEquals(s, bpe.decode(bpe.encode(s)));
    }

    @Test
    void tinyShakespeareIsAboutAThirdAsManyTokensAsCharacters() throws Exception {
        Path p = TestTexts.shared("tinyshakespeare.txt").orElse(null);
        Assumptions.assumeTrue(p != null, "../shared/data/tinyshakespeare.txt not present");
        String text = Files.readString(p);
        // nanoGPT's shakespeare prepare.py reports 301,966 train + 36,059 val = 338,025 GPT-2 tokens
        assertEquals(338_025, bpe.encode(text).length);
    }

    @Test
    void comparisonTableShowsTheTradeOff() {
        String text = "The quick brown fox jumps over the lazy dog, again and again and again.";
        var table = TokenizerComparison.of(text, CharTokenizer.fromText(text), bpe);
        assertEquals(text.length(), table.intColumn("sequence length").getInt(0));
        assertEquals(bpe.encode(text).length, table.intColumn("sequence length").getInt(1));
        assertTrue(table.intColumn("sequence length").getInt(1) < text.length() / 3);
        assertEquals(50257, table.intColumn("vocab size").getInt(1));
    }
}
