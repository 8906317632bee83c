package io.buildgpt.train;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.Split;
import io.buildgpt.model.LanguageModel;

/**
 * Measures the wall time of training steps (batch, forward, backward, AdamW) without evaluations,
 * after untimed warm-up steps: what a reader needs to know how long a long run would take on their
 * machine. The steps really train the model (they are not undone).
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

    /** Runs {@code warmup} untimed steps, then {@code steps} timed ones, on training batches from {@code sampler}. */
    public static Timing measure(LanguageModel model, BatchSampler sampler, AdamW optimizer, int warmup, int steps) {
        if (warmup < 0 || steps < 1) throw new IllegalArgumentException("warmup = " + warmup + ", steps = " + steps + ": need warmup >= 0 and steps >= 1");
        int[] x = new int[sampler.batchSize() * sampler.blockSize()], y = new int[x.length];
        double loss = Double.NaN;
        long start = 0;
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup) start = System.nanoTime();
            sampler.fill(Split.TRAIN, x, y);                                                     // (B, T)
            loss = model.lossAndGradients(x, y, sampler.batchSize(), sampler.blockSize());
            optimizer.step();
        }
        return new Timing(steps, (System.nanoTime() - start) / 1e9 / steps, loss);
    }
}
