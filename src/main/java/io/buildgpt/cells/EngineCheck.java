package io.buildgpt.cells;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.LanguageModel;
import io.buildgpt.engine.Parameter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The one place where a model written in notebook cells meets the engine: weights move by their
 * PyTorch state_dict names ({@link #copyWeights}), and {@link #compare} runs both on the same
 * weights and batch and reports the largest differences of the logits, the loss and every gradient.
 * The engine may stand in for the cell model in a long run only when {@link Result#equal()} is true.
 *
 * @see Result
 */
public final class EngineCheck {
    /** The tolerance of the issue: logits, loss and gradients equal to 1e-4 (float32 on both sides). */
    public static final double TOLERANCE = 1e-4;

    private EngineCheck() {
    }

    /**
     * Copies every weight of {@code from} into the weight of {@code to} with the same name; both must
     * have exactly the same names and shapes (the message lists what differs).
     */
    public static void copyWeights(LanguageModel from, LanguageModel to) {
        Map<String, Parameter> target = byName(to.parameters());
        Map<String, Parameter> source = byName(from.parameters());
        if (!target.keySet().equals(source.keySet())) {
            TreeSet<String> missing = new TreeSet<>(target.keySet());
            missing.removeAll(source.keySet());
            TreeSet<String> extra = new TreeSet<>(source.keySet());
            extra.removeAll(target.keySet());
            throw new IllegalArgumentException("the two models name their weights differently: only in the target " + missing
                    + ", only in the source " + extra + "; name each layer as the lecture's PyTorch state_dict does");
        }
        for (Parameter s : source.values()) {
            Parameter t = target.get(s.name());
            if (!Arrays.equals(s.shape(), t.shape())) {
                throw new IllegalArgumentException(s.name() + " has shape " + Arrays.toString(s.shape()) + " in the source but "
                        + Arrays.toString(t.shape()) + " in the target");
            }
            System.arraycopy(s.data(), 0, t.data(), 0, s.size());
        }
    }

    /**
     * Gives {@code cell} the engine's weights, then runs both on {@code (x, y)} of shape {@code (B, T)}
     * (row-major): logits, loss, and the gradient of the loss for every weight, with dropout off on
     * both sides, so that the comparison is deterministic: the engine's weights go into a copy built
     * with dropout 0, and the cell model's dropout masks are set to ones (its mask source is replaced:
     * call {@link CellModel#setMaskSource} again before training the cell model itself).
     */
    public static Result compare(CellModel cell, GptLanguageModel engine, int[] x, int[] y, int batchSize) {
        GptConfig c = engine.config();
        try (GptLanguageModel noDropout = new GptLanguageModel(new GptConfig(c.vocabSize(), c.blockSize(), c.nEmbd(), c.nHead(),
                c.nLayer(), 0.0), 0)) {
            copyWeights(engine, noDropout);
            copyWeights(engine, cell);
            cell.setMaskSource((n, p) -> ones(n));
            return compareNoDropout(cell, noDropout, x, y, batchSize);
        }
    }

    private static float[] ones(int n) {
        float[] m = new float[n];
        Arrays.fill(m, 1f);
        return m;
    }

    private static Result compareNoDropout(CellModel cell, GptLanguageModel engine, int[] x, int[] y, int batchSize) {
        int t = x.length / batchSize;
        INDArray idx = Nd4j.createFromArray(x).reshape(batchSize, t);
        INDArray targets = Nd4j.createFromArray(y).reshape(batchSize, t);
        var c = cell.forward(idx, targets);
        var e = engine.forward(idx, targets);
        double logitDiff = c.logits().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .sub(e.logits().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)).amaxNumber().doubleValue();
        double cellLoss = cell.lossAndGradients(x, y, batchSize, t);
        double engineLoss = engine.lossAndGradients(x, y, batchSize, t);
        Map<String, Parameter> eng = byName(engine.parameters());
        Map<String, Double> gradDiffs = new LinkedHashMap<>();
        for (Parameter p : cell.parameters()) {
            float[] a = p.grad(), b = eng.get(p.name()).grad();
            double m = 0;
            for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
            gradDiffs.put(p.name(), m);
        }
        return new Result(logitDiff, Math.abs(cellLoss - engineLoss), cellLoss, engineLoss, gradDiffs);
    }

    private static Map<String, Parameter> byName(List<Parameter> ps) {
        Map<String, Parameter> m = new LinkedHashMap<>();
        for (Parameter p : ps) m.put(p.name(), p);
        return m;
    }

    /**
     * What {@link #compare} measured.
     *
     * @param maxLogitDifference largest |cell - engine| over the logits {@code (B, T, V)}
     * @param lossDifference     |cell loss - engine loss|
     * @param cellLoss           the cell model's loss
     * @param engineLoss         the engine's loss
     * @param gradientDifference largest |cell - engine| of each weight's gradient, by name
     */
    public record Result(double maxLogitDifference, double lossDifference, double cellLoss, double engineLoss,
                         Map<String, Double> gradientDifference) {
        /** The largest gradient difference over all weights. */
        public double maxGradientDifference() {
            return gradientDifference.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }

        /** Logits, loss and every gradient within {@link #TOLERANCE}. */
        public boolean equal() {
            return maxLogitDifference <= TOLERANCE && lossDifference <= TOLERANCE && maxGradientDifference() <= TOLERANCE;
        }

        @Override
        public String toString() {
            return String.format("loss: cell %.6f, engine %.6f%nlargest difference: logits %.2e, loss %.2e, gradients %.2e (%d tensors)",
                    cellLoss, engineLoss, maxLogitDifference, lossDifference, maxGradientDifference(), gradientDifference.size());
        }
    }
}
