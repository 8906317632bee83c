package io.buildgpt.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryValueType() {
        Object value = Json.parse(" {\"s\": \"x\", \"i\": -12, \"big\": 12345678901234567890, \"d\": 1.5e2,"
                + " \"t\": true, \"f\": false, \"n\": null, \"a\": [1, [], {}]} ");
        Map<?, ?> map = (Map<?, ?>) value;
        assertEquals(List.of("s", "i", "big", "d", "t", "f", "n", "a"), List.copyOf(map.keySet()), "key order kept");
        assertEquals("x", map.get("s"));
        assertEquals(-12L, map.get("i"));
        assertEquals(1.2345678901234567e19, map.get("big"));
        assertEquals(150.0, map.get("d"));
        assertEquals(true, map.get("t"));
        assertEquals(false, map.get("f"));
        assertTrue(map.containsKey("n") && map.get("n") == null);
        assertEquals(List.of(1L, List.of(), Map.of()), map.get("a"));
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        String parsed = (String) Json.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\uD83D\\uDE00 raw😀\"");
        assertEquals("q\" b\\ s/ \b\f\n\r\t é 😀 raw😀", parsed);
        assertEquals("😀".codePointAt(0), parsed.codePointAt(parsed.indexOf('\uD83D')));
    }

    @Test
    void writesEscapesLikePython() {
        assertEquals("\"a\\\"b\\\\c\\n\\t\\u0001 é 😀\"\n", Json.write("a\"b\\c\n\t\u0001 é 😀"));
        assertEquals("\"\\ud83d\"\n", Json.write("\uD83D"), "a lone surrogate is escaped");
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("z", 1L);
        map.put("a", List.of(true, 0.25));
        map.put("e", Map.of());
        assertEquals("{\n \"z\": 1,\n \"a\": [\n  true,\n  0.25\n ],\n \"e\": {}\n}\n", Json.write(map));
    }

    @Test
    void rejectsInvalidJsonWithPosition() {
        for (String bad : List.of("", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"a\nb\"", "[1] 2", "tru",
                "{\"a\":1,}", "\"\\u12G4\"", "\"open")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at line "), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("{\n  \"a\": ]"))
                .getMessage().contains("line 2, column 8"));
    }

    @Test
    void roundTripsARealNotebookByteForByte() throws Exception {
        // Written by Python's nbformat: unicode, escapes, control characters, outputs, floats and big longs.
        String text = Files.readString(Path.of("src/test/resources/notebooks/roundtrip.ipynb"), StandardCharsets.UTF_8);
        assertEquals(text, Json.write(Json.parse(text)));
    }
}
