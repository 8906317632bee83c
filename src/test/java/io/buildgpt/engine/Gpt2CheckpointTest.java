package io.buildgpt.engine;

import io.buildgpt.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed fixture {@code src/test/resources/gpt2-tiny} (made by {@code src/bench/make_gpt2_fixture.py} with
 * transformers: a random GPT2LMHeadModel, 2 layers, n_embd 64, 300 tokens) loads, and gives HF's logits, loss and
 * gradients; broken folders and files are refused with the file and the problem named.
 */
class Gpt2CheckpointTest {
    static final Path FIXTURE = Path.of("src/test/resources/gpt2-tiny");

    @TempDir
    Path tmp;

    static Map<?, ?> expected() throws IOException {
        return (Map<?, ?>) Json.parse(Files.readString(FIXTURE.resolve("expected.json"), StandardCharsets.UTF_8));
    }

    /** The fixture's input ids {@code (B, T)}, flattened, with B and T. */
    static int[][] inputIds(Map<?, ?> e) {
        List<?> rows = (List<?>) e.get("input_ids");
        int[][] out = new int[rows.size()][];
        for (int b = 0; b < out.length; b++) out[b] = ((List<?>) rows.get(b)).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
        return out;
    }

    static int[] flat(int[][] ids, int from, int to) {
        int t = to - from;
        int[] out = new int[ids.length * t];
        for (int b = 0; b < ids.length; b++) System.arraycopy(ids[b], from, out, b * t, t);
        return out;
    }

