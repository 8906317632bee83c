package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Softmax;

import io.buildgpt.nd4j.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The lecture's "mathematical trick in self-attention" (01:02:00 and before), written with ND4J so
 * each version can be printed and compared: every token gets the average of itself and the tokens
 * before it, first with loops, then as a matrix product, then as a softmax over a masked matrix, and
 * finally as one attention head whose weights depend on the data. Notebook 06 writes these versions in
 * its cells on the tensor library; this ND4J copy stays in the tests as an independent reference
 * (the engine's attention weights and the lecture's printed values are checked against it).
 */
public final class SelfAttentionTrick {
    private SelfAttentionTrick() {}

    /** {@code torch.manual_seed(seed); torch.randn(B,T,C)}: the lecture's values. */
    public static INDArray randn(long seed, int... shape) {
        return randn(new TorchGenerator(seed), shape);
    }

    /** {@code torch.randn(shape)} drawn from {@code g}, as PyTorch draws it. */
    public static INDArray randn(TorchGenerator g, int... shape) {
        Nd4jLoader.ensureLoaded();
        int n = 1;
        for (int d : shape) n *= d;
        return Nd4j.create(g.randn(n), java.util.Arrays.stream(shape).asLongStream().toArray(), 'c');
    }

    /**
     * The weight of {@code torch.manual_seed(seed); nn.Linear(in, out, bias=False)}, transposed to
     * {@code (in, out)} so that {@code x.mmul(w)} is the layer: uniform in {@code ±1/sqrt(in)}, so
     * that projecting unit-variance inputs gives outputs of variance about 1/3.
     */
    public static INDArray linearWeights(long seed, int in, int out) {
        return linearWeights(new TorchGenerator(seed), in, out);
    }

    /**
     * {@code nn.Linear(in, out, bias=False)}'s weight drawn from {@code g} (as after the lecture's
     * {@code x = torch.randn(B,T,C)}; {@code key}, {@code query}, {@code value} in that order),
     * transposed to {@code (in, out)}.
     */
    public static INDArray linearWeights(TorchGenerator g, int in, int out) {
        Nd4jLoader.ensureLoaded();
        float[] w = TorchInit.linearWeight(g, in, out);                   // (out, in) as PyTorch stores it
        return Nd4j.create(w, new long[]{out, in}, 'c').transpose().dup('c'); // (in, out)
    }

    /** Version 1: {@code xbow[b,t] = mean(x[b, 0..t])}, with explicit loops. */
    public static INDArray averageWithLoops(INDArray x) {
        long batch = x.size(0), time = x.size(1);
        INDArray xbow = Nd4j.zeros(x.dataType(), x.shape());                     // (B,T,C)
        for (long b = 0; b < batch; b++) {
            for (long t = 0; t < time; t++) {
                INDArray prev = x.get(NDArrayIndex.point(b), NDArrayIndex.interval(0, t + 1), NDArrayIndex.all()); // (t+1, C)
                xbow.get(NDArrayIndex.point(b), NDArrayIndex.point(t), NDArrayIndex.all()).assign(prev.mean(0)); // (C)
            }
        }
        return xbow;
    }

    /** The lower-triangular matrix with each row normalised to sum to 1: row t averages positions 0..t. */
    public static INDArray averagingWeights(int time) {
        Nd4jLoader.ensureLoaded();
        INDArray tril = lowerTriangle(time);                                        // (T,T) of 0/1
        return tril.diviColumnVector(tril.sum(true, 1));                            // each row / its sum
    }

    /** Version 2: {@code wei @ x} with {@code wei = tril / rowsum}; one batched matrix product does all the loops. */
    public static INDArray averageWithMatmul(INDArray x) {
        return batchedMatmul(averagingWeights((int) x.size(1)), x);                // (T,T) @ (B,T,C) -> (B,T,C)
    }

    /**
     * Version 3: start from zero affinities, set the future to {@code -inf}, softmax each row. The
     * zeros become equal weights over the past, exactly version 2; but now the affinities could be
     * anything, which is what version 4 uses.
     */
    public static INDArray maskedSoftmaxWeights(int time) {
        Nd4jLoader.ensureLoaded();
        return causalSoftmax(Nd4j.zeros(DataType.FLOAT, time, time));            // (T,T)
    }

