package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * What a cell model's {@code forward(idx, targets)} returns, as the lecture's {@code return logits, loss}:
 * the logits {@code (B, T, V)} and the mean cross-entropy, or {@code null} when there are no targets.
 */
public record Forward(SDVariable logits, SDVariable loss) {}
