package io.buildgpt.plot;

import io.buildgpt.files.AtomicFiles;

import io.buildgpt.train.LossHistory;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Train and val loss against step, as an XChart line chart. {@link #image} gives a
 * {@link BufferedImage}, which IJava and JJava show inline as a PNG.
 */
public final class LossChart {
    public static final int WIDTH = 720;
    public static final int HEIGHT = 400;

    static {
        // Charts are drawn off-screen; without this a machine with no display fails on the first font.
        System.setProperty("java.awt.headless", "true");
    }

    private LossChart() {}

    /** A chart of one or more runs; each run adds a "train" and a "val" series named after it. */
    public static XYChart chart(String title, LossHistory... runs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("step").yAxisTitle("loss (cross-entropy)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (LossHistory run : runs) {
            if (run.size() == 0) continue;
            String prefix = runs.length > 1 ? run.name() + " " : "";
            double[] steps = java.util.Arrays.stream(run.steps()).asDoubleStream().toArray();
            chart.addSeries(prefix + "train", steps, run.trainLosses()).setMarker(SeriesMarkers.CIRCLE);
            chart.addSeries(prefix + "val", steps, run.valLosses()).setMarker(SeriesMarkers.DIAMOND);
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no evaluations yet", new double[]{0}, new double[]{0});
        }
        return chart;
    }

    /** The chart drawn into an image, ready for {@code display(...)} in a notebook. */
    public static BufferedImage image(String title, LossHistory... runs) {
        return BitmapEncoder.getBufferedImage(chart(title, runs));
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
