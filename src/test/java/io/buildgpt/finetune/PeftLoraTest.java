package io.buildgpt.finetune;

import io.buildgpt.engine.CheckpointException;
import io.buildgpt.engine.Gpt2Checkpoint;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PEFT adapter fixture ({@code src/test/resources/gpt2-tiny-lora}, made by peft 0.21 in src/bench/make_gpt2_fixture.py). */
class PeftLoraTest {
    static final Path BASE = Path.of("src/test/resources/gpt2-tiny"), ADAPTER = Path.of("src/test/resources/gpt2-tiny-lora");

    @TempDir
    Path tmp;

    /** The largest difference between the model's eval logits and those of {@code expected.json} in {@code folder}. */
    static double worstLogitDifference(GptLanguageModel model, Path folder) throws IOException {
        Map<?, ?> e = (Map<?, ?>) Json.parse(Files.readString(folder.resolve("expected.json")));
        List<?> rows = (List<?>) e.get("input_ids");
        int b = rows.size(), t = ((List<?>) rows.get(0)).size();
        float[][] ids = new float[b][t];
        for (int i = 0; i < b; i++) for (int s = 0; s < t; s++) ids[i][s] = ((Number) ((List<?>) rows.get(i)).get(s)).floatValue();
        INDArray logits = model.forward(Nd4j.create(ids), null).logits();
        List<?> hf = (List<?>) e.get("logits");
        double worst = 0;
        for (int i = 0; i < b; i++) for (int s = 0; s < t; s++) {
            List<?> row = (List<?>) ((List<?>) hf.get(i)).get(s);
            for (int k = 0; k < row.size(); k++) worst = Math.max(worst, Math.abs(((Number) row.get(k)).doubleValue() - logits.getDouble(i, s, k)));
        }
        return worst;
    }

    @Test
    void readsPeftsAdapterAndMergedGivesPeftsLogits() throws IOException {
        PeftLora lora = PeftLora.read(ADAPTER);
        assertEquals(4, lora.r());
        assertEquals(2.0, lora.scale(), 0);
        assertEquals(8, lora.weights().size(), "2 layers x (c_attn, attn.c_proj, c_fc, mlp.c_proj)");
        GptLanguageModel model = Gpt2Checkpoint.load(BASE);
        lora.checkFits(model.config());
        assertTrue(worstLogitDifference(model, ADAPTER) > 0.5, "without the adapter the logits differ: the fixture's B is not zero");
        lora.merge(model);
        double merged = worstLogitDifference(model, ADAPTER);
        assertTrue(merged < 1e-4, "merged LoRA against PeftModel's logits: " + merged);
        lora.unmerge(model);
        double unmerged = worstLogitDifference(model, BASE);
        assertTrue(unmerged < 1e-4, "unmerged against the base's HF logits: " + unmerged);
    }

    @Test
    void unmergedAdaptersOnTheFusedCAttnGivePeftsLogits() throws IOException {
        PeftLora lora = PeftLora.read(ADAPTER);
        GptLanguageModel model = Gpt2Checkpoint.load(BASE);
        Lora.enable(model, lora.config(), 0);
        assertEquals(8, Lora.adapters(model).size());
        assertEquals(List.of(4, 64), List.of(Lora.adapters(model).get(0).a().shape()[0], Lora.adapters(model).get(0).a().shape()[1]));
        assertEquals(192, Lora.adapters(model).get(0).b().shape()[0], "c_attn's B is (3C, r): one adapter on the fused projection");
        lora.loadInto(model);
        double unmerged = worstLogitDifference(model, ADAPTER);
        assertTrue(unmerged < 1e-4, "adapters beside the frozen base against PeftModel's logits: " + unmerged);
        PeftLora back = PeftLora.of(model);
        assertEquals(lora.weights().keySet(), back.weights().keySet());
        for (String k : lora.weights().keySet()) assertArrayEquals(lora.weights().get(k).b(), back.weights().get(k).b(), k);
        Lora.merge(model);
        assertTrue(worstLogitDifference(model, ADAPTER) < 1e-4, "merged by the engine");
    }

