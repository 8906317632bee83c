package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;

/**
 * Marks a tensor inside a cell model's {@code forward} so that a measurement can read its values
 * afterwards, e.g. the input of each block's attention: {@code x = probe.watch(x)} returns {@code x}
 * unchanged (it adds nothing to the computation) and remembers it in the evaluation graph of each
 * batch shape; {@link #values} runs that graph on a batch.
 */
public final class Probe {
    private final Map<String, SDVariable> evalTensors = new HashMap<>(); // by "BxT"

    /** Returns {@code x} unchanged, remembering it when the graph being built is an evaluation graph. */
    public SDVariable watch(SDVariable x) {
        Graph g = Graph.of(x);
        if (!g.training) evalTensors.put(g.batch + "x" + g.time, x);
        return x;
    }

    /**
     * The watched tensor's values for the batch {@code (x, y)} of shape {@code (B, T)}, in evaluation
     * mode with the model's current weights (the model runs the batch once first, which builds its
     * graph and copies the weights in).
     */
    public INDArray values(CellModel model, int[] x, int[] y, int batchSize) {
        int t = x.length / batchSize;
        model.loss(x, y, batchSize, t);
        SDVariable v = evalTensors.get(batchSize + "x" + t);
        if (v == null) throw new IllegalStateException("this probe was not passed through in the model's forward: call watch(x) there");
        Map<String, INDArray> feed = new HashMap<>();
        feed.put("idx", Ids.tensor(x, batchSize, t));       // (B, T)
        feed.put("targets", Ids.tensor(y, batchSize, t));   // (B, T)
        return v.getSameDiff().output(feed, v.name()).get(v.name());
    }
}
