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
