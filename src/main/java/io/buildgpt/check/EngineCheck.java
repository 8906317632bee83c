package io.buildgpt.check;

import io.buildgpt.engine.ForwardResult;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.StateDict;
import io.buildgpt.nn.Module;
import io.buildgpt.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The proof that a GPT written in cells on the tensor library and the engine compute the same thing: the
 * engine's weights go into the cell model by {@code state_dict} name ({@link #copyWeights}), then
 * {@link #compare} runs both on one batch with dropout off and reports the largest differences of the
 * logits, the loss and every gradient. The engine may stand in for the cell model in a long run only when
 * {@link EngineCheckResult#equal()} is true.
 */
public final class EngineCheck {
    /** Logits, loss and gradients equal to 1e-4 (float32 on both sides). */
    public static final double TOLERANCE = 1e-4;

    /** The cell model's {@code forward(idx, targets)}: {@code {logits (B,T,V), loss ()}}. */
    @FunctionalInterface
    public interface Forward {
        Tensor[] apply(Tensor idx, Tensor targets);
    }

    private EngineCheck() {
    }

    /**
     * Copies every weight of {@code engine} into the parameter of {@code cell} with the same state_dict
     * name; both must have exactly the same names and shapes (the message lists what differs).
     */
    public static void copyWeights(GptLanguageModel engine, Module cell) {
        Map<String, Tensor> target = cell.namedParameters();
        Map<String, StateDict.Entry> source = StateDict.byName(engine);   // the lecture's names, per head
        if (!target.keySet().equals(source.keySet())) {
            TreeSet<String> onlyCell = new TreeSet<>(target.keySet());
            onlyCell.removeAll(source.keySet());
            TreeSet<String> onlyEngine = new TreeSet<>(source.keySet());
            onlyEngine.removeAll(target.keySet());
            throw new IllegalArgumentException("the cell model and the engine name their weights differently: only in the cell model "
                    + onlyCell + ", only in the engine " + onlyEngine + "; name each field as the lecture's PyTorch state_dict does"
                    + " (a camelCase field becomes snake_case)");
        }
        try (var g = Tensor.noGrad()) {
            for (StateDict.Entry s : source.values()) {
                Tensor t = target.get(s.name());
                if (!Arrays.equals(s.shape(), t.shape())) {
                    throw new IllegalArgumentException(s.name() + " has shape " + Arrays.toString(s.shape()) + " in the engine but "
                            + Arrays.toString(t.shape()) + " in the cell model: build both with the same hyperparameters");
                }
                t.copy_(Tensor.tensor(s.values(), s.shape()));
            }
        }
    }

    /**
     * Gives {@code cell} the engine's weights, then runs both on {@code idx} and {@code targets} (int64,
     * {@code (B, T)}): logits, loss, and the gradient of the loss for every weight, with dropout off on both
     * sides (the cell model in {@code eval()} for the check, then back in the mode it was in; the engine's
     * weights in a copy built with dropout 0). The cell model's gradients are left as this batch's.
     */
    public static EngineCheckResult compare(Module cell, Forward forward, GptLanguageModel engine, Tensor idx, Tensor targets) {
        if (idx.dim() != 2 || !Arrays.equals(idx.shape(), targets.shape())) {
            throw new IllegalArgumentException("idx and targets must both have shape (B, T); got " + idx.size() + " and " + targets.size());
        }
        GptConfig c = engine.config();
        GptConfig noDropoutConfig = new GptConfig(c.vocabSize(), c.blockSize(), c.nEmbd(), c.nHead(), c.nLayer(), 0.0, c.variant());
        try (GptLanguageModel noDropout = new GptLanguageModel(noDropoutConfig, 0)) {
            copy(engine, noDropout);
            copyWeights(engine, cell);
            boolean wasTraining = cell.isTraining();
            cell.eval();
            try {
                return compareNoDropout(cell, forward, noDropout, idx, targets);
            } finally {
                if (wasTraining) cell.train();
            }
        }
    }

    private static EngineCheckResult compareNoDropout(Module cell, Forward forward, GptLanguageModel engine, Tensor idx, Tensor targets) {
        int b = idx.size(0), t = idx.size(1);
        cell.zeroGrad();
        Tensor[] out = forward.apply(idx, targets);
        out[1].backward();
        int[] x = ints(idx), y = ints(targets);
        ForwardResult e = engine.forward(idx.toINDArray(), targets.toINDArray());
        double engineLoss = engine.lossAndGradients(x, y, b, t);
        float[] cellLogits = out[0].toFloatArray(), engineLogits = e.logits().data().asFloat();
        if (cellLogits.length != engineLogits.length) {
            throw new IllegalArgumentException("the cell model's logits have " + cellLogits.length + " values, the engine's "
                    + engineLogits.length + ": forward must return the logits (B, T, V) before any view");
        }
        Map<String, StateDict.Entry> eng = StateDict.byName(engine);
        Map<String, Double> gradDiffs = new LinkedHashMap<>();
        for (var p : cell.namedParameters().entrySet()) {
            if (p.getValue().grad() == null) throw new IllegalStateException(p.getKey() + " got no gradient from the loss: is it used in forward?");
            gradDiffs.put(p.getKey(), maxAbsDiff(p.getValue().grad().toFloatArray(), eng.get(p.getKey()).gradient()));
        }
        double cellLoss = out[1].item();
        return new EngineCheckResult(maxAbsDiff(cellLogits, engineLogits), Math.abs(cellLoss - engineLoss), cellLoss, engineLoss, gradDiffs);
    }

    private static void copy(GptLanguageModel from, GptLanguageModel to) {
        Map<String, Parameter> target = byName(to.parameters());
        for (Parameter s : from.parameters()) System.arraycopy(s.data(), 0, target.get(s.name()).data(), 0, s.size());
    }

    private static int[] ints(Tensor ids) {
        return Arrays.stream(ids.toLongArray()).mapToInt(Math::toIntExact).toArray();
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    private static Map<String, Parameter> byName(List<Parameter> ps) {
        Map<String, Parameter> m = new LinkedHashMap<>();
        for (Parameter p : ps) m.put(p.name(), p);
        return m;
    }
}
