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
}
