package io.buildgpt.data;

import io.buildgpt.TestTexts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CharTokenizerTest {

    @Test
    void vocabularyIsTheSortedDistinctCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("hello world");
        assertEquals(" dehlorw", tok.vocabulary());
        assertEquals(8, tok.vocabSize());
        assertEquals(0, tok.stoi().get(' '));
        assertEquals('w', tok.itos(7));
    }

    @Test
    void encodeDecodeRoundTrip() {
        CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
        int[] ids = tok.encode("the model");
        assertEquals("the model", tok.decode(ids));
        assertEquals(TestTexts.SMALL, tok.decode(tok.encode(TestTexts.SMALL)));
        // ids follow the sorted order: a space sorts before every letter
        assertTrue(tok.encode(" ")[0] < tok.encode("a")[0]);
    }

    @Test
    void unknownCharacterNamesTheCharacterAndItsPosition() {
        CharTokenizer tok = CharTokenizer.fromText("abc");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("abcz"));
        assertTrue(e.getMessage().contains("'z' (U+007A)"), e.getMessage());
        assertTrue(e.getMessage().contains("position 3"), e.getMessage());
    }

    @Test
    void unknownEmojiIsNamedAsOneCharacter() {
        CharTokenizer tok = CharTokenizer.fromText("ab ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("ab \uD83D\uDE42"));
        assertTrue(e.getMessage().contains("'\uD83D\uDE42' (U+1F642) at position 3"), e.getMessage());
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        CharTokenizer tok = CharTokenizer.fromText("abc");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(0, 3));
        assertTrue(e.getMessage().contains("token id 3 at position 1"), e.getMessage());
    }

    @Test
    void emptyTextCannotMakeAVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromText(""));
        assertTrue(e.getMessage().contains("empty text"), e.getMessage());
    }

    @Test
    void tinyShakespeareHasTheLecturesVocabulary() throws Exception {
        Path p = TestTexts.shared("tinyshakespeare.txt").orElse(null);
        Assumptions.assumeTrue(p != null, "../shared/data/tinyshakespeare.txt not present");
        String text = Files.readString(p);
        CharTokenizer tok = CharTokenizer.fromText(text);
        assertEquals(65, tok.vocabSize());
        // the vocabulary printed in the lecture
        assertEquals("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", tok.vocabulary());
        assertArrayEquals(new int[]{46, 47, 47, 1, 58, 46, 43, 56, 43}, tok.encode("hii there"));
        assertEquals(text, tok.decode(tok.encode(text)));
    }

    @Test
    void keepKnownDropsWhatTheVocabularyLacks() {
        CharTokenizer tok = CharTokenizer.fromText("good boy.");
        assertEquals("good boy", tok.keepKnown("good boy!"));
        assertEquals("", tok.keepKnown("\uD83D\uDE42"), "both halves of an emoji are unknown");
        assertArrayEquals(tok.encode("good boy"), tok.encode(tok.keepKnown("good boy!")));
    }
}
