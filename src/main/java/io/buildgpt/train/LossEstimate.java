package io.buildgpt.train;

/** Mean loss over {@code evalIters} batches of each split, the lecture's {@code estimate_loss()}. */
public record LossEstimate(double train, double val) {
    @Override
    public String toString() {
        return String.format("train loss %.4f, val loss %.4f", train, val);
    }
}
