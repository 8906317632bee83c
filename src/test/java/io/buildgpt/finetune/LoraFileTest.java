package io.buildgpt.finetune;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.ParameterFile;
import io.buildgpt.engine.TensorFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class LoraFileTest {
    @TempDir
    Path dir;

    @Test
    void adaptersRoundTripIntoAFreshCopyOfTheBase() throws IOException {
        GptLanguageModel trained = Lora.enable(new GptLanguageModel(GptConfig.smallDefaults(256), 7), LoraConfig.queryValue(8), 8);
        LoraTest.randomizeB(Lora.adapters(trained), 9, 0.1);
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
        assertEquals(Lora.config(trained), Lora.config(fresh));
        int[] x = LoraTest.randomIds(32, 256, 10);
        float[] expected = LoraTest.logits(trained, x, 1, 32);
        assertTrue(LoraTest.maxDiff(expected, LoraTest.logits(new GptLanguageModel(GptConfig.smallDefaults(256), 7), x, 1, 32)) > 1e-2,
                "the adapters change the base's outputs");
        assertArrayEquals(expected, LoraTest.logits(fresh, x, 1, 32));
    }

    @Test
    void adapterDropoutIsSavedAndLoaded() throws IOException {
        LoraConfig config = new LoraConfig(2, 4, 0.1, LoraConfig.Targets.ALL_LINEAR);
        GptLanguageModel trained = Lora.enable(new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 3), config, 4);
        Path file = LoraFile.save(dir.resolve("drop.lora"), trained);
        GptLanguageModel fresh = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 3);
        LoraFile.load(file, fresh);
        assertEquals(config, Lora.config(fresh));
        assertEquals(0.1, Lora.config(fresh).dropout());
    }

    @Test
    void anotherBaseOrAnotherLoraConfigIsAClearError() throws IOException {
        GptLanguageModel trained = Lora.enable(new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1), LoraConfig.queryValue(4), 2);
        Path file = LoraFile.save(dir.resolve("a.lora"), trained);
        GptLanguageModel wider = new GptLanguageModel(new GptConfig(256, 8, 32, 2, 2, 0.0), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraFile.load(file, wider));
        assertTrue(e.getMessage().contains("base model") && e.getMessage().contains("n_embd=16") && e.getMessage().contains("n_embd=32"), e.getMessage());
        assertNull(Lora.config(wider), "nothing was changed");

        GptLanguageModel otherRank = Lora.enable(new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1), LoraConfig.queryValue(2), 2);
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
        GptLanguageModel trained = Lora.enable(new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1), LoraConfig.queryValue(4), 2);
        Path file = LoraFile.save(dir.resolve("a.lora"), trained);
        String text = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        String alpha = "\"alpha\": " + Lora.config(trained).alpha();
        assertTrue(text.contains(alpha), text.substring(0, 300));
        Files.writeString(file, text.replace(alpha, "\"alpha\": 99.0"), java.nio.charset.StandardCharsets.ISO_8859_1);
        GptLanguageModel plain = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1);
        IOException e = assertThrows(IOException.class, () -> LoraFile.load(file, plain));
        assertTrue(e.getMessage().contains("fails its checksum"), e.getMessage());
        assertNull(Lora.config(plain));
    }

    @Test
    void aRefusedAdapterFileLeavesTheModelUntouched() throws IOException {
        // A file whose header promises rank 8 but whose tensors have rank 4 (written consistently, so its checksum holds).
        GptLanguageModel trained = Lora.enable(new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1), LoraConfig.queryValue(4), 2);
        java.util.List<TensorFile.Entry> entries = new java.util.ArrayList<>();
        for (LoraAdapter a : Lora.adapters(trained)) for (Parameter p : a.parameters()) entries.add(new TensorFile.Entry(p.name(), p.shape(), p.data()));
        java.util.Map<String, Object> lora = new java.util.LinkedHashMap<>();
        lora.put("rank", 8L);
        lora.put("alpha", 8.0);
        lora.put("dropout", 0.0);
        lora.put("targets", Lora.config(trained).targets().name());
        Path file = dir.resolve("wrong-rank.lora");
        TensorFile.write(file, LoraFile.FORMAT, java.util.Map.of("lora", lora, "base_config", trained.config().toMap()), entries);

        GptLanguageModel plain = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 1);
        java.util.List<Parameter> before = plain.trainableParameters();
        IOException e = assertThrows(IOException.class, () -> LoraFile.load(file, plain));
        assertTrue(e.getMessage().contains("has no tensor blocks.0.sa.query.lora_A of shape [8, 16] (it has shape [4, 16])"), e.getMessage());
        assertNull(Lora.config(plain), "no adapters were added");
        assertEquals(before, plain.trainableParameters(), "nothing was frozen");
        assertEquals(plain.parameters(), plain.trainableParameters());
    }
}