    @Test
    void newAdaptersStartAsPeftDoes() throws IOException {
        GptLanguageModel model = Gpt2Checkpoint.load(BASE);
        Lora.enable(model, LoraConfig.peft(8, 16, 0.05, List.of("c_attn", "c_proj")), 7);
        int c = 64, r = 8;
        assertEquals(2 * (r * (c + 3 * c) + r * (c + c) + r * (4 * c + c)), model.trainableParameters().stream().mapToInt(p -> p.size()).sum(),
                "c_attn, attn.c_proj and mlp.c_proj per layer; c_fc not targeted");
        for (var a : Lora.adapters(model)) {
            double bound = 1 / Math.sqrt(a.a().shape()[1]);                    // kaiming_uniform(a=sqrt(5)) on (r, in)
            double max = 0;
            for (float v : a.a().data()) max = Math.max(max, Math.abs(v));
            assertTrue(max <= bound && max > 0.8 * bound, a.a().name() + " max |A| " + max + " bound " + bound);
            for (float v : a.b().data()) assertEquals(0f, v, a.b().name() + " starts at zero");
        }
        assertTrue(worstLogitDifference(model, BASE) < 1e-4, "B = 0: the adapted model is the base");
    }

    @Test
    void qloraOnTheCheckpointKeepsTheAdaptersOutputAndTrainsOnlyThem() throws IOException {
        PeftLora lora = PeftLora.read(ADAPTER);
        GptLanguageModel model = Gpt2Checkpoint.load(BASE);
        long floatBytes = FineTune.baseMemoryBytes(model);
        Lora.enable(model, lora.config(), 0);
        lora.loadInto(model);
        Quantize.base(model, QuantSpec.nf4DoubleQuant(), false);   // lm_head is wte: stays float32
        double worst = worstLogitDifference(model, ADAPTER);
        // the same model with every quantized weight replaced by its dequantized values, in float32: the same logits
        GptLanguageModel reference = Gpt2Checkpoint.load(BASE);
        Lora.enable(reference, lora.config(), 0);
        lora.loadInto(reference);
        Quantize.base(reference, QuantSpec.nf4DoubleQuant(), false);
        Quantize.dequantize(reference);
        float[][] ids = {{280, 294, 265, 73, 90, 69, 298, 261}};
        INDArray q = model.forward(Nd4j.create(ids), null).logits(), f = reference.forward(Nd4j.create(ids), null).logits();
        assertTrue(q.sub(f).amaxNumber().doubleValue() < 1e-4, "quantized products = float products on the dequantized weights");
        System.out.println("NF4 + double quant base, PEFT adapter: largest logit difference to PEFT's float32 model " + worst);
        assertTrue(worst > 1e-3, "4 bits change the logits: " + worst);
        assertTrue(FineTune.baseMemoryBytes(model) < 0.6 * floatBytes, FineTune.baseMemoryBytes(model) + " against " + floatBytes);
        int[] x = {280, 294, 265, 73, 90, 69, 298, 261}, y = {294, 265, 73, 90, 69, 298, 261, 282};
        double before = model.lossAndGradients(x, y, 1, 8);
        io.buildgpt.train.AdamW opt = new io.buildgpt.train.AdamW(model.trainableParameters(), 1e-2, 0.9, 0.999, 1e-8, 0.0);
        for (int i = 0; i < 5; i++) {
            model.lossAndGradients(x, y, 1, 8);
            opt.step();
        }
        assertTrue(model.loss(x, y, 1, 8) < before, "the adapters learn on the quantized base");
        assertEquals(PeftLora.of(model).weights().keySet(), lora.weights().keySet());
    }

