package io.buildgpt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GutenbergTextTest {

    private static final String BOOK = String.join("\r\n",
            "The Project Gutenberg eBook of The Prophet",
            "",
            "This ebook is for the use of anyone anywhere...",
            "*** START OF THE PROJECT GUTENBERG EBOOK THE PROPHET ***",
            "",
            "",
            "THE PROPHET",
            "",
            "Then said a rich man, Speak to us of Giving.",
            "",
            "*** END OF THE PROJECT GUTENBERG EBOOK THE PROPHET ***",
            "",
            "Updated editions will replace the previous one...",
            "");

    @Test
    void keepsOnlyTheBookWithLfLineEnds() {
        assertEquals("THE PROPHET\n\nThen said a rich man, Speak to us of Giving.\n",
                GutenbergText.strip(BOOK, "pg58585.txt"));
    }

    @Test
    void acceptsOlderThisMarkers() {
        String old = BOOK.replace("OF THE PROJECT", "OF THIS PROJECT");
        assertEquals("THE PROPHET\n\nThen said a rich man, Speak to us of Giving.\n", GutenbergText.strip(old, "x"));
    }

    @Test
    void missingMarkersAreReported() {
        CorpusException noStart = assertThrows(CorpusException.class,
                () -> GutenbergText.strip("just some text\n", "pg1.txt"));
        assertTrue(noStart.getMessage().startsWith("pg1.txt has no '*** START OF"), noStart.getMessage());
        String cut = BOOK.substring(0, BOOK.indexOf("*** END"));
        CorpusException noEnd = assertThrows(CorpusException.class, () -> GutenbergText.strip(cut, "pg1.txt"));
        assertTrue(noEnd.getMessage().contains("no '*** END OF"), noEnd.getMessage());
    }
}
