package io.buildgpt.train;

/** Thrown when the loss stops being a finite number: training cannot recover from that. */
public final class TrainingDivergedException extends RuntimeException {
    private final int step;

    public TrainingDivergedException(int step, double loss, double learningRate) {
        super(String.format("the training loss became %s at step %d with learningRate = %g: training diverged; "
                + "restart with a smaller learning rate (e.g. %g) or check the data", loss, step, learningRate, learningRate / 10));
        this.step = step;
    }

    public int step() {
        return step;
    }
}
