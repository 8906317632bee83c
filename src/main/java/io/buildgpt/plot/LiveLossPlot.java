package io.buildgpt.plot;

import io.buildgpt.notebook.KernelDisplay;
import io.buildgpt.train.LossEstimate;
import io.buildgpt.train.LossHistory;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainListener;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A loss plot that redraws in place while a model trains, and a line of text per evaluation:
 * in a notebook cell, {@code trainer.train(config, LiveLossPlot.of("bigram"))}. The name labels
 * the run in the legend and in the run's {@link LossHistory}, so later charts comparing runs
 * say which is which.
 *
 * <p>Where no notebook display is found (a plain JVM, or a kernel this module does not know), or the
 * kernel's display fails, the plot says so once in the text output and training goes on with the
 * text lines only.
 */
public final class LiveLossPlot implements TrainListener {
    private final String runName;
    private final String title;
    private final KernelDisplay display;
    private final PrintStream out;
    private String displayId;
    private int lastStep = -1;
    private BufferedImage latest;
    private boolean failed;
    private LossHistory ownHistory;

    private LiveLossPlot(String runName, KernelDisplay display, PrintStream out) {
        if (runName == null || runName.isBlank()) {
            throw new IllegalArgumentException("LiveLossPlot needs the run's name for its legend, e.g. LiveLossPlot.of(\"bigram\")");
        }
        this.runName = runName;
        this.title = runName + ": loss while training";
        this.display = display;
        this.out = out;
    }

    /** Said once, instead of a chart, where no notebook display is found. */
    static final String NO_DISPLAY = "(no live plot here: no running JJava or IJava kernel was found to draw it in;"
            + " the step lines follow, and LossChart.image(...) draws the chart after training)";

    /** A live plot in the running notebook (outside a kernel it says so once); prints each evaluation to stdout. */
    public static LiveLossPlot of(String runName) {
        return new LiveLossPlot(runName, KernelDisplay.current(), System.out);
    }

    /** For tests and tools: a given display and text output. */
    static LiveLossPlot of(String runName, KernelDisplay display, PrintStream out) {
        return new LiveLossPlot(runName, display, out);
    }

    @Override
    public String runName() {
        return runName;
    }

    /** Shows the empty frame, its step axis already as long as the run. */
    @Override
    public void onStart(TrainConfig config) {
        lastStep = config.maxIters() - 1;
        latest = LossChart.image(title, lastStep);
        if (!display.available()) {
            out.println(NO_DISPLAY);
            return;
        }
        displayId = show(latest);
    }

    @Override
    public void onEvaluation(int step, LossEstimate estimate, LossHistory history) {
        out.printf(Locale.ROOT, "step %4d: %s%n", step, estimate);
        latest = LossChart.image(title, lastStep, history);
        if (failed || !display.available()) return;
        if (displayId == null) {
            displayId = show(latest);
        } else {
            try {
                display.update(displayId, latest);
            } catch (RuntimeException e) {
                giveUp(e);
            }
        }
    }

    private String show(BufferedImage image) {
        try {
            return display.show(image);
        } catch (RuntimeException e) {
            giveUp(e);
            return null;
        }
    }

    /** A plot must not stop the training it watches: the failure is said once and the plot stops. */
    private void giveUp(RuntimeException e) {
        failed = true;
        out.println("(live plot stopped: " + display + " failed with " + e + "; training goes on)");
    }

    /**
     * For a training loop written in a cell: records one evaluation in this plot's own history and redraws,
     * as {@link #onEvaluation} does for a {@code Trainer}. {@code plot.add(iter, losses.train(), losses.val())}.
     */
    public void add(int step, double trainLoss, double valLoss) {
        if (ownHistory == null) ownHistory = new LossHistory(runName);
        LossEstimate estimate = new LossEstimate(trainLoss, valLoss);
        ownHistory.add(step, estimate);
        onEvaluation(step, estimate, ownHistory);
    }

    /** The chart as last drawn (null before the run starts). */
    public BufferedImage image() {
        return latest;
    }
}
