package io.buildgpt.finetune;

import io.buildgpt.TestTexts;
import io.buildgpt.data.ByteTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.train.MemoryUse;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainListener;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FineTuneTest {
    private final TokenSplit data = TokenSplit.of(new ByteTokenizer().encode(TestTexts.SMALL), 0.8, 8);
    private final GptLanguageModel pretrained = new GptLanguageModel(new GptConfig(256, 8, 16, 2, 2, 0.0), 3);

    @Test
    void copyComputesTheSameLoss() {
        double a = FineTune.heldOutLoss(pretrained, data, 4, 3);
        assertEquals(a, FineTune.heldOutLoss(FineTune.copy(pretrained, 1), data, 4, 3), 0.0);
    }

    @Test
    void copyKeepsAdaptersAndRefusesAQuantizedBaseSayingSo() {
        GptLanguageModel adapted = Lora.enable(FineTune.copy(pretrained, 1), LoraConfig.queryValue(2), 4);
        io.buildgpt.random.TorchGenerator r = new io.buildgpt.random.TorchGenerator(5);
        for (LoraAdapter a : Lora.adapters(adapted)) a.b().normal(r, 0.5);     // adapters that change the outputs
        double withAdapters = FineTune.heldOutLoss(adapted, data, 4, 3);
        assertNotEquals(FineTune.heldOutLoss(pretrained, data, 4, 3), withAdapters, 1e-3);
        GptLanguageModel copy = FineTune.copy(adapted, 1);
        assertEquals(Lora.config(adapted), Lora.config(copy));
        assertEquals(withAdapters, FineTune.heldOutLoss(copy, data, 4, 3), 0.0, "the adapters travel with the copy");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTune.run(FineTune.Method.LORA, adapted,
                data, 4, new TrainConfig(2, 1, 1, 1e-2), LoraConfig.queryValue(2), 5, 1, TrainListener.NONE));
        assertTrue(e.getMessage().contains("already has LoRA adapters") && e.getMessage().contains("Lora.merge(model)"), e.getMessage());

        GptLanguageModel quantized = FineTune.copy(pretrained, 1);
        Quantize.base(quantized, 4);
        e = assertThrows(IllegalArgumentException.class, () -> FineTune.copy(quantized, 1));
        assertTrue(e.getMessage().contains("quantized (INT4, groups of 64)") && e.getMessage().contains("Quantize.dequantize(model)"), e.getMessage());
    }

    @Test
    void aBaseWithGradientCheckpointingPassesItOnAndTrainsToTheSameBits() {
        GptLanguageModel checkpointing = FineTune.copy(pretrained, 1);
        checkpointing.setGradientCheckpointing(true);
        TrainConfig train = new TrainConfig(6, 3, 2, 1e-2);
        FineTune.Result plain = FineTune.run(FineTune.Method.LORA_NF4_DQ, pretrained, data, 4, train, LoraConfig.queryValue(2), 5, 1,
                TrainListener.NONE);
        FineTune.Result recomputed = FineTune.run(FineTune.Method.LORA_NF4_DQ, checkpointing, data, 4, train, LoraConfig.queryValue(2),
                5, 1, TrainListener.NONE);
        assertTrue(recomputed.model().gradientCheckpointing(), "the copy FineTune.run trains keeps the base's setting");
        assertFalse(plain.model().gradientCheckpointing());
        assertEquals(plain.heldOutLoss(), recomputed.heldOutLoss(), 0.0);
        assertEquals(plain.history().toString(), recomputed.history().toString());
    }

    @Test
    void everyMethodGivesATableRowAndLeavesThePretrainedModelAlone() {
        double before = FineTune.heldOutLoss(pretrained, data, 4, 3);
        List<FineTune.Result> results = new ArrayList<>();
        for (FineTune.Method m : FineTune.Method.values()) {
            results.add(FineTune.run(m, pretrained, data, 4, new TrainConfig(30, 10, 2, 1e-2), LoraConfig.queryValue(2), 5, 1, TrainListener.NONE));
        }
        assertEquals(before, FineTune.heldOutLoss(pretrained, data, 4, 3), 0.0, "the pretrained weights are copied, not trained");
        FineTune.Result full = results.get(0), lora = results.get(1), int4 = results.get(2), nf4 = results.get(3), dq = results.get(4);
        assertEquals(pretrained.parameterCount(), full.trainableParameters());
        assertTrue(lora.trainableParameters() < full.trainableParameters() / 5);
        for (FineTune.Result q : List.of(int4, nf4, dq)) {
            assertEquals(lora.trainableParameters(), q.trainableParameters());
            assertTrue(q.baseMemoryBytes() < lora.baseMemoryBytes());
        }
        assertEquals(int4.baseMemoryBytes(), nf4.baseMemoryBytes(), "both 4 bits and a float32 scale per 64");
        assertTrue(dq.baseMemoryBytes() < nf4.baseMemoryBytes(), "8-bit scales");
        for (FineTune.Result r : results) assertTrue(r.heldOutLoss() < before, r.method() + " learned nothing");
        assertEquals("LoRA", lora.history().name());
        FineTune.Result all = FineTune.run(FineTune.Method.LORA, pretrained, data, 4, new TrainConfig(30, 10, 2, 1e-2),
                new LoraConfig(2, 4, 0, LoraConfig.Targets.ALL_LINEAR), 5, 1, TrainListener.NONE);
        assertEquals("LoRA on every Linear", all.label());
        assertTrue(all.trainableParameters() > lora.trainableParameters());
        Table t = FineTune.table(pretrained, before, results);
        assertEquals(6, t.rowCount());
        assertEquals(List.of("pretrained only", "full fine-tune", "LoRA", "LoRA, int4 base", "LoRA, NF4 base", "LoRA, NF4 + double quant"),
                t.stringColumn("method").asList());
        String findings = FineTune.findings(before, results);
        assertTrue(findings.contains("of the gap"), findings);
        double dLoss = dq.heldOutLoss() - lora.heldOutLoss();           // a difference that rounds to zero is not printed as "-0.0000"
        assertTrue(findings.contains(Math.abs(dLoss) < 5e-5 ? "held-out loss within 0.0001 of LoRA;"
                : String.format("held-out loss %+.4f against LoRA;", dLoss)), findings);
        assertFalse(findings.contains("-0.0000"), findings);
        FineTune.Result last = results.get(results.size() - 1);
        long heapDiff = last.heapBytes() - lora.heapBytes();                  // said as "less" or "more", never a signed "against it"
        assertTrue(findings.contains(String.format("heap held %,.0f KiB %s", Math.abs(heapDiff) / 1024.0,
                heapDiff < 0 ? "less" : "more")), findings);
        assertEquals(1.0, FineTune.gapClosed(before, full, full), 1e-12);
    }

    @Test
    void completionsShowWholeCharactersOnly() {
        for (long seed = 0; seed < 5; seed++) {
            String s = FineTune.complete(pretrained, "é ", 60, 1.5, seed);   // an untrained model samples any byte
            assertFalse(s.contains("\uFFFD"), s);
            assertTrue(s.startsWith("é "), s);
        }
    }

    /**
     * A GPT-2 checkpoint (the tiny fixture, 64 positions) fine-tunes on windows shorter than its positions, with
     * PEFT-named targets, on an NF4 base; and completions work on any tokenizer's ids.
     */
    @Test
    void aGpt2CheckpointFineTunesOnShorterWindowsWithPeftTargets() throws java.io.IOException {
        java.nio.file.Path fixture = java.nio.file.Path.of("src/test/resources/gpt2-tiny");
        GptLanguageModel gpt2 = io.buildgpt.engine.Gpt2Checkpoint.load(fixture);
        io.buildgpt.data.HfBpeTokenizer tok = io.buildgpt.data.HfBpeTokenizer.load(fixture);
        TokenSplit ids = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.8, 16);             // T = 16 < n_positions 64
        double before = FineTune.heldOutLoss(gpt2, ids, 4, 2);
        LoraConfig cAttn = LoraConfig.peft(4, 8, 0, List.of("c_attn"));
        FineTune.Result q = FineTune.run(FineTune.Method.LORA_NF4_DQ, gpt2, ids, 4, new TrainConfig(20, 10, 2, 1e-2), cAttn, 5, 1,
                TrainListener.NONE);
        assertEquals("LoRA, NF4 + double quant on c_attn", q.label());
        assertEquals(2L * 4 * (64 + 3 * 64), q.trainableParameters(), "A (r, C) and B (3C, r) in each of 2 layers");
        assertTrue(q.heldOutLoss() < before, q.heldOutLoss() + " against " + before);
        int[] prompt = tok.encode(TestTexts.SMALL.substring(0, 200));
        int[] more = FineTune.complete(q.model(), prompt, 5, 1.0, 1);
        assertEquals(5, more.length);
        for (int id : more) assertTrue(id >= 0 && id < gpt2.vocabSize(), "id " + id);
        assertArrayEquals(more, FineTune.complete(q.model(), prompt, 5, 1.0, 1), "the same seed, the same ids");
    }

    @Test
    void heapAfterGcSeesWhatIsStillReachable() throws InterruptedException {
        long before = settledHeap();
        float[][] held = new float[4096][1024];          // 16 MiB in small arrays: G1 counts huge ones by whole regions
        held[4095][1023] = 1f;
        long grew = MemoryUse.heapAfterGc() - before;
        assertEquals(16 << 20, grew, 1 << 20, "the arrays, within 1 MiB of headers and other activity");
        assertEquals(1f, held[4095][1023]);
        assertTrue(MemoryUse.residentBytes() != 0);
    }

    /**
     * The heap after the objects of earlier tests are really gone: ND4J's cleaner thread and reference
     * processing free them a GC cycle or two after they become unreachable, so one settled reading can
     * still shrink by a megabyte a moment later (seen once in a full suite run).
     */
    private static long settledHeap() throws InterruptedException {
        long last = MemoryUse.heapAfterGc();
        for (int i = 0; i < 10; i++) {
            Thread.sleep(50);
            long now = MemoryUse.heapAfterGc();
            if (Math.abs(now - last) < 64 * 1024) return now;
            last = now;
        }
        return last;
    }
}
