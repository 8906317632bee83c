package io.buildgpt.plot;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Attention weights {@code (T, T)} as a heat map: row = the token that asks (query), column = the
 * token it listens to (key); the characters label both axes so the pattern can be read against the text.
 */
public final class AttentionHeatmap {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private AttentionHeatmap() {}

    public static HeatMapChart chart(String title, float[][] weights, String characters) {
        int t = weights.length;
        if (characters.length() != t) {
            throw new IllegalArgumentException("need one character per row: " + t + " rows, " + characters.length() + " characters");
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < t; i++) labels.add(i + " " + visible(characters.charAt(i)));
        List<Number[]> cells = new ArrayList<>();
        for (int q = 0; q < t; q++) {
            for (int k = 0; k < t; k++) cells.add(new Number[]{k, t - 1 - q, weights[q][k]}); // first query row at the top
        }
        List<String> yLabels = new ArrayList<>(labels);
        Collections.reverse(yLabels);
        HeatMapChart chart = new HeatMapChartBuilder().width(560 + 8 * t).height(480 + 8 * t).title(title)
                .xAxisTitle("key: the token listened to").yAxisTitle("query: the token asking").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setShowValue(t <= 12);
        // "12 e" side by side along the key axis would run into each other: stand them upright
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setHeatMapValueDecimalPattern("0.00");
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setRangeColors(new Color[]{new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 48, 107)});
        chart.addSeries("attention", labels, yLabels, cells);
        return chart;
    }

    /** The heat map drawn into an image; its text form names it ("heat map: head 0, 584×504"). */
    public static BufferedImage image(String title, float[][] weights, String characters) {
        return ChartImage.of("heat map", chart(title, weights, characters));
    }

    private static String visible(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case ' ' -> "␣";
            default -> String.valueOf(c);
        };
    }
}
