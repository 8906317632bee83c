package io.buildgpt.engine.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link CausalAttention} against attention written out in double precision (scores, causal softmax, mix, and
 * their gradients by the chain rule), and its head groups against each other: a sequence's heads computed as
 * one group (one bulk copy) or as several (packed columns) must give the same bits, forward and backward, and
 * the two-phase (dropout) path must give the fused path's bits when the weights are the probabilities.
 */
class CausalAttentionTest {
    // T crosses CausalAttention.CAUSAL_BLOCK, so the blocked products and the skipped upper blocks are exercised
    private static final int B = 2, T = CausalAttention.CAUSAL_BLOCK + 6, NH = 3, HS = 4, C = NH * HS;

    @Test
    void forwardAndBackwardMatchAttentionWrittenOutInDouble() {
        float[] qkv = random(B * T * 3 * C, 1), dOut = random(B * T * C, 2);
        float[] out = new float[B * T * C], dQkv = new float[B * T * 3 * C];
        oneGroupPerSequence(qkv, dOut, heads(), out, dQkv);

        double[] refOut = new double[out.length], refDQkv = new double[dQkv.length];
        reference(qkv, dOut, refOut, refDQkv);
        for (int i = 0; i < out.length; i++) assertEquals(refOut[i], out[i], 1e-5, "out[" + i + "]");
        for (int i = 0; i < dQkv.length; i++) assertEquals(refDQkv[i], dQkv[i], 1e-5, "dQkv[" + i + "]");
    }

    @Test
    void headGroupsAndPhasesGiveTheSameBitsAsOneGroup() {
        float[] qkv = random(B * T * 3 * C, 3), dOut = random(B * T * C, 4);
        CausalAttention k = new CausalAttention(C, HS, T);
        float[][] probs = heads();
        float[] out = new float[B * T * C], dQkv = new float[B * T * 3 * C];
        oneGroupPerSequence(qkv, dOut, probs, out, dQkv);

        float[][] probs2 = heads(), dProbs2 = heads();
        float[] out2 = new float[out.length], dQkv2 = new float[dQkv.length];
        for (int b = 0; b < B; b++) {                                // groups {0}, {1, 2}
            k.forward(qkv, b, 0, 1, probs2, out2);
            k.forward(qkv, b, 1, NH, probs2, out2);
            k.backward(dOut, qkv, probs2, dProbs2, b, 1, NH, dQkv2);
            k.backward(dOut, qkv, probs2, dProbs2, b, 0, 1, dQkv2);
        }
        assertArrayEquals(out, out2, "out by head groups");
        assertArrayEquals(dQkv, dQkv2, "dQkv by head groups");
        for (int h = 0; h < NH; h++) assertArrayEquals(probs[h], probs2[h], "probs of head " + h);

        float[][] probs3 = heads(), dWeights = heads();                 // the dropout path, weights = probs
        float[] out3 = new float[out.length], dQkv3 = new float[dQkv.length];
        for (int b = 0; b < B; b++) k.scores(qkv, b, 0, NH, probs3);
        for (int b = 0; b < B; b++) k.mix(qkv, probs3, b, 0, 2, out3);
        for (int b = 0; b < B; b++) k.mix(qkv, probs3, b, 2, NH, out3);
        for (int b = 0; b < B; b++) k.backwardWeights(dOut, qkv, probs3, b, 0, NH, dWeights, dQkv3);
        for (int b = 0; b < B; b++) k.backwardScores(qkv, probs3, dWeights, b, 0, 2, dQkv3);
        for (int b = 0; b < B; b++) k.backwardScores(qkv, probs3, dWeights, b, 2, NH, dQkv3);
        assertArrayEquals(out, out3, "out through the phases");
        assertArrayEquals(dQkv, dQkv3, "dQkv through the phases");
    }

    /** Forward and backward of every sequence, all heads as one group: {@code probs}, {@code out}, {@code dQkv} filled. */
    private static void oneGroupPerSequence(float[] qkv, float[] dOut, float[][] probs, float[] out, float[] dQkv) {
        CausalAttention k = new CausalAttention(C, HS, T);
        float[][] dProbs = heads();
        for (int b = 0; b < B; b++) k.forward(qkv, b, 0, NH, probs, out);
        for (int b = 0; b < B; b++) k.backward(dOut, qkv, probs, dProbs, b, 0, NH, dQkv);
    }

    /** Attention and its gradient, head by head, in double: S = q k^T / sqrt(hs) (causal), P = softmax(S), out = P v. */
    private static void reference(float[] qkv, float[] dOut, double[] out, double[] dQkv) {
        double scale = 1 / Math.sqrt(HS);
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                double[][] p = new double[T][T], dp = new double[T][T];
                for (int t = 0; t < T; t++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        p[t][s] = scale * dot(qkv, row(b, t) + h * HS, qkv, row(b, s) + C + h * HS);
                        max = Math.max(max, p[t][s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) sum += p[t][s] = Math.exp(p[t][s] - max);
                    for (int s = 0; s <= t; s++) p[t][s] /= sum;
                    for (int d = 0; d < HS; d++) {
                        double o = 0;
                        for (int s = 0; s <= t; s++) o += p[t][s] * qkv[row(b, s) + 2 * C + h * HS + d];
                        out[(b * T + t) * C + h * HS + d] = o;
                    }
                }
                for (int t = 0; t < T; t++) {                            // dP = dOut v^T, dv = P^T dOut
                    int o = (b * T + t) * C + h * HS;
                    for (int s = 0; s <= t; s++) {
                        for (int d = 0; d < HS; d++) {
                            dp[t][s] += dOut[o + d] * qkv[row(b, s) + 2 * C + h * HS + d];
                            dQkv[row(b, s) + 2 * C + h * HS + d] += p[t][s] * dOut[o + d];
                        }
                    }
                    double dot = 0;                                      // dS = P * (dP - sum P*dP), then the scale
                    for (int s = 0; s <= t; s++) dot += p[t][s] * dp[t][s];
                    for (int s = 0; s <= t; s++) {
                        double ds = p[t][s] * (dp[t][s] - dot) * scale;
                        for (int d = 0; d < HS; d++) {
                            dQkv[row(b, t) + h * HS + d] += ds * qkv[row(b, s) + C + h * HS + d];  // dq = dS k
                            dQkv[row(b, s) + C + h * HS + d] += ds * qkv[row(b, t) + h * HS + d];  // dk = dS^T q
                        }
                    }
                }
            }
        }
    }

    private static int row(int b, int t) {
        return (b * T + t) * 3 * C;
    }

    private static double dot(float[] a, int ai, float[] b, int bi) {
        double s = 0;
        for (int d = 0; d < HS; d++) s += (double) a[ai + d] * b[bi + d];
        return s;
    }

    private static float[][] heads() {
        float[][] out = new float[NH][];
        for (int h = 0; h < NH; h++) out[h] = new float[B * T * T];
        return out;
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
