package io.buildgpt.plot;

import io.buildgpt.files.AtomicFiles;

import io.buildgpt.train.LossHistory;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Train and val loss against step, as an XChart line chart. {@link #image} gives a
 * {@link BufferedImage}, which IJava and JJava show inline as a PNG.
 *
 * <p>Each run has its own colour and marker shape, distinct for up to {@link #DISTINCT_RUNS} runs (24
 * series); its train curve is solid, its val curve dashed in a darker shade, and the legend names the
 * run ("bigram train", "GPT val"), so curves that overlap can still be told apart. The legend sits to
 * the right of the plot area, so it never hides a curve. The axes are set to round numbers from the
 * data, also when there is only one point so far.
 */
public final class LossChart {
    public static final int WIDTH = 720;
    public static final int HEIGHT = 400;

    /** How many runs get a colour and a marker of their own; further runs repeat them in order. */
    public static final int DISTINCT_RUNS = 12;

    /** One colour per run, far enough apart to tell apart on a white background. */
    private static final Color[] COLOURS = {new Color(31, 119, 180), new Color(255, 127, 14),
            new Color(44, 160, 44), new Color(214, 39, 40), new Color(148, 103, 189),
            new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
            new Color(188, 189, 34), new Color(23, 190, 207), new Color(0, 0, 128), new Color(0, 0, 0)};

    /**
     * One marker shape per run, so runs whose curves lie on top of each other still show both. Six
     * shapes, taken in an order that gives each of the first twelve runs another (colour, shape) pair
     * than any other run, and neighbours in the legend different shapes.
     */
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE,
            SeriesMarkers.TRIANGLE_UP, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};

    static {
        // Charts are drawn off-screen; without this a machine with no display fails on the first font.
        System.setProperty("java.awt.headless", "true");
    }

    private LossChart() {}

    /** A chart of one or more runs; each run adds a "train" and a "val" series named after it. */
    public static XYChart chart(String title, LossHistory... runs) {
        return chart(title, -1, runs);
    }

    /**
     * The same with the step axis running to {@code lastStep} (a live plot knows it before the
     * first evaluation); {@code lastStep < 0} takes it from the data.
     */
    static XYChart chart(String title, int lastStep, LossHistory... runs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("step").yAxisTitle("loss (cross-entropy)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setMarkerSize(7);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int maxStep = Math.max(lastStep, 0);
        int colour = 0;
        for (LossHistory run : runs) {
            if (run.size() == 0) continue;
            double[] steps = Arrays.stream(run.steps()).asDoubleStream().toArray();
            Color c = colour(colour);
            Marker marker = marker(colour);
            colour++;
            style(chart.addSeries(run.name() + " train", steps, run.trainLosses()), c, marker, false);
            style(chart.addSeries(run.name() + " val", steps, run.valLosses()), c.darker(), marker, true);
            for (double v : run.trainLosses()) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            for (double v : run.valLosses()) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            if (lastStep < 0) maxStep = Math.max(maxStep, run.steps()[run.size() - 1]);
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax((double) roundUp(maxStep));
        if (chart.getSeriesMap().isEmpty()) {
            // Nothing measured yet: an empty frame with a note, not a made-up point at (0, 0).
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(5.0);
            XYSeries note = chart.addSeries("waiting for the first evaluation", new double[]{0}, new double[]{0});
            note.setMarker(SeriesMarkers.NONE);
            note.setLineColor(new Color(0, 0, 0, 0));
            chart.setTitle(title + " (waiting for the first evaluation)");
            return chart;
        }
        // At least half a unit of loss is shown, so a first single point gets ticks 0.1 apart, not 0.02.
        double pad = Math.max((0.5 - (hi - lo)) / 2, (hi - lo) * 0.08);
        double unit = hi - lo > 2 ? 0.5 : 0.1;
        chart.getStyler().setYAxisMin(Math.floor((lo - pad) / unit) * unit);
        chart.getStyler().setYAxisMax(Math.ceil((hi + pad) / unit) * unit);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        return chart;
    }

    /**
     * The chart drawn into an image, ready for {@code display(...)} in a notebook or as a cell's value;
     * its text form names it ("chart: bigram vs GPT, 720×400").
     */
    public static BufferedImage image(String title, LossHistory... runs) {
        return ChartImage.of("chart", chart(title, runs));
    }

    static BufferedImage image(String title, int lastStep, LossHistory... runs) {
        return ChartImage.of("chart", chart(title, lastStep, runs));
    }

    /** The colour of the {@code run}-th run (0-based). */
    static Color colour(int run) {
        return COLOURS[run % COLOURS.length];
    }

    /** The marker shape of the {@code run}-th run (0-based). */
    static Marker marker(int run) {
        return MARKERS[run % MARKERS.length];
    }

    private static void style(XYSeries series, Color colour, Marker marker, boolean dashed) {
        series.setLineColor(colour);
        series.setMarkerColor(colour);
        series.setMarker(marker);
        series.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
    }

    /** {@code n} rounded up to a multiple of half its power of ten (2999 -> 3000, 59 -> 60), at least 10. */
    static long roundUp(long n) {
        long power = 1;
        while (power * 10 <= n) power *= 10;
        long unit = Math.max(1, power / 2);
        return Math.max(10, (n + unit - 1) / unit * unit);
    }

    /**
     * Writes the image as a PNG through {@link AtomicFiles}: a temporary file first (forced to disk, the
     * previous file's permissions kept), so a failure leaves an existing file intact.
     */
    public static Path savePng(BufferedImage image, Path target) {
        try {
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", png)) throw new IOException("no PNG writer available");
            AtomicFiles.write(target, png.toByteArray());
            return target;
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UncheckedIOException("could not write the chart to " + target + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the chart to " + target + ": " + e.getMessage()
                    + "; check that the folder is writable", e);
        }
    }
}
