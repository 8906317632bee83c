package io.buildgpt.plot;

import io.buildgpt.train.LossHistory;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
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

    @Test
    void aChartReturnedAsACellValueReadsAsTextAndStillRendersAsPng() {
        LossHistory h = LossHistoryFixture.of(new int[]{0, 300}, new double[]{4.6, 2.8}, new double[]{4.6, 2.9});
        BufferedImage img = LossChart.image("bigram vs GPT", h);
        assertEquals("chart: bigram vs GPT, 720×400", img.toString());
        BufferedImage heat = AttentionHeatmap.image("head 0", new float[][]{{1, 0}, {0.5f, 0.5f}}, "ab");
        assertEquals("heat map: head 0, " + heat.getWidth() + "×" + heat.getHeight(), heat.toString());

        // JJava's own renderer, as the kernel registers it: PNG from the image, text/plain from toString().
        Renderer renderer = new Renderer();
        Image.registerAll(renderer);
        DisplayData data = renderer.render(img);
        assertEquals("chart: bigram vs GPT, 720×400", data.getData(MIMEType.TEXT_PLAIN));
        assertTrue(String.valueOf(data.getData(MIMEType.IMAGE_PNG)).startsWith("iVBORw0KGgo"), "no PNG");
    }

    @Test
    void theNamedImageHasTheSamePixelsAsXChartsOwnDrawing() {
        LossHistory h = LossHistoryFixture.of(new int[]{0, 300}, new double[]{4.6, 2.8}, new double[]{4.6, 2.9});
        BufferedImage ours = LossChart.image("bigram", h);
        BufferedImage xchart = BitmapEncoder.getBufferedImage(LossChart.chart("bigram", h));
        assertEquals(xchart.getType(), ours.getType());
        for (int y = 0; y < ours.getHeight(); y++) {
            for (int x = 0; x < ours.getWidth(); x++) {
                if (ours.getRGB(x, y) != xchart.getRGB(x, y)) fail("pixel " + x + "," + y + " differs");
            }
        }
    }
}
