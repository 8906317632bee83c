package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SameDiff graph of a {@link CellModel} for one batch shape {@code (B, T)} and one mode
 * (training: dropout on; evaluation: off). Every shape in it is static, so a layer may ask for the
 * shape of any tensor while the graph is being built ({@link F#shape}).
 */
final class Graph {
    // The graph whose forward is being built on this thread: layers find it from their input.
    // (Not a map keyed by SameDiff: SameDiff's hashCode changes as ops are added.)
    private static final ThreadLocal<Graph> BUILDING = new ThreadLocal<>();

    /** A dropout site: its placeholder, probability and shape, in the order {@code forward} met them. */
    record Mask(String name, double p, long[] shape) {}

    final SameDiff sd;
    final int batch, time;
    final boolean training;
    final List<Mask> masks = new ArrayList<>();
    private final Map<String, INDArray> dummies = new LinkedHashMap<>(); // placeholder values for shape queries
    String logits, loss;

    Graph(int batch, int time, boolean training) {
        this.sd = SameDiff.create();
        this.batch = batch;
        this.time = time;
        this.training = training;
    }

    /** Runs {@code build} with this graph as the one being built on this thread. */
    <T> T building(java.util.function.Supplier<T> build) {
        Graph outer = BUILDING.get();
        BUILDING.set(this);
        try {
            return build.get();
        } finally {
            if (outer == null) BUILDING.remove(); else BUILDING.set(outer);
        }
    }

    /** The graph {@code x} belongs to; fails for a variable made outside a {@link CellModel}'s graph. */
    static Graph of(SDVariable x) {
        Graph g = BUILDING.get();
        if (g == null || g.sd != x.getSameDiff()) {
            throw new IllegalStateException("the tensor " + x.name() + " does not belong to a CellModel's graph: "
                    + "build it inside the model's forward, from idx or from another tensor of the same graph");
        }
        return g;
    }

    SDVariable placeholder(String name, DataType type, long... shape) {
        dummies.put(name, type == DataType.INT64 ? Nd4j.zeros(type, shape) : Nd4j.ones(type, shape));
        return sd.placeHolder(name, type, shape);
    }

    /** A dropout mask placeholder shaped like a tensor of {@code shape}, fed at every training step. */
    SDVariable mask(double p, long[] shape) {
        String name = "dropout_mask_" + masks.size();
        masks.add(new Mask(name, p, shape.clone()));
        return placeholder(name, DataType.FLOAT, shape);
    }

    /** The static shape of {@code x}: read for inputs and weights, computed once for intermediate tensors. */
    long[] shapeOf(SDVariable x) {
        VariableType type = x.getVariableType();
        if (type == VariableType.PLACEHOLDER) return x.placeholderShape();
        if (type == VariableType.VARIABLE || type == VariableType.CONSTANT) return x.getArr().shape();
        return sd.output(dummies, x.name()).get(x.name()).shape();
    }
}
