package io.buildgpt.train;

/** Called after each evaluation, e.g. to redraw a live loss plot in a notebook. */
@FunctionalInterface
public interface TrainListener {
    void onEvaluation(int step, LossEstimate estimate, LossHistory history);

    TrainListener NONE = (step, estimate, history) -> { };
}
