package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Softmax;

import io.buildgpt.engine.kernels.Profile.Op;

import java.util.Arrays;
import java.util.List;

/**
 * The loss of {@link GptLanguageModel}: the mean cross-entropy of the logits against the targets, and
 * the training step's loss and gradients, in one pass over the batch or accumulated over micro-batches.
 * Inputs are checked by the caller ({@link GptInputs}).
 *
 * <p>Logits in parts: {@code (B*T, V)} logits are large (GPT-2 at B4 T256: 206 MB, and as much again for their
 * gradient), and the loss needs only one row at a time. So an evaluation, and a training pass whose
 * {@code lm_head} takes no gradient (LoRA, QLoRA: the head is the frozen token embedding), run {@code lm_head} and
 * the cross-entropy on {@link Matmul#BLOCK_ROWS} rows per thread at a time, each row's gradient written over its
 * logits, handing {@code ln_f} the gradient of its output. The product's row blocks are the ones one large call would make, so every value is the same bits;
 * a head that trains takes the whole product, since its weight gradient would be summed in another order.
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
        return inParts(stack.hidden(x, batchSize, blockSize, false), y, null, 1f / y.length) / y.length;
    }

    /** The mean cross-entropy of {@code logits (B*T, V)} against {@code y (B*T)}. */
    double mean(float[] logits, int[] y) {
        return crossEntropy(0, logits, y, 0, y.length, null, 1f / y.length) / y.length;
    }

    /** Training mode: zeroes the gradients of {@code parameters}, then the loss and its gradients in one pass. */
    double withGradients(List<Parameter> parameters, int[] x, int[] y, int batchSize, int blockSize) {
        Profile.begin();
        for (Parameter p : parameters) p.zeroGrad();
        Profile.lap(Op.ZERO_GRAD);
        return pass(x, y, batchSize, blockSize, 1f / y.length) / y.length;
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
            double mean = pass(xs, ys, microBatch, blockSize, 1f / x.length) / rows;     // this micro-batch's mean loss,
            loss += mean * rows / x.length;                                               // its share of the mean over all B*T
        }
        return loss;
    }

    /** One forward and backward over {@code x}: the sum of the rows' losses; the gradient of {@code scale * sum} goes into every grad. */
    private double pass(int[] x, int[] y, int batch, int time, float scale) {
        int n = y.length;
        if (!stack.lmHead.takesGradients()) {                               // the head frozen: logits in parts
            float[] dHidden = stack.acts.dHidden(n * stack.lmHead.inFeatures());
            double sum = inParts(stack.hidden(x, batch, time, true), y, dHidden, scale);
            stack.backwardHidden(dHidden);
            return sum;
        }
        float[] logits = stack.logits(x, batch, time, true);
        float[] dLogits = stack.acts.dLogits(n, vocab);
        Arrays.fill(dLogits, 0, n * vocab, 0f);
        double sum = crossEntropy(0, logits, y, 0, n, dLogits, scale);
        Profile.lap(Op.XENT);
        stack.backward(dLogits);
        return sum;
    }

    /**
     * {@code lm_head} and the cross-entropy over {@code h (n, C)}, a part of rows at a time: the sum of the rows'
     * losses; with {@code dHidden} the gradient of {@code scale * sum} with respect to {@code h} is written there.
     */
    private double inParts(float[] h, int[] y, float[] dHidden, float scale) {
        Linear head = stack.lmHead;
        Activations a = stack.acts;
        int n = y.length, c = head.inFeatures(), part = Matmul.BLOCK_ROWS * stack.threads;
        double sum = 0;
        for (int from = 0; from < n; ) {
            int rows = Math.min(part, n - from);
            if (n - from - rows < Matmul.DOT_ROWS) rows = n - from;         // a short tail joins this part: as one call would
            float[] in = h;
            if (rows < n) {                                                 // (rows, C): this part's rows of h
                in = a.headInput(rows * c);
                System.arraycopy(h, from * c, in, 0, rows * c);
            }
            float[] logits = head.forward(a.lmHead, in, rows);              // (rows,C) @ (C,V) -> (rows,V)
            Profile.lap(Op.LM_HEAD_F);
            if (dHidden == null) {
                sum = crossEntropy(sum, logits, y, from, rows, null, scale); // one running sum: the same bits as one part
            } else {                                                        // each row's gradient over its logits
                for (int i = 0; i < rows; i++) sum += Softmax.crossEntropyInPlace(logits, i * vocab, vocab, y[from + i], scale, exps);
            }
            Profile.lap(Op.XENT);
            if (dHidden != null) {
                float[] dIn = head.backward(a.lmHead, logits);              // (rows,V) @ (V,C) -> (rows,C)
                System.arraycopy(dIn, 0, dHidden, from * c, rows * c);
                Profile.lap(Op.LM_HEAD_B);
            }
            from += rows;
        }
        return sum;
    }

    /**
     * {@code sum} plus the losses of the {@code rows} rows of {@code logits} against {@code y[from..]}; the gradient of
     * {@code scale * loss} goes into {@code grad} (if not null), row for row.
     */
    private double crossEntropy(double sum, float[] logits, int[] y, int from, int rows, float[] grad, float scale) {
        for (int i = 0; i < rows; i++) sum += Softmax.crossEntropy(logits, i * vocab, vocab, y[from + i], grad, i * vocab, scale, exps);
        return sum;
    }
}
