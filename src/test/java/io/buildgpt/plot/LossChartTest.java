package io.buildgpt.plot;

import io.buildgpt.train.LossHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class LossChartTest {

    @Test
    void drawsALossCurveHeadlessAndSavesItAsPng(@TempDir Path dir) throws Exception {
        LossHistory h = LossHistoryFixture.of(new int[]{0, 300, 600}, new double[]{4.6, 2.8, 2.5}, new double[]{4.6, 2.9, 2.55});
        BufferedImage img = LossChart.image("bigram", h);
        assertEquals(LossChart.WIDTH, img.getWidth());
        assertEquals(LossChart.HEIGHT, img.getHeight());
        // something was drawn: many distinct colours (lines, text), not one flat background
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int x = 0; x < img.getWidth(); x += 3) for (int y = 0; y < img.getHeight(); y += 3) colours.add(img.getRGB(x, y));
        assertTrue(colours.size() > 20, "too few colours: " + colours.size());
        Path png = LossChart.savePng(img, dir.resolve("loss.png"));
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(img.getWidth(), back.getWidth());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void aFailedWriteSaysWhereAndKeepsNothingHalfWritten(@TempDir Path dir) throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> LossChart.savePng(img, notADir.resolve("loss.png")));
        assertTrue(e.getMessage().contains("could not write the chart to"), e.getMessage());
        assertEquals("x", Files.readString(notADir));
    }

    @Test
    void everySeriesOfTwelveRunsHasItsOwnStyleAndTheLegendLeavesThePlotAreaFree() {
        // notebook 10 draws six runs (twelve series); before, the sixth run repeated the first's colour and marker
        LossHistory[] runs = new LossHistory[LossChart.DISTINCT_RUNS];
        for (int i = 0; i < runs.length; i++) {
            runs[i] = LossHistoryFixture.named("run " + i, new int[]{0, 100}, new double[]{4 - 0.1 * i, 3}, new double[]{4.1, 3.1});
        }
        org.knowm.xchart.XYChart chart = LossChart.chart("many runs", runs);
        assertEquals(2 * runs.length, chart.getSeriesMap().size());
        java.util.Set<String> styles = new java.util.HashSet<>();
        java.util.Set<String> runStyles = new java.util.HashSet<>();
        for (org.knowm.xchart.XYSeries series : chart.getSeriesMap().values()) {
            String runStyle = series.getLineColor().darker() + " " + series.getMarker().getClass().getSimpleName();
            String style = series.getLineColor() + " " + series.getMarker().getClass().getSimpleName() + " "
                    + java.util.Arrays.toString(series.getLineStyle().getDashArray());
            assertTrue(styles.add(style), "two series look alike (" + style + ") in " + chart.getSeriesMap().keySet());
            if (series.getName().endsWith(" train")) runStyles.add(runStyle);
        }
        assertEquals(runs.length, runStyles.size(), "each run its own colour and marker");
        // the legend is drawn beside the plot area, never on top of the curves
        org.knowm.xchart.style.Styler.LegendPosition position = chart.getStyler().getLegendPosition();
        assertTrue(position.name().startsWith("Outside"), "legend at " + position);
    }
}
