package io.buildgpt.bigram;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.*;

class EmbeddingTest {
    private final Embedding emb = new Embedding(3, 2, 42);

    @Test
    void lookupShapesAsInTheLecture() {
        assertArrayEquals(new long[]{1, 2}, emb.lookup(0).shape());
        assertArrayEquals(new long[]{2, 2}, emb.lookup(0, 1).shape());
        assertArrayEquals(new long[]{2, 3, 2}, emb.lookup(new long[][]{{0, 1, 1}, {1, 0, 0}}).shape());
    }

    @Test
    void lookupReturnsTheRowsOfTheTable() {
        INDArray w = emb.weight();
        INDArray out = emb.lookup(new long[][]{{0, 1, 1}, {1, 0, 2}});
        long[][] idx = {{0, 1, 1}, {1, 0, 2}};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 2; k++)
                    assertEquals(w.getFloat(idx[i][j], k), out.getFloat(i, j, k));
    }

    @Test
    void outOfRangeIndexIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> emb.lookup(3));
        assertTrue(e.getMessage().contains("index 3"), e.getMessage());
        assertTrue(e.getMessage().contains("0..2"), e.getMessage());
    }

    @Test
    void oneHotTimesTheTableIsTheLookup() {
        assertEquals(emb.lookup(2, 0, 1), emb.oneHot(2, 0, 1).mmul(emb.weight()));
    }
}
