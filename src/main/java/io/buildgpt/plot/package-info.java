/**
 * Charts for the notebooks, drawn off-screen with XChart into images: {@link io.buildgpt.plot.LossChart}
 * (train and val loss of one or more named runs), {@link io.buildgpt.plot.LiveLossPlot} (the same,
 * redrawn in place while a model trains) and {@link io.buildgpt.plot.AttentionHeatmap}.
 */
package io.buildgpt.plot;