    /** The model's eval logits for the fixture's inputs against HF's, to 1e-4. */
    static void assertHfLogits(GptLanguageModel model, Map<?, ?> e) {
        int[][] ids = inputIds(e);
        int b = ids.length, t = ids[0].length, v = model.vocabSize();
        float[] logits = model.logits(flat(ids, 0, t), b, t, false);
        List<?> hf = (List<?>) e.get("logits");
        double worst = 0;
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                List<?> row = (List<?>) ((List<?>) hf.get(i)).get(s);
                for (int k = 0; k < v; k++) {
                    double d = Math.abs(((Number) row.get(k)).doubleValue() - logits[(i * t + s) * v + k]);
                    worst = Math.max(worst, d);
                }
            }
        }
        assertTrue(worst < 1e-4, "largest logit difference to HF: " + worst);
    }

    @Test
    void fixtureGivesHfLogitsLossAndGradients() throws IOException {
        Map<?, ?> e = expected();
        GptLanguageModel model = Gpt2Checkpoint.load(FIXTURE);
        assertEquals(GptConfig.gpt2(300, 64, 64, 4, 2, 0.0), model.config());
        assertHfLogits(model, e);
        int[][] ids = inputIds(e);
        int b = ids.length, t = ids[0].length;
        int[] x = flat(ids, 0, t - 1), y = flat(ids, 1, t);                       // HF's labels = input_ids, shifted inside
        assertEquals(((Number) e.get("loss")).doubleValue(), model.loss(x, y, b, t - 1), 1e-5);
        assertEquals(((Number) e.get("loss")).doubleValue(), model.lossAndGradients(x, y, b, t - 1), 1e-5);
        Map<String, Parameter> p = new LinkedHashMap<>();
        for (Parameter q : StateDict.copies(model)) p.put(q.name(), q);
        Map<String, List<String>> engineNames = Map.of(
                "transformer.wte.weight", List.of("token_embedding_table.weight"),   // tied: embedding + lm_head shares
                "transformer.wpe.weight", List.of("position_embedding_table.weight"),
                "transformer.h.0.attn.c_attn.weight", qkvWeights(0, 4),
                "transformer.h.0.attn.c_attn.bias", List.of("blocks.0.sa.c_attn.bias"),
                "transformer.h.1.mlp.c_fc.weight", List.of("blocks.1.ffwd.net.0.weight"),
                "transformer.h.1.mlp.c_proj.bias", List.of("blocks.1.ffwd.net.2.bias"),
                "transformer.h.1.ln_2.weight", List.of("blocks.1.ln2.weight"),
                "transformer.ln_f.bias", List.of("ln_f.bias"));
        Map<?, ?> hfSq = (Map<?, ?>) e.get("grad_sum_of_squares");
        assertEquals(engineNames.keySet(), hfSq.keySet());
        for (var n : engineNames.entrySet()) {
            double sq = 0;
            for (String name : n.getValue()) for (float g : p.get(name).grad()) sq += (double) g * g;
            double want = ((Number) hfSq.get(n.getKey())).doubleValue();
            assertEquals(want, sq, 1e-4 * want, n.getKey());
        }
    }

    private static List<String> qkvWeights(int layer, int heads) {
        List<String> out = new java.util.ArrayList<>();
        for (int h = 0; h < heads; h++) for (String r : List.of("query", "key", "value")) out.add("blocks." + layer + ".sa.heads." + h + "." + r + ".weight");
        return out;
    }

    /** The fixture's config.json, and its tensors (all, or {@code keep}'s), renamed by {@code rename}, into a new folder. */
    private Path copy(String name, java.util.function.Predicate<String> keep, java.util.function.UnaryOperator<String> rename) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(FIXTURE.resolve("config.json"), dir.resolve("config.json"));
        SafeTensors st = SafeTensors.open(FIXTURE.resolve("model.safetensors"));
        Map<String, SafeTensors.FloatTensor> out = new LinkedHashMap<>();
        for (var e : st.tensors().entrySet()) {
            if (keep.test(e.getKey())) out.put(rename.apply(e.getKey()), new SafeTensors.FloatTensor(e.getValue().shape(), st.floats(e.getKey())));
        }
        SafeTensors.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
        return dir;
    }

    @Test
    void keysWithoutTheTransformerPrefixLoadTheSame() throws IOException {
        Path dir = copy("bare", k -> true, k -> k.substring("transformer.".length()));
        assertTrue(SafeTensors.open(dir.resolve("model.safetensors")).tensors().containsKey("wte.weight"));
        assertHfLogits(Gpt2Checkpoint.load(dir, 2), expected());
    }

    private static String fault(Path folder) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Gpt2Checkpoint.load(folder));
        return e.getMessage();
    }

    @Test
    void partialOrWrongFoldersNameTheMissingFileOrKey() throws IOException {
        Path missingKey = copy("missing-key", k -> !k.equals("transformer.h.1.mlp.c_fc.bias"), k -> k);
        String m = fault(missingKey);
        assertTrue(m.contains("model.safetensors") && m.contains("missing tensor 'transformer.h.1.mlp.c_fc.bias'"), m);

        Path noWeights = Files.createDirectories(tmp.resolve("no-weights"));
        Files.copy(FIXTURE.resolve("config.json"), noWeights.resolve("config.json"));
        assertTrue(fault(noWeights).contains("no model.safetensors"), fault(noWeights));

        Path noConfig = copy("no-config", k -> true, k -> k);
        Files.delete(noConfig.resolve("config.json"));
        assertTrue(fault(noConfig).contains("no config.json"), fault(noConfig));

        Path truncated = copy("truncated", k -> true, k -> k);
        byte[] bytes = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), Arrays.copyOf(bytes, bytes.length - 100));
        assertTrue(fault(truncated).contains("truncated"), fault(truncated));

        // the good folder still loads and computes HF's logits: nothing was kept from the faulty ones
        assertHfLogits(Gpt2Checkpoint.load(FIXTURE), expected());
    }

    private Path withConfig(String name, String field, Object value) throws IOException {
        Path dir = copy(name, k -> true, k -> k);
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("config.json")));
        if (value == null) c.remove(field);
        else c.put(field, value);
        Files.writeString(dir.resolve("config.json"), Json.write(c));
        return dir;
    }

    @Test
    void configsOfOtherArchitecturesAreRefused() throws IOException {
        String llama = fault(withConfig("llama", "model_type", "llama"));
        assertTrue(llama.contains("config.json") && llama.contains("model_type 'llama'") && llama.contains("is not GPT-2"), llama);
        String arch = fault(withConfig("arch", "architectures", List.of("LlamaForCausalLM")));
        assertTrue(arch.contains("[LlamaForCausalLM]"), arch);
        String relu = fault(withConfig("relu", "activation_function", "relu"));
        assertTrue(relu.contains("activation_function 'relu'"), relu);
        String eps = fault(withConfig("eps", "layer_norm_epsilon", 1e-6));
        assertTrue(eps.contains("layer_norm_epsilon"), eps);
        String noEmbd = fault(withConfig("no-embd", "n_embd", null));
        assertTrue(noEmbd.contains("'n_embd' is missing"), noEmbd);
        String wrongShape = fault(withConfig("shape", "n_positions", 32L));
        assertTrue(wrongShape.contains("'transformer.wpe.weight' has shape [64, 64]") && wrongShape.contains("[32, 64]"), wrongShape);
    }

    @Test
    void aTensorOfTheWrongDtypeIsRefused() throws IOException {
        // ln_f.bias stored as I32: a valid safetensors file, but not weights
        Path dir = copy("dtype", k -> true, k -> k);
        Path f = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(f);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"transformer.ln_f.bias\"");
        int d = text.indexOf("\"F32\"", at);
        bytes[d + 1] = 'I';                                                       // "F32" -> "I32": same size, same layout
        Files.write(f, bytes);
        String m = fault(dir);
        assertTrue(m.contains("'transformer.ln_f.bias' has dtype I32"), m);
    }
}
