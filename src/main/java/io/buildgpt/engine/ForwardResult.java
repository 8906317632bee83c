package io.buildgpt.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@code forward(idx, targets)} returns: the logits {@code (B, T, V)} and the mean
 * cross-entropy over the {@code B*T} positions ({@code NaN} when no targets were given, as the
 * lecture's {@code loss = None}).
 */
public record ForwardResult(INDArray logits, double loss) {
    public boolean hasLoss() {
        return !Double.isNaN(loss);
    }
}
