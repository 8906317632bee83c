package io.buildgpt.train;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.Split;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.LanguageModel;
import io.buildgpt.engine.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lecture's training loop: every {@code evalInterval} steps estimate the train and val loss;
 * each step sample a batch, compute the loss and its gradients, and let AdamW update the weights.
 *
 * <p>Micro-batches: a trainer made with a {@code microBatch} smaller than the batch size runs every
 * batch, in training and in evaluation, {@code microBatch} sequences at a time
 * ({@link GptLanguageModel#lossAndGradients(int[], int[], int, int, int)}): the same gradients and loss
 * estimates up to float rounding, with the activations of {@code microBatch} sequences in memory
 * instead of the whole batch's (what PyTorch users call gradient accumulation). Evaluation uses the parts
 * too because a model keeps its buffers at the largest batch it has run.
 */
public final class Trainer {
    private final LanguageModel model;
    private final BatchSampler sampler;
    private final AdamW optimizer;
    // One batch buffer, reused by every step and every evaluation: the loop allocates nothing.
    private final int[] xb;
    private final int[] yb;
    // Micro-batches: the model as a GPT when batches run in parts (else null), and one part's buffers.
    private final int microBatch;
    private final GptLanguageModel parts;
    private final int[] xs;
    private final int[] ys;

    /** A trainer that runs each batch in one pass. */
    public Trainer(LanguageModel model, BatchSampler sampler, AdamW optimizer) {
        this(model, sampler, optimizer, sampler.batchSize());
    }

    /**
     * A trainer that runs each batch, in training and evaluation, {@code microBatch} sequences at a time
     * (see the class comment); {@code microBatch} must divide the sampler's batch size, and anything
     * smaller than the batch size needs a {@link GptLanguageModel}.
     */
    public Trainer(LanguageModel model, BatchSampler sampler, AdamW optimizer, int microBatch) {
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
        this.parts = MicroBatches.check(model, sampler.batchSize(), microBatch);
        this.microBatch = microBatch;
        this.xs = new int[microBatch * sampler.blockSize()];
        this.ys = new int[xs.length];
    }

    /** Sequences run at a time: the batch size unless the trainer was made with a smaller micro-batch. */
    public int microBatch() {
        return microBatch;
    }

    /** The lecture's {@code estimate_loss()}: mean loss over {@code evalIters} batches of each split, without gradient work. */
    public LossEstimate estimateLoss(int evalIters) {
        return estimateLoss(model, sampler, evalIters, microBatch, xb, yb, xs, ys);
    }

    /**
     * The same for any model and sampler, e.g. to compare a reloaded checkpoint with the original on
     * the same batches (two samplers with the same seed draw the same batches).
     */
    public static LossEstimate estimateLoss(LanguageModel model, BatchSampler sampler, int evalIters) {
        return estimateLoss(model, sampler, evalIters, sampler.batchSize());
    }

    /** The same, each batch evaluated {@code microBatch} sequences at a time (a divisor of the batch size; see the class comment). */
    public static LossEstimate estimateLoss(LanguageModel model, BatchSampler sampler, int evalIters, int microBatch) {
        MicroBatches.check(model, sampler.batchSize(), microBatch);
        int[] x = new int[sampler.batchSize() * sampler.blockSize()], xPart = new int[microBatch * sampler.blockSize()];
        return estimateLoss(model, sampler, evalIters, microBatch, x, new int[x.length], xPart, new int[xPart.length]);
    }

    private static LossEstimate estimateLoss(LanguageModel model, BatchSampler sampler, int evalIters, int microBatch,
                                             int[] xb, int[] yb, int[] xs, int[] ys) {
        if (evalIters < 1) throw new IllegalArgumentException("evalIters = " + evalIters + " is out of range: it must be at least 1");
        return new LossEstimate(meanLoss(model, sampler, Split.TRAIN, evalIters, microBatch, xb, yb, xs, ys),
                meanLoss(model, sampler, Split.VAL, evalIters, microBatch, xb, yb, xs, ys));
    }

    private static double meanLoss(LanguageModel model, BatchSampler sampler, Split split, int evalIters, int microBatch,
                                   int[] xb, int[] yb, int[] xs, int[] ys) {
        double sum = 0;
        for (int k = 0; k < evalIters; k++) {
            sampler.fill(split, xb, yb);                                                  // xb, yb: (B, T)
            sum += batchLoss(model, sampler.batchSize(), sampler.blockSize(), microBatch, xb, yb, xs, ys);
        }
        return sum / evalIters;
    }

    /** Mean loss of one (B, T) batch; in parts of {@code microBatch} sequences, each part's mean weighted by its share of B. */
    private static double batchLoss(LanguageModel model, int batch, int time, int microBatch, int[] xb, int[] yb, int[] xs, int[] ys) {
        if (microBatch == batch) return model.loss(xb, yb, batch, time);
        int rows = microBatch * time;
        double loss = 0;
        for (int from = 0; from < xb.length; from += rows) {
            System.arraycopy(xb, from, xs, 0, rows);                                      // xs, ys: (microBatch, T)
            System.arraycopy(yb, from, ys, 0, rows);
            loss += model.loss(xs, ys, microBatch, time) * rows / xb.length;
        }
        return loss;
    }

    /**
     * Runs {@code config.maxIters()} steps; stops with {@link TrainingDivergedException} at a NaN or infinite loss.
     * The history is named after {@code listener.runName()}; in a notebook the listener is usually a
     * {@code LiveLossPlot}: {@code trainer.train(config, LiveLossPlot.of("bigram"))}.
     */
    public TrainResult train(TrainConfig config, TrainListener listener) {
        // the whole run holds the model: another thread's loss, LoRA or quantization change ... is refused meanwhile
        return model.exclusively("Trainer.train", () -> run(config, listener));
    }

    private TrainResult run(TrainConfig config, TrainListener listener) {
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
            double loss = parts == null ? model.lossAndGradients(xb, yb, sampler.batchSize(), sampler.blockSize()) // forward + backward
                    : parts.lossAndGradients(xb, yb, sampler.batchSize(), sampler.blockSize(), microBatch); // in micro-batches
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
