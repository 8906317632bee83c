package io.buildgpt.train;

/**
 * What a training run produced.
 *
 * @param history         every evaluation
 * @param stepMillis      mean wall time of one training step (batch, forward, backward, AdamW), evaluations excluded
 * @param totalSeconds    wall time of the whole run, evaluations included
 */
public record TrainResult(LossHistory history, double stepMillis, double totalSeconds) {
    public LossEstimate last() {
        return history.last();
    }

    @Override
    public String toString() {
        return String.format("%s after %d evaluations; %.3f ms/step, %.1f s in all", history.last(), history.size(), stepMillis, totalSeconds);
    }
}
