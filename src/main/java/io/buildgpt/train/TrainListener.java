package io.buildgpt.train;

/**
 * Called by {@link Trainer#train} once before the first step and after each evaluation, e.g. to
 * redraw a live loss plot in a notebook ({@code io.buildgpt.plot.LiveLossPlot}).
 */
@FunctionalInterface
public interface TrainListener {
    void onEvaluation(int step, LossEstimate estimate, LossHistory history);

    /** Before the first step: the run's configuration (a plot can size its step axis from it). */
    default void onStart(TrainConfig config) { }

    /** The run's name: its {@link LossHistory} carries it, and charts name the run by it ("bigram", "GPT"). */
    default String runName() {
        return "run";
    }

    /** Listens to nothing. */
    TrainListener NONE = (step, estimate, history) -> { };

    /** Listens to nothing, but names the run, so that a chart comparing runs tells them apart. */
    static TrainListener quiet(String runName) {
        String name = LossHistory.checkedName(runName);
        return new TrainListener() {
            @Override
            public void onEvaluation(int step, LossEstimate estimate, LossHistory history) { }

            @Override
            public String runName() {
                return name;
            }
        };
    }
}