    public static INDArray averageWithSoftmax(INDArray x) {
        return batchedMatmul(maskedSoftmaxWeights((int) x.size(1)), x);           // (T,T) @ (B,T,C) -> (B,T,C)
    }

    /** What one head computes for {@code x (B,T,C)}: the weights {@code (B,T,T)} and the output {@code (B,T,hs)}. */
    public record HeadOutput(INDArray weights, INDArray out) {}

    /**
     * Version 4: one self-attention head. Every token emits a query ("what I look for") and a key
     * ("what I contain"); their dot products are the affinities, scaled by {@code 1/sqrt(headSize)},
     * masked and softmaxed; the output averages the values with those weights.
     * Weight matrices are {@code (C, headSize)} so that {@code x @ w} is the projection.
     */
    public static HeadOutput head(INDArray x, INDArray wKey, INDArray wQuery, INDArray wValue) {
        long batch = x.size(0), time = x.size(1);
        long headSize = wKey.size(1);
        INDArray out = Nd4j.zeros(x.dataType(), batch, time, wValue.size(1));     // (B,T,hs)
        INDArray weights = Nd4j.zeros(x.dataType(), batch, time, time);           // (B,T,T)
        for (long b = 0; b < batch; b++) {
            INDArray xb = x.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()); // (T,C)
            INDArray k = xb.mmul(wKey);                                            // (T,C) @ (C,hs) -> (T,hs)
            INDArray q = xb.mmul(wQuery);                                          // (T,C) @ (C,hs) -> (T,hs)
            INDArray wei = q.mmul(k.transpose()).muli(1.0 / Math.sqrt(headSize));  // (T,hs) @ (hs,T) -> (T,T)
            wei = causalSoftmax(wei);                                              // future masked, rows sum to 1
            weights.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()).assign(wei);
            out.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()).assign(wei.mmul(xb.mmul(wValue))); // (T,T) @ (T,hs)
        }
        return new HeadOutput(weights, out);
    }

    /** Softmax of each row after setting the entries above the diagonal to {@code -inf}. */
    public static INDArray causalSoftmax(INDArray affinities) {
        int time = (int) affinities.size(0);
        INDArray masked = affinities.dup();
        for (int i = 0; i < time; i++) {
            for (int j = i + 1; j < time; j++) masked.putScalar(i, j, Double.NEGATIVE_INFINITY); // the future may not talk to the past
        }
        return Transforms.softmax(masked, false);                                  // rows sum to 1; exp(-inf) = 0
    }

    /**
     * Variance of the raw attention affinities {@code q @ k^T} for unit-variance {@code q}, {@code k}:
     * about {@code headSize} unscaled, about 1 after multiplying by {@code 1/sqrt(headSize)}. Large
     * affinities push the softmax towards one-hot, so each token would listen to a single other token.
     */
    public static double affinityVariance(int batch, int time, int headSize, boolean scaled, long seed) {
        INDArray k = randn(seed, batch, time, headSize), q = randn(seed + 1, batch, time, headSize);
        double sum = 0, sumSq = 0;
        long n = 0;
        for (int b = 0; b < batch; b++) {
            INDArray wei = q.get(NDArrayIndex.point(b)).mmul(k.get(NDArrayIndex.point(b)).transpose()); // (T,T)
            if (scaled) wei.muli(1.0 / Math.sqrt(headSize));
            sum += wei.sumNumber().doubleValue();
            sumSq += wei.mul(wei).sumNumber().doubleValue();
            n += wei.length();
        }
        double mean = sum / n;
        return sumSq / n - mean * mean;
    }

    private static INDArray lowerTriangle(int time) {
        INDArray tril = Nd4j.zeros(DataType.FLOAT, time, time);
        for (int i = 0; i < time; i++) for (int j = 0; j <= i; j++) tril.putScalar(i, j, 1.0);
        return tril;
    }

    private static INDArray batchedMatmul(INDArray wei, INDArray x) {
        INDArray out = Nd4j.zeros(x.dataType(), x.shape());
        for (long b = 0; b < x.size(0); b++) {
            out.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(wei.mmul(x.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()))); // (T,T) @ (T,C)
        }
        return out;
    }
}
