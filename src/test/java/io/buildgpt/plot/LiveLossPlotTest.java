package io.buildgpt.plot;

import io.buildgpt.notebook.KernelDisplay;
import io.buildgpt.train.LossHistory;
import io.buildgpt.train.LossHistoryAccess;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainListener;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LiveLossPlotTest {

    @Test
    void showsOneFrameBeforeTrainingAndRedrawsItInPlaceAfterEachEvaluation() {
        List<String> calls = new ArrayList<>();
        KernelDisplay display = KernelDisplay.of(value -> { calls.add("show"); return "id-1"; },
                (id, value) -> calls.add("update " + id));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        LiveLossPlot plot = LiveLossPlot.of("bigram", display, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertEquals("bigram", plot.runName());

        plot.onStart(new TrainConfig(300, 100, 5, 1e-2));
        LossHistory history = new LossHistory(plot.runName());
        LossHistoryAccess.add(history, 0, 4.7, 4.71);
        plot.onEvaluation(0, history.last(), history);
        LossHistoryAccess.add(history, 100, 3.1, 3.2);
        plot.onEvaluation(100, history.last(), history);

        assertEquals(List.of("show", "update id-1", "update id-1"), calls);
        assertEquals("step    0: train loss 4.7000, val loss 4.7100\nstep  100: train loss 3.1000, val loss 3.2000\n",
                text.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
        assertEquals(LossChart.WIDTH, plot.image().getWidth());
    }

    @Test
    void aLoopWrittenInACellFeedsItWithAdd() {
        List<String> calls = new ArrayList<>();
        KernelDisplay display = KernelDisplay.of(value -> { calls.add("show"); return "id-7"; },
                (id, value) -> calls.add("update " + id));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        LiveLossPlot plot = LiveLossPlot.of("one head", display, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertNull(plot.image());
        plot.add(0, 4.2, 4.25);
        plot.add(500, 2.5, 2.6);
        assertEquals(List.of("show", "update id-7"), calls);
        assertEquals("step    0: train loss 4.2000, val loss 4.2500\nstep  500: train loss 2.5000, val loss 2.6000\n",
                text.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
        assertEquals(LossChart.WIDTH, plot.image().getWidth());
    }

    @Test
    void outsideAKernelItSaysSoOnceAndThenOnlyPrints() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        LiveLossPlot plot = LiveLossPlot.of("GPT", KernelDisplay.of(null, null), new PrintStream(text, true, StandardCharsets.UTF_8));
        plot.onStart(new TrainConfig(10, 5, 1, 1e-3));
        LossHistory history = new LossHistory("GPT");
        LossHistoryAccess.add(history, 0, 4.2, 4.2);
        plot.onEvaluation(0, history.last(), history);
        LossHistoryAccess.add(history, 5, 3.9, 3.95);
        plot.onEvaluation(5, history.last(), history);
        assertEquals(LiveLossPlot.NO_DISPLAY + "\nstep    0: train loss 4.2000, val loss 4.2000\n"
                        + "step    5: train loss 3.9000, val loss 3.9500\n",
                text.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void aDisplayThatFailsStopsThePlotWithOneLineButNotTheTraining() {
        List<String> calls = new ArrayList<>();
        KernelDisplay broken = KernelDisplay.of(value -> { calls.add("show"); return "id-1"; },
                (id, value) -> { calls.add("update"); throw new IllegalStateException("No kernel running"); });
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        LiveLossPlot plot = LiveLossPlot.of("GPT", broken, new PrintStream(text, true, StandardCharsets.UTF_8));
        plot.onStart(new TrainConfig(10, 5, 1, 1e-3));
        LossHistory history = new LossHistory("GPT");
        LossHistoryAccess.add(history, 0, 4.2, 4.2);
        plot.onEvaluation(0, history.last(), history);
        LossHistoryAccess.add(history, 5, 3.9, 3.95);
        plot.onEvaluation(5, history.last(), history);
        assertEquals(List.of("show", "update"), calls, "after the first failure the display is left alone");
        String out = text.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.split("live plot stopped", -1).length - 1, out);
        assertTrue(out.contains("No kernel running") && out.contains("step    5:"), out);
    }

    @Test
    void itsImagesSayWhatTheyShow() {
        LiveLossPlot plot = LiveLossPlot.of("bigram", KernelDisplay.of(v -> "id", (id, v) -> {}), new PrintStream(new ByteArrayOutputStream()));
        plot.onStart(new TrainConfig(300, 100, 5, 1e-2));
        LossHistory history = new LossHistory("bigram");
        LossHistoryAccess.add(history, 0, 4.7, 4.71);
        plot.onEvaluation(0, history.last(), history);
        assertEquals("chart: bigram: loss while training, 720×400", plot.image().toString());
    }

    @Test
    void aRunWithoutANameIsRefusedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LiveLossPlot.of(" "));
        assertTrue(e.getMessage().contains("LiveLossPlot.of(\"bigram\")"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainListener.quiet(""));
    }

    @Test
    void legendsNameTheRunsAndOverlappingCurvesDifferInColourMarkerAndLine() {
        LossHistory bigram = LossHistoryFixture.named("bigram", new int[]{0, 300}, new double[]{4.7, 2.5}, new double[]{4.7, 2.5});
        LossHistory gpt = LossHistoryFixture.named("GPT", new int[]{0, 300}, new double[]{4.2, 2.5}, new double[]{4.2, 2.5});
        XYChart chart = LossChart.chart("bigram vs GPT", bigram, gpt);
        assertEquals(List.of("bigram train", "bigram val", "GPT train", "GPT val"), new ArrayList<>(chart.getSeriesMap().keySet()));
        XYSeries bigramTrain = chart.getSeriesMap().get("bigram train");
        XYSeries bigramVal = chart.getSeriesMap().get("bigram val");
        XYSeries gptTrain = chart.getSeriesMap().get("GPT train");
        assertNotEquals(bigramTrain.getLineStyle(), bigramVal.getLineStyle(), "train solid, val dashed");
        assertNotEquals(bigramTrain.getMarker().getClass(), gptTrain.getMarker().getClass(), "one marker shape per run");
        assertNotEquals(bigramTrain.getLineColor(), gptTrain.getLineColor(), "one colour per run");
    }

    @Test
    void aSinglePointGetsRoundAxesAndTheEmptyFrameHasNoPoint() {
        LossHistory one = LossHistoryFixture.named("bigram", new int[]{0}, new double[]{4.7291}, new double[]{4.7312});
        XYChart chart = LossChart.chart("bigram", 2999, one);
        double min = chart.getStyler().getYAxisMin();
        double max = chart.getStyler().getYAxisMax();
        assertEquals(Math.round(min * 10) / 10.0, min, 1e-9, "y from a tenth: " + min);
        assertEquals(Math.round(max * 10) / 10.0, max, 1e-9, "y to a tenth: " + max);
        assertTrue(min < 4.7291 && max > 4.7312 && max - min >= 0.5, min + ".." + max);
        assertEquals(3000, chart.getStyler().getXAxisMax(), 0, "the step axis runs to the end of the run, rounded");

        XYChart empty = LossChart.chart("bigram", 2999);
        assertTrue(empty.getSeriesMap().keySet().stream().noneMatch(n -> n.endsWith(" train") || n.endsWith(" val")));
        assertTrue(empty.getTitle().contains("waiting for the first evaluation"), empty.getTitle());
        for (XYSeries s : empty.getSeriesMap().values()) assertEquals(0, s.getLineColor().getAlpha(), "nothing drawn");
        assertNotNull(LossChart.image("bigram"), "an empty chart still draws");
    }

    @Test
    void roundsTheStepAxis() {
        assertEquals(3000, LossChart.roundUp(2999));
        assertEquals(60, LossChart.roundUp(59));
        assertEquals(400, LossChart.roundUp(399));
        assertEquals(5000, LossChart.roundUp(4999));
        assertEquals(10, LossChart.roundUp(0));
    }
}