    @Test
    void writtenAdapterReadsBackTheSame() throws IOException {
        PeftLora lora = PeftLora.read(ADAPTER);
        lora.write(tmp, "gpt2-tiny");
        PeftLora again = PeftLora.read(tmp);
        assertEquals(lora.weights().keySet(), again.weights().keySet());
        for (String k : lora.weights().keySet()) {
            assertArrayEquals(lora.weights().get(k).a(), again.weights().get(k).a());
            assertArrayEquals(lora.weights().get(k).b(), again.weights().get(k).b());
        }
        assertEquals(lora.scale(), again.scale(), 0);
    }

    /**
     * An adapter made here (new random A and B, alpha 16) is written in PEFT's format to {@code target/peft-roundtrip}
     * with the logits of the base with it merged; {@code python3 src/bench/make_gpt2_fixture.py check
     * src/test/resources/gpt2-tiny target/peft-roundtrip target/peft-roundtrip/java_logits.json} loads it with
     * {@code PeftModel.from_pretrained} and compares (where torch exists). Here: it reads back and merges to the
     * logits written.
     */
    @Test
    void javaMadeAdapterIsWrittenForPeftsCheck() throws IOException {
        java.util.Random rnd = new java.util.Random(42);
        Map<String, PeftLora.AB> w = new java.util.LinkedHashMap<>();
        for (var e : PeftLora.read(ADAPTER).weights().entrySet()) {
            PeftLora.AB ab = e.getValue();
            float[] a = new float[ab.a().length], b = new float[ab.b().length];
            for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * 0.1);
            for (int i = 0; i < b.length; i++) b[i] = (float) (rnd.nextGaussian() * 0.1);
            w.put(e.getKey(), new PeftLora.AB(ab.in(), ab.out(), a, b));
        }
        PeftLora mine = new PeftLora(4, 16, 0.0, List.of("c_attn", "c_proj", "c_fc"), false, w);
        Path out = Files.createDirectories(Path.of("target/peft-roundtrip"));
        mine.write(out, "gpt2-tiny");
        GptLanguageModel model = Gpt2Checkpoint.load(BASE);
        PeftLora.read(out).merge(model);
        Map<?, ?> e = (Map<?, ?>) Json.parse(Files.readString(BASE.resolve("expected.json")));
        List<?> rows = (List<?>) e.get("input_ids");
        float[][] ids = new float[rows.size()][];
        for (int i = 0; i < ids.length; i++) {
            List<?> row = (List<?>) rows.get(i);
            ids[i] = new float[row.size()];
            for (int s = 0; s < row.size(); s++) ids[i][s] = ((Number) row.get(s)).floatValue();
        }
        INDArray logits = model.forward(Nd4j.create(ids), null).logits();
        List<Object> all = new java.util.ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            List<Object> seq = new java.util.ArrayList<>();
            for (int s = 0; s < ids[i].length; s++) {
                List<Object> row = new java.util.ArrayList<>();
                for (int k = 0; k < model.vocabSize(); k++) row.add((double) logits.getFloat(i, s, k));
                seq.add(row);
            }
            all.add(seq);
        }
        Files.writeString(out.resolve("java_logits.json"), Json.write(Map.of("input_ids", rows, "logits", all)));
        assertTrue(worstLogitDifference(model, BASE) > 0.1, "the adapter made here changes the base's logits");
        assertArrayEquals(w.get("1.mlp.c_proj").b(), PeftLora.read(out).weights().get("1.mlp.c_proj").b());
    }

    @Test
    void unsupportedOrMissingPiecesAreNamed() throws IOException {
        Files.copy(ADAPTER.resolve("adapter_config.json"), tmp.resolve("adapter_config.json"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> PeftLora.read(tmp));
        assertTrue(e.getMessage().contains("no adapter_model.safetensors"), e.getMessage());
        Files.copy(ADAPTER.resolve("adapter_model.safetensors"), tmp.resolve("adapter_model.safetensors"));
        Files.writeString(tmp.resolve("adapter_config.json"),
                Files.readString(tmp.resolve("adapter_config.json")).replace("\"use_dora\": false", "\"use_dora\": true"));
        e = assertThrows(CheckpointException.class, () -> PeftLora.read(tmp));
        assertTrue(e.getMessage().contains("DoRA"), e.getMessage());
    }
}
