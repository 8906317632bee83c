package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class LoraFileTest {
    @TempDir
    Path dir;

    @Test
    void adaptersRoundTripIntoAFreshCopyOfTheBase() throws IOException {
        GptLanguageModel trained = new GptLanguageModel(GptConfig.smallDefaults(256), 7).enableLora(LoraConfig.queryValue(8), 8);
        LoraTest.randomizeB(trained.loraAdapters(), 9, 0.1);
        Path file = LoraFile.save(dir.resolve("code.lora"), trained);
        Path full = dir.resolve("full.params");
        ParameterFile.write(full, trained.parameters());
        System.out.printf("adapter file %,d bytes, all parameters %,d bytes%n", Files.size(file), Files.size(full));
        assertTrue(Files.size(file) < Files.size(full) / 20, "the adapters alone are a small file");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "no temporary file left");
        }

        GptLanguageModel fresh = new GptLanguageModel(GptConfig.smallDefaults(256), 7); // same base weights, no adapters
        LoraFile.load(file, fresh);
        assertEquals(trained.loraConfig(), fresh.loraConfig());
        int[] x = GptLanguageModelTest.randomIds(32, 256, 10);
        assertArrayEquals(Arrays.copyOf(trained.logits(x, 1, 32, false), 32 * 256), Arrays.copyOf(fresh.logits(x, 1, 32, false), 32 * 256));
    }

    @Test
    void adapterDropoutIsSavedAndLoaded() throws IOException {
        LoraConfig config = new LoraConfig(2, 4, 0.1, LoraConfig.Targets.ALL_LINEAR);
        GptLanguageModel trained = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 3).enableLora(config, 4);
        Path file = LoraFile.save(dir.resolve("drop.lora"), trained);
        GptLanguageModel fresh = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 3);
        LoraFile.load(file, fresh);
        assertEquals(config, fresh.loraConfig());
        assertEquals(0.1, fresh.loraConfig().dropout());
    }

    @Test
    void anotherBaseOrAnotherLoraConfigIsAClearError() throws IOException {
        GptLanguageModel trained = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1).enableLora(LoraConfig.queryValue(4), 2);
        Path file = LoraFile.save(dir.resolve("a.lora"), trained);
        GptLanguageModel wider = new GptLanguageModel(new GptConfig(256, 8, 32, 2, 2, 0.0), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraFile.load(file, wider));
        assertTrue(e.getMessage().contains("base model") && e.getMessage().contains("n_embd=16") && e.getMessage().contains("n_embd=32"), e.getMessage());
        assertNull(wider.loraConfig(), "nothing was changed");

        GptLanguageModel otherRank = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1).enableLora(LoraConfig.queryValue(2), 2);
        e = assertThrows(IllegalArgumentException.class, () -> LoraFile.load(file, otherRank));
        assertTrue(e.getMessage().contains("rank=4") && e.getMessage().contains("rank=2"), e.getMessage());

        GptLanguageModel plain = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1);
        assertThrows(IllegalStateException.class, () -> LoraFile.save(dir.resolve("b.lora"), plain));
        IOException io = assertThrows(IOException.class, () -> LoraFile.load(dir.resolve("missing.lora"), plain));
        assertTrue(io.getMessage().contains("does not exist"), io.getMessage());
        Path params = dir.resolve("p.params");
        ParameterFile.write(params, plain.parameters());
        io = assertThrows(IOException.class, () -> LoraFile.load(params, plain));
        assertTrue(io.getMessage().contains("not a 'buildgpt-lora' file"), io.getMessage());
    }

    @Test
    void anEditedAlphaIsRefusedByTheChecksum() throws IOException {
        GptLanguageModel trained = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1).enableLora(LoraConfig.queryValue(4), 2);
        Path file = LoraFile.save(dir.resolve("a.lora"), trained);
        String text = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        String alpha = "\"alpha\": " + trained.loraConfig().alpha();
        assertTrue(text.contains(alpha), text.substring(0, 300));
        Files.writeString(file, text.replace(alpha, "\"alpha\": 99.0"), java.nio.charset.StandardCharsets.ISO_8859_1);
        GptLanguageModel plain = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1);
        IOException e = assertThrows(IOException.class, () -> LoraFile.load(file, plain));
        assertTrue(e.getMessage().contains("fails its checksum"), e.getMessage());
        assertNull(plain.loraConfig());
    }

    @Test
    void aRefusedAdapterFileLeavesTheModelUntouched() throws IOException {
        // A file whose header promises rank 8 but whose tensors have rank 4 (written consistently, so its checksum holds).
        GptLanguageModel trained = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1).enableLora(LoraConfig.queryValue(4), 2);
        java.util.List<TensorFile.Entry> entries = new java.util.ArrayList<>();
        for (LoraAdapter a : trained.loraAdapters()) for (Parameter p : a.parameters()) entries.add(new TensorFile.Entry(p.name(), p.shape(), p.data()));
        java.util.Map<String, Object> lora = new java.util.LinkedHashMap<>();
        lora.put("rank", 8L);
        lora.put("alpha", 8.0);
        lora.put("dropout", 0.0);
        lora.put("targets", trained.loraConfig().targets().name());
        Path file = dir.resolve("wrong-rank.lora");
        TensorFile.write(file, LoraFile.FORMAT, java.util.Map.of("lora", lora, "base_config", trained.config().toMap()), entries);

        GptLanguageModel plain = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1);
        java.util.List<Parameter> before = plain.trainableParameters();
        IOException e = assertThrows(IOException.class, () -> LoraFile.load(file, plain));
        assertTrue(e.getMessage().contains("has no tensor blocks.0.sa.query.lora_A of shape [8, 16] (it has shape [4, 16])"), e.getMessage());
        assertNull(plain.loraConfig(), "no adapters were added");
        assertEquals(before, plain.trainableParameters(), "nothing was frozen");
        assertEquals(plain.parameters(), plain.trainableParameters());
    }
}
