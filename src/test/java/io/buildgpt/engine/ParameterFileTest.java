package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ParameterFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripRestoresEveryValue() throws IOException {
        GptLanguageModel a = new GptLanguageModel(GptLanguageModelTest.TINY, 1), b = new GptLanguageModel(GptLanguageModelTest.TINY, 2);
        Path file = dir.resolve("p.bin");
        ParameterFile.write(file, a.parameters());
        byte[] bytes = Files.readAllBytes(file);
        int newline = 0;
        while (bytes[newline] != '\n') newline++;
        String header = new String(bytes, 0, newline, java.nio.charset.StandardCharsets.UTF_8);
        // the header is plain JSON that names each tensor with its shape, in parameter order
        @SuppressWarnings("unchecked")
        var tensors = (java.util.List<java.util.Map<String, Object>>) ((java.util.Map<String, Object>)
                io.buildgpt.json.Json.parse(header)).get("tensors");
        var last = tensors.get(tensors.size() - 1);
        assertEquals("lm_head.bias", last.get("name"));
        assertEquals(java.util.List.of(7L), last.get("shape"));
        assertEquals(a.parameters().size(), tensors.size());
        ParameterFile.read(file, b.parameters());
        for (int i = 0; i < a.parameters().size(); i++) assertArrayEquals(a.parameters().get(i).data(), b.parameters().get(i).data());
    }

    @Test
    void aDifferentConfigurationIsAClearError() throws IOException {
        Path file = dir.resolve("p.bin");
        ParameterFile.write(file, new GptLanguageModel(GptLanguageModelTest.TINY, 1).parameters());
        GptLanguageModel wider = new GptLanguageModel(new GptConfig(7, 4, 12, 2, 2, 0), 1);
        IOException e = assertThrows(IOException.class, () -> ParameterFile.read(file, wider.parameters()));
        assertTrue(e.getMessage().contains("has no tensor token_embedding_table.weight of shape [7, 12]"), e.getMessage());
    }
}
