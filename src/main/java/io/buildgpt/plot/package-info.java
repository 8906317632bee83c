/**
 * Pictures for the notebooks: {@link io.buildgpt.plot.LossChart} (live loss curves) and
 * {@link io.buildgpt.plot.AttentionHeatmap}, drawn with XChart into {@code BufferedImage}s or PNG files.
 */
package io.buildgpt.plot;
