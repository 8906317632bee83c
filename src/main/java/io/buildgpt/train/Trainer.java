package io.buildgpt.train;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.Split;
import io.buildgpt.model.GptLanguageModel;
import io.buildgpt.model.LanguageModel;
import io.buildgpt.model.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        if (model instanceof GptLanguageModel gpt && sampler.blockSize() > gpt.config().blockSize()) {
            throw new IllegalArgumentException("the sampler draws windows of T = " + sampler.blockSize() + " tokens but the model's"
                    + " blockSize is " + gpt.config().blockSize() + ": give both the same blockSize, e.g. new BatchSampler(split, batchSize, seed)"
                    + " takes the split's, and GptConfig the same value");
        }
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
        requireOneLearningRate(config);
        requireCurrentParameters();
        warnings.clear();
        double initialLoss = Double.NaN;
        LossHistory history = new LossHistory(listener.runName());
        listener.onStart(config);
        long start = System.nanoTime();
        long stepNanos = 0;
        for (int iter = 0; iter < config.maxIters(); iter++) {
            if (iter % config.evalInterval() == 0 || iter == config.maxIters() - 1) {
                LossEstimate estimate = estimateLoss(config.evalIters());
                if (!Double.isFinite(estimate.train())) throw new TrainingDivergedException(iter, estimate.train(), config.learningRate());
                if (Double.isNaN(initialLoss)) initialLoss = estimate.train();
                else warnIfExploding(iter, estimate.train(), initialLoss);
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

    /** How far above its first estimate the training loss may rise before the run warns: far beyond noise. */
    static final double EXPLODING_FACTOR = 2.0;
    private final List<String> warnings = new ArrayList<>();

    /** The warnings of the last {@link #train} call, each also printed to stderr when it arose. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private void warnIfExploding(int iter, double loss, double initial) {
        if (warnings.isEmpty() && loss > EXPLODING_FACTOR * initial) {
            String warning = String.format(Locale.ROOT, "warning: the training loss is %.4g at step %d, %.1f times its first"
                    + " estimate %.4g: training is diverging; the learning rate %g is probably too high (try %g)",
                    loss, iter, loss / initial, initial, optimizer.learningRate(), optimizer.learningRate() / 10);
            warnings.add(warning);
            System.err.println(warning);
        }
    }

    /** The learning rate is the optimiser's; a TrainConfig that says otherwise is a contradiction, not an override. */
    private void requireOneLearningRate(TrainConfig config) {
        if (config.learningRate() != optimizer.learningRate()) {
            throw new IllegalArgumentException("two learning rates: the AdamW has " + optimizer.learningRate() + " but the TrainConfig says "
                    + config.learningRate() + "; give the same value to both (the optimiser's is the one that steps)");
        }
    }

    private void requireCurrentParameters() {
        List<Parameter> trainable = model.trainableParameters();
        if (!optimizer.parameters().equals(trainable)) {
            throw new IllegalStateException("the optimiser updates " + optimizer.parameters().size() + " tensors but the model now trains "
                    + trainable.size() + (trainable.isEmpty() ? "" : " (" + trainable.get(0).name() + ", ...)")
                    + ": was LoRA enabled or merged after the AdamW was made? Make it from the model, new AdamW(model, learningRate),"
                    + " which follows the model, or again from model.trainableParameters()");
        }
    }
}
