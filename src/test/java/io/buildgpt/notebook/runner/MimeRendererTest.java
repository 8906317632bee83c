package io.buildgpt.notebook.runner;

import io.buildgpt.plot.LossChart;
import io.buildgpt.train.LossHistory;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The runner renders a cell's image value as JJava does: a PNG, and the value's own text where it has one. */
class MimeRendererTest {

    @SuppressWarnings("unchecked")
    private static String text(Map<String, Object> data) {
        return String.join("", (List<String>) data.get("text/plain"));
    }

    @Test
    void aChartValueIsAPngWithAReadableText() {
        Map<String, Object> data = MimeRenderer.render(LossChart.image("bigram: train and val loss", new LossHistory("bigram")));
        assertTrue(String.valueOf(data.get("image/png")).startsWith("iVBORw0KGgo"), "no PNG");
        assertEquals("chart: bigram: train and val loss (waiting for the first evaluation), 720×400", text(data));
    }

    @Test
    void aPlainImageKeepsAStableTextWithoutAHashCode() {
        Map<String, Object> data = MimeRenderer.render(new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB));
        assertEquals("<BufferedImage 7x5>", text(data));
    }
}
