package io.buildgpt.train;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.Split;
import io.buildgpt.model.LanguageModel;

/**
 * The lecture's training loop: every {@code evalInterval} steps estimate the train and val loss;
 * each step sample a batch, compute the loss and its gradients, and let AdamW update the weights.
 */
public final class Trainer {
    private final LanguageModel model;
    private final BatchSampler sampler;
    private final AdamW optimizer;
    // One batch buffer, reused by every step and every evaluation: the loop allocates nothing.
    private final int[] xb;
    private final int[] yb;

    public Trainer(LanguageModel model, BatchSampler sampler, AdamW optimizer) {
        this.model = model;
        this.sampler = sampler;
        this.optimizer = optimizer;
        this.xb = new int[sampler.batchSize() * sampler.blockSize()];
        this.yb = new int[xb.length];
    }

    /** The lecture's {@code estimate_loss()}: mean loss over {@code evalIters} batches of each split, without gradient work. */
    public LossEstimate estimateLoss(int evalIters) {
        return estimateLoss(model, sampler, evalIters, xb, yb);
    }

    /**
     * The same for any model and sampler, e.g. to compare a reloaded checkpoint with the original on
     * the same batches (two samplers with the same seed draw the same batches).
     */
    public static LossEstimate estimateLoss(LanguageModel model, BatchSampler sampler, int evalIters) {
        int[] x = new int[sampler.batchSize() * sampler.blockSize()];
        return estimateLoss(model, sampler, evalIters, x, new int[x.length]);
    }

    private static LossEstimate estimateLoss(LanguageModel model, BatchSampler sampler, int evalIters, int[] xb, int[] yb) {
        if (evalIters < 1) throw new IllegalArgumentException("evalIters = " + evalIters + " is out of range: it must be at least 1");
        return new LossEstimate(meanLoss(model, sampler, Split.TRAIN, evalIters, xb, yb), meanLoss(model, sampler, Split.VAL, evalIters, xb, yb));
    }

    private static double meanLoss(LanguageModel model, BatchSampler sampler, Split split, int evalIters, int[] xb, int[] yb) {
        double sum = 0;
        for (int k = 0; k < evalIters; k++) {
            sampler.fill(split, xb, yb);
            sum += model.loss(xb, yb, sampler.batchSize(), sampler.blockSize());
        }
        return sum / evalIters;
    }

    /**
     * Runs {@code config.maxIters()} steps; stops with {@link TrainingDivergedException} at a NaN or infinite loss.
     * The history is named after {@code listener.runName()}; in a notebook the listener is usually a
     * {@code LiveLossPlot}: {@code trainer.train(config, LiveLossPlot.of("bigram"))}.
     */
    public TrainResult train(TrainConfig config, TrainListener listener) {
        optimizer.setLearningRate(config.learningRate());
        LossHistory history = new LossHistory(listener.runName());
        listener.onStart(config);
        long start = System.nanoTime();
        long stepNanos = 0;
        for (int iter = 0; iter < config.maxIters(); iter++) {
            if (iter % config.evalInterval() == 0 || iter == config.maxIters() - 1) {
                LossEstimate estimate = estimateLoss(config.evalIters());
                if (!Double.isFinite(estimate.train())) throw new TrainingDivergedException(iter, estimate.train(), config.learningRate());
                history.add(iter, estimate);
                listener.onEvaluation(iter, estimate, history);
            }
            long t0 = System.nanoTime();
            sampler.fill(Split.TRAIN, xb, yb);                                                     // xb, yb: (B, T)
            double loss = model.lossAndGradients(xb, yb, sampler.batchSize(), sampler.blockSize()); // forward + backward
            if (!Double.isFinite(loss)) throw new TrainingDivergedException(iter, loss, config.learningRate());
            optimizer.step();
            stepNanos += System.nanoTime() - t0;
        }
        return new TrainResult(history, stepNanos / 1e6 / config.maxIters(), (System.nanoTime() - start) / 1e9);
    }

    public TrainResult train(TrainConfig config) {
        return train(config, TrainListener.NONE);
    }
}
