package io.buildgpt.check;

import java.util.List;
import java.util.Map;

/**
 * What {@link EngineCheck#compare} measured.
 *
 * @param maxLogitDifference largest |cell - engine| over the logits {@code (B, T, V)}
 * @param lossDifference     |cell loss - engine loss|
 * @param cellLoss           the cell model's loss
 * @param engineLoss         the engine's loss
 * @param gradientDifference largest |cell - engine| of each weight's gradient, by state_dict name, in order
 */
public record EngineCheckResult(double maxLogitDifference, double lossDifference, double cellLoss, double engineLoss,
                                Map<String, Double> gradientDifference) {
    public EngineCheckResult {
        gradientDifference = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gradientDifference));
    }

    /** The state_dict names compared, the same on both sides. */
    public List<String> names() {
        return List.copyOf(gradientDifference.keySet());
    }

    /** The largest gradient difference over all weights. */
    public double maxGradientDifference() {
        return gradientDifference.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** The name of the weight whose gradients differ most. */
    public String worstGradient() {
        return gradientDifference.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("none");
    }

    /** Logits, loss and every gradient within {@link EngineCheck#TOLERANCE}. */
    public boolean equal() {
        double t = EngineCheck.TOLERANCE;
        return maxLogitDifference <= t && lossDifference <= t && maxGradientDifference() <= t;
    }

    @Override
    public String toString() {
        return String.format("loss: cell %.6f, engine %.6f%nlargest difference: logits %.2e, loss %.2e, gradients %.2e "
                        + "(%d tensors compared by state_dict name; largest at %s)%nequal within %.0e: %s",
                cellLoss, engineLoss, maxLogitDifference, lossDifference, maxGradientDifference(), gradientDifference.size(),
                worstGradient(), EngineCheck.TOLERANCE, equal());
    }
}
