package io.buildgpt.engine;

import io.buildgpt.bigram.BigramLanguageModel;
import io.buildgpt.bigram.Embedding;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Index tensors that are not (B, T) whole numbers, and a generation too large for the heap: refused with one message. */
class HostileIdsTest {
    private final GptConfig config = new GptConfig(13, 8, 16, 4, 2, 0.0);

    @Test
    void aFractionalIdIsRefusedNotTruncated() {
        GptLanguageModel model = new GptLanguageModel(config, 1);
        INDArray fractional = Nd4j.createFromArray(new double[][]{{1.7, 2.0}});
        String expected = "idx holds 1.7 at flat position 0, which is not a whole number: token ids are integers; build idx from longs,"
                + " e.g. Nd4j.createFromArray(new long[][]{{1, 2}})";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> model.generate(fractional, 2, 1.0, null, 1)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> model.forward(fractional, null)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> new BigramLanguageModel(13, 1).forward(fractional, null)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> new Embedding(13, 4, new io.buildgpt.random.TorchGenerator(1)).forward(fractional)).getMessage());
        // whole numbers in a float tensor are still token ids
        INDArray whole = Nd4j.createFromArray(new double[][]{{1.0, 2.0}});
        assertEquals(Nd4j.createFromArray(new long[][]{{1, 2}}).castTo(whole.dataType()), model.generate(whole, 0, 1.0, null, 1).castTo(whole.dataType()));
    }

    @Test
    void aRankOneIdxSaysItMustBeBatchByTime() {
        GptLanguageModel model = new GptLanguageModel(config, 1);
        INDArray flat = Nd4j.createFromArray(new long[]{1, 2, 3});
        String expected = "idx must have shape (B, T) with T >= 1, got [3]: one sequence of T tokens is (1, T), e.g. idx.reshape(1, idx.length())";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> model.generate(flat, 2, 1.0, null, 1)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> model.generateCached(flat, 2, 1.0, null, 1)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> model.forward(flat, null)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> new BigramLanguageModel(13, 1).generate(flat, 2, 1)).getMessage());
    }

    @Test
    void sixHundredMillionNewTokensAreRefusedBeforeAnythingIsAllocated() {
        long heap = Runtime.getRuntime().maxMemory();
        assumeTrue(heap < 600_000_000L * 12 * 2, "this heap could hold them");
        GptLanguageModel model = new GptLanguageModel(config, 1);
        INDArray idx = Nd4j.createFromArray(new long[][]{{1}});
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(IllegalArgumentException.class, () -> model.generate(idx, 600_000_000, 1.0, null, 1)));
        assertTrue(e.getMessage().matches("maxNewTokens = 600000000 is too many for this JVM: the 600000001 tokens \\(all rows, prompt"
                + " included\\) need about 7\\.2 GB of heap \\(12 bytes each\\), but at most [0-9.]+ GB is free \\(-Xmx [0-9.]+ GB\\) and"
                + " generation may use half of it, about \\d+ tokens; generate fewer tokens, in several calls if needed, or give the"
                + " JVM more heap"), e.getMessage());
        assertEquals(3, model.generate(idx, 2, 1.0, null, 1).length(), "an ordinary call still works");
    }
}
