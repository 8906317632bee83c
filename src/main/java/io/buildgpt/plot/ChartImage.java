package io.buildgpt.plot;

import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * A drawn chart that says what it is: a {@link BufferedImage}, so kernels show it as a PNG, whose
 * {@link #toString()} reads "chart: bigram: train and val loss, 720×400". Jupyter kernels put
 * {@code toString()} into the {@code text/plain} part of a cell's value (the part shown where images
 * are not, e.g. in a terminal, a diff or a screen reader), which for a plain image is
 * "BufferedImage@585877b3: type = 1 DirectColorModel…".
 */
public final class ChartImage extends BufferedImage {
    private final String description;

    private ChartImage(String kind, String title, int width, int height) {
        super(width, height, BufferedImage.TYPE_INT_RGB);
        this.description = kind + ": " + title + ", " + width + "×" + height;
    }

    /** The chart painted at its own size, as XChart's {@code BitmapEncoder.getBufferedImage} paints it. */
    static ChartImage of(String kind, Chart<?, ?> chart) {
        ChartImage image = new ChartImage(kind, chart.getTitle(), chart.getWidth(), chart.getHeight());
        Graphics2D graphics = image.createGraphics();
        try {
            chart.paint(graphics, chart.getWidth(), chart.getHeight());
        } finally {
            graphics.dispose();
        }
        return image;
    }

    /** What the image shows, e.g. "chart: bigram vs GPT, 720×400". */
    @Override
    public String toString() {
        return description;
    }
}
