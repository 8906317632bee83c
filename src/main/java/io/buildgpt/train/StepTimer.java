package io.buildgpt.train;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.Split;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.LanguageModel;

/**
 * Measures the wall time of training steps (batch, forward, backward, AdamW) without evaluations,
 * after untimed warm-up steps: what a reader needs to know how long a long run would take on their
 * machine. The steps really train the model (they are not undone).
 *
 * <p>Micro-batches: {@link #measure(LanguageModel, BatchSampler, AdamW, int, int, int)} runs each step's
 * forward and backward {@code microBatch} sequences at a time
 * ({@link GptLanguageModel#lossAndGradients(int[], int[], int, int, int)}): the same gradients up to
 * rounding (with dropout, other masks), and the activations of {@code microBatch} sequences in memory
 * instead of the whole batch's (a model keeps buffers for the most rows it has run, so the saving holds
 * only while nothing runs it on the whole batch at once).
 */
public final class StepTimer {
    private StepTimer() {
    }

    /**
     * The result of {@link #measure}.
     *
     * @param steps          timed steps
     * @param secondsPerStep mean wall time of one timed step
     * @param lastLoss       the loss of the last timed step
     */
    public record Timing(int steps, double secondsPerStep, double lastLoss) {
        /** The hours {@code steps} steps would take at this speed. */
        public double hoursFor(int steps) {
            return secondsPerStep * steps / 3600;
        }
    }

    /** Runs {@code warmup} untimed steps, then {@code steps} timed ones, on training batches from {@code sampler}, each batch in one pass. */
    public static Timing measure(LanguageModel model, BatchSampler sampler, AdamW optimizer, int warmup, int steps) {
        return measure(model, sampler, optimizer, warmup, steps, sampler.batchSize());
    }

    /**
     * As {@link #measure(LanguageModel, BatchSampler, AdamW, int, int)}, each step's batch run
     * {@code microBatch} sequences at a time (see the class comment). {@code microBatch} must divide the
     * sampler's batch size; the batch size itself means one pass over the whole batch, which is the only
     * choice for a model other than {@link GptLanguageModel}.
     */
    public static Timing measure(LanguageModel model, BatchSampler sampler, AdamW optimizer, int warmup, int steps, int microBatch) {
        if (warmup < 0 || steps < 1) throw new IllegalArgumentException("warmup = " + warmup + ", steps = " + steps + ": need warmup >= 0 and steps >= 1");
        int batch = sampler.batchSize(), time = sampler.blockSize();
        GptLanguageModel gpt = MicroBatches.check(model, batch, microBatch);          // null: the whole batch
        int[] x = new int[batch * time], y = new int[x.length];
        double loss = Double.NaN;
        long start = 0;
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup) start = System.nanoTime();
            sampler.fill(Split.TRAIN, x, y);                                                     // (B, T)
            loss = gpt == null ? model.lossAndGradients(x, y, batch, time)                 // forward + backward
                    : gpt.lossAndGradients(x, y, batch, time, microBatch);                        // in micro-batches
            optimizer.step();
        }
        return new Timing(steps, (System.nanoTime() - start) / 1e9 / steps, loss);
    }
}
