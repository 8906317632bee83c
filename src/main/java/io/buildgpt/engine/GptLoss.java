package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Softmax;

import io.buildgpt.engine.kernels.Profile.Op;

import java.util.Arrays;
import java.util.List;

/**
 * The loss of {@link GptLanguageModel}: the mean cross-entropy of the logits against the targets, and
 * the training step's loss and gradients, in one pass over the batch or accumulated over micro-batches.
 * Inputs are checked by the caller ({@link GptInputs}).
 */
final class GptLoss {
    private final GptStack stack;
    private final int vocab;
    private final float[] exps;      // softmax scratch (V)

    GptLoss(GptStack stack, int vocab) {
        this.stack = stack;
        this.vocab = vocab;
        this.exps = new float[vocab];
    }

    /** Eval mode: the mean cross-entropy of the model on {@code x (B*T)} against {@code y (B*T)}. */
    double eval(int[] x, int[] y, int batchSize, int blockSize) {
        return mean(stack.logits(x, batchSize, blockSize, false), y);
    }

    /** The mean cross-entropy of {@code logits (B*T, V)} against {@code y (B*T)}. */
    double mean(float[] logits, int[] y) {
        return crossEntropy(logits, y, null, 1f / y.length);
    }

    /** Training mode: zeroes the gradients of {@code parameters}, then the loss and its gradients in one pass. */
    double withGradients(List<Parameter> parameters, int[] x, int[] y, int batchSize, int blockSize) {
        Profile.begin();
        for (Parameter p : parameters) p.zeroGrad();
        Profile.lap(Op.ZERO_GRAD);
        float[] logits = stack.logits(x, batchSize, blockSize, true);
        float[] dLogits = stack.acts.dLogits(x.length, vocab);
        Arrays.fill(dLogits, 0, x.length * vocab, 0f);
        double loss = crossEntropy(logits, y, dLogits, 1f / y.length); // mean over B*T positions
        Profile.lap(Op.XENT);
        stack.backward(dLogits);
        return loss;
    }

    /**
     * The same, {@code microBatch} sequences at a time, each adding its share of the gradient of the mean
     * loss over all {@code B*T} positions ({@code microBatch} divides {@code batchSize}).
     */
    double withGradients(List<Parameter> parameters, int[] x, int[] y, int batchSize, int blockSize, int microBatch) {
        for (Parameter p : parameters) p.zeroGrad();
        int rows = microBatch * blockSize;
        int[] xs = new int[rows], ys = new int[rows];
        double loss = 0;
        for (int from = 0; from < x.length; from += rows) {
            System.arraycopy(x, from, xs, 0, rows);
            System.arraycopy(y, from, ys, 0, rows);
            float[] logits = stack.logits(xs, microBatch, blockSize, true);
            float[] dLogits = stack.acts.dLogits(rows, vocab);
            Arrays.fill(dLogits, 0, rows * vocab, 0f);
            loss += crossEntropy(logits, ys, dLogits, 1f / x.length) * rows / x.length; // d(mean over all B*T)
            stack.backward(dLogits);                                                   // adds into every grad
        }
        return loss;
    }

    /** Mean cross-entropy over {@code y}; the gradient of {@code scale * sum} goes into {@code grad} (if not null). */
    private double crossEntropy(float[] logits, int[] y, float[] grad, float scale) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) sum += Softmax.crossEntropy(logits, i * vocab, vocab, y[i], grad, i * vocab, scale, exps);
        return sum / y.length;
    }

}
