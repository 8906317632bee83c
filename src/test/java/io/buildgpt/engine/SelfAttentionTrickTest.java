package io.buildgpt.engine;

import io.buildgpt.plot.AttentionHeatmap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.*;

class SelfAttentionTrickTest {
    private final INDArray x = SelfAttentionTrick.randn(1337, 4, 8, 2); // (B,T,C) as in the lecture

    @Test
    void loopsAreTheRunningMeanOfThePast() {
        INDArray xbow = SelfAttentionTrick.averageWithLoops(x);
        // by hand: position 2 of batch 1 averages positions 0, 1, 2
        for (int c = 0; c < 2; c++) {
            double mean = (x.getDouble(1, 0, c) + x.getDouble(1, 1, c) + x.getDouble(1, 2, c)) / 3;
            assertEquals(mean, xbow.getDouble(1, 2, c), 1e-6);
        }
        assertEquals(x.getDouble(0, 0, 1), xbow.getDouble(0, 0, 1), 1e-7); // position 0 only sees itself
    }

    @Test
    void allThreeAveragesAgreeAndTheWeightMatricesAreEqual() {
        INDArray v1 = SelfAttentionTrick.averageWithLoops(x);
        assertTrue(v1.equalsWithEps(SelfAttentionTrick.averageWithMatmul(x), 1e-6));
        assertTrue(v1.equalsWithEps(SelfAttentionTrick.averageWithSoftmax(x), 1e-6));
        assertTrue(SelfAttentionTrick.averagingWeights(8).equalsWithEps(SelfAttentionTrick.maskedSoftmaxWeights(8), 1e-6));
        assertEquals(1.0 / 3, SelfAttentionTrick.averagingWeights(8).getDouble(2, 1), 1e-7);
        assertEquals(0.0, SelfAttentionTrick.averagingWeights(8).getDouble(2, 3), 0.0);
    }

    @Test
    void aHeadWithZeroQueriesAndIdentityValuesIsTheAverage() {
        INDArray zeros = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 2);
        INDArray identity = Nd4j.eye(2).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        SelfAttentionTrick.HeadOutput h = SelfAttentionTrick.head(x, zeros, zeros, identity);
        assertTrue(h.out().equalsWithEps(SelfAttentionTrick.averageWithLoops(x), 1e-6));
    }

    @Test
    void aRealHeadIsCausalAndItsRowsSumToOne() {
        INDArray xc = SelfAttentionTrick.randn(1, 4, 8, 32);
        SelfAttentionTrick.HeadOutput h = SelfAttentionTrick.head(xc, SelfAttentionTrick.randn(2, 32, 16),
                SelfAttentionTrick.randn(3, 32, 16), SelfAttentionTrick.randn(4, 32, 16));
        assertArrayEquals(new long[]{4, 8, 16}, h.out().shape());
        for (int b = 0; b < 4; b++)
            for (int t = 0; t < 8; t++) {
                double rowSum = 0;
                for (int s = 0; s < 8; s++) {
                    double w = h.weights().getDouble(b, t, s);
                    if (s > t) assertEquals(0.0, w, 0.0, "weight on a future token");
                    rowSum += w;
                }
                assertEquals(1.0, rowSum, 1e-5);
            }
        // data-dependent: two batches get different weight patterns
        assertFalse(h.weights().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).equalsWithEps(h.weights().get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)), 1e-3));
    }

    @Test
    void scalingKeepsTheAffinityVarianceNearOne() {
        double unscaled = SelfAttentionTrick.affinityVariance(64, 8, 16, false, 7);
        double scaled = SelfAttentionTrick.affinityVariance(64, 8, 16, true, 7);
        assertEquals(16, unscaled, 2.5);
        assertEquals(1, scaled, 0.15);
        assertEquals(unscaled / 16, scaled, 1e-4);
    }

    @Test
    void heatmapRendersWithCharacterLabels() {
        float[][] w = {{1, 0, 0}, {0.5f, 0.5f, 0}, {0.2f, 0.3f, 0.5f}};
        BufferedImage img = AttentionHeatmap.image("head 0", w, "ab ");
        assertTrue(img.getWidth() > 500 && img.getHeight() > 400);
        assertThrows(IllegalArgumentException.class, () -> AttentionHeatmap.image("x", w, "ab"));
    }
}
