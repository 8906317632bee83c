package io.buildgpt.model;

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
        assertTrue(header.contains("{\"name\": \"blocks.1.sa.heads.1.value.weight\", \"shape\": [4, 8]}"), header);
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
