package io.buildgpt.cells;

import io.buildgpt.engine.ForwardResult;
import io.buildgpt.engine.LanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.nd4j.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base class of a language model written in a notebook cell on SameDiff. The cell writes the
 * constructor (layers as fields) and {@link #forward(SDVariable, SDVariable)}, as the lecture writes an
 * {@code nn.Module}; this class makes it a {@link LanguageModel}, so the module's {@code Trainer} and
 * {@code AdamW} train it with the live plot like any other model.
 *
 * <p>For each batch shape {@code (B, T)} and mode it builds one SameDiff graph by calling
 * {@code forward} (so an edited cell class changes the graph), copies the current weights from the
 * {@link Parameter}s into it before every run, and copies the gradients back after. The graphs of the
 * most recent shapes are kept ({@value #KEPT_GRAPHS}).
 */
public abstract class CellModel extends Module implements LanguageModel {
    private static final int KEPT_GRAPHS = 40;
    private final transient int vocabSize;
    private final transient Map<String, Graph> graphs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Graph> eldest) {
            return size() > KEPT_GRAPHS;
        }
    };
    private transient MaskSource masks;
    private transient Map<String, Param> named; // the walk over the fields, done once


    protected CellModel(int vocabSize) {
        Nd4jLoader.ensureLoaded();
        if (vocabSize < 2) throw new IllegalArgumentException("vocabSize = " + vocabSize + " is out of range: a language model needs at least 2 tokens");
        this.vocabSize = vocabSize;
    }

    /**
     * The cell's forward pass, building SameDiff tensors: {@code idx (B, T)} int64 ids to logits
     * {@code (B, T, V)} and, when {@code targets (B, T)} is not null, the mean cross-entropy.
     */
    public abstract Forward forward(SDVariable idx, SDVariable targets);

    /** Where dropout masks come from in training; needed only if the model has a {@link Dropout} with p > 0. */
    public final void setMaskSource(MaskSource source) {
        this.masks = source;
    }

    /** Dropout masks drawn from {@code g} as PyTorch's {@code F.dropout} draws them ({@code bernoulli_(1 - p) / (1 - p)}). */
    public final void setMaskSource(TorchGenerator g) {
        setMaskSource((n, p) -> {
            float[] mask = new float[n];
            g.dropoutMask(mask, 0, n, p);
            return mask;
        });
    }

    /**
     * Copies every weight from {@code source} by its PyTorch name, e.g. from the engine's model of the
     * same architecture, so that the two can be compared on the same weights. Fails, naming them, if a
     * name is missing on either side or a shape differs.
     */
    public final void copyWeightsFrom(LanguageModel source) {
        Map<String, Parameter> theirs = new LinkedHashMap<>();
        for (Parameter p : source.parameters()) theirs.put(p.name(), p);
        Map<String, Param> ours = params();
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>(theirs.keySet());
        for (String name : ours.keySet()) if (!theirs.containsKey(name)) missing.add(name);
        extra.removeAll(ours.keySet());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException("the two models name their weights differently: missing in the source " + missing
                    + ", only in the source " + extra + "; build both with the same architecture");
        }
        for (Map.Entry<String, Param> e : ours.entrySet()) {
            Parameter to = e.getValue().parameter(), from = theirs.get(e.getKey());
            if (!java.util.Arrays.equals(to.shape(), from.shape())) {
                throw new IllegalArgumentException(e.getKey() + ": shape " + java.util.Arrays.toString(from.shape()) + " in the source, "
                        + java.util.Arrays.toString(to.shape()) + " here");
            }
            System.arraycopy(from.data(), 0, to.data(), 0, to.size());
        }
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Param p : params().values()) out.add(p.parameter());
        return out;
    }

    /** The parameters by PyTorch name; the fields are walked once, on the first call (after the constructor). */
    private Map<String, Param> params() {
        if (named == null) named = namedParameters();
        return named;
    }

    /**
     * Runs the model in evaluation mode (no dropout) on {@code idx (B, T)}: logits {@code (B, T, V)} and
     * the loss against {@code targets} ({@code NaN} when targets is null).
     */
    public final ForwardResult forward(INDArray idx, INDArray targets) {
        int[] x = Ids.flat(idx, "idx", vocabSize);
        int b = (int) idx.size(0), t = (int) idx.size(1);
        Graph g = graph(b, t, false);
        Map<String, INDArray> feed = new HashMap<>();
        feed.put("idx", Ids.tensor(x, b, t));
        List<String> outputs = new ArrayList<>(List.of(g.logits));
        if (targets != null) {
            if (!java.util.Arrays.equals(targets.shape(), idx.shape())) {
                throw new IllegalArgumentException("targets must have the shape of idx " + java.util.Arrays.toString(idx.shape())
                        + ", got " + java.util.Arrays.toString(targets.shape()));
            }
            feed.put("targets", Ids.tensor(Ids.flat(targets, "targets", vocabSize), b, t));
            outputs.add(g.loss);
        }
        Map<String, INDArray> out = run(g, feed, outputs);
        double loss = targets == null ? Double.NaN : out.get(g.loss).getDouble(0);
        return new ForwardResult(out.get(g.logits), loss);
    }

    @Override
    public double loss(int[] x, int[] y, int batchSize, int blockSize) {
        Graph g = graph(batchSize, blockSize, false);
        return run(g, feed(x, y, batchSize, blockSize), List.of(g.loss)).get(g.loss).getDouble(0);
    }

    @Override
    public double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize) {
        Graph g = graph(batchSize, blockSize, true);
        Map<String, INDArray> feed = feed(x, y, batchSize, blockSize);
        for (Graph.Mask m : g.masks) {
            if (masks == null) {
                throw new IllegalStateException("the model has dropout (p = " + m.p() + ") but no mask source: call setMaskSource(...) "
                        + "with the project's generator before training, or set the dropout to 0");
            }
            int n = 1;
            for (long d : m.shape()) n = Math.multiplyExact(n, (int) d);
            feed.put(m.name(), org.nd4j.linalg.factory.Nd4j.create(masks.mask(n, m.p()), m.shape(), 'c'));
        }
        Map<String, Param> params = params();
        List<String> names = new ArrayList<>();
        for (String name : params.keySet()) if (g.sd.hasVariable(name)) names.add(name);
        sync(g, params);
        if (!g.sd.hasGradientFunction()) createGradientsQuietly(g);
        OutAndGrad result = g.sd.calculateGradientsAndOutputs(feed, List.of(g.loss), names);
        for (Map.Entry<String, Param> e : params.entrySet()) {
            Parameter p = e.getValue().parameter();
            INDArray grad = result.getGradients().get(e.getKey());
            if (grad == null) {
                p.zeroGrad(); // not used by this graph: no gradient
            } else {
                float[] values = grad.dup('c').castTo(DataType.FLOAT).data().asFloat();
                System.arraycopy(values, 0, p.grad(), 0, p.size());
            }
        }
        return result.getOutputs().get(g.loss).getDouble(0);
    }

    /**
     * SameDiff prints one "Added differentiated op" line per op to standard output while it derives the
     * gradient graph; that is noise in a notebook, so the derivation runs with standard output muted.
     */
    private static void createGradientsQuietly(Graph g) {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            g.sd.createGradFunction();
        } finally {
            System.setOut(out);
        }
    }

    private Map<String, INDArray> feed(int[] x, int[] y, int batchSize, int blockSize) {
        Map<String, INDArray> feed = new HashMap<>();
        feed.put("idx", Ids.tensor(x, batchSize, blockSize));      // (B, T)
        feed.put("targets", Ids.tensor(y, batchSize, blockSize));  // (B, T)
        return feed;
    }

    private Map<String, INDArray> run(Graph g, Map<String, INDArray> feed, List<String> outputs) {
        sync(g, params());
        return g.sd.output(feed, outputs);
    }

    /** Copies the current weights into the graph's variables (the optimiser updated the {@code float[]}s). */
    private static void sync(Graph g, Map<String, Param> params) {
        for (Map.Entry<String, Param> e : params.entrySet()) {
            if (g.sd.hasVariable(e.getKey())) g.sd.getVariable(e.getKey()).getArr().data().setData(e.getValue().parameter().data());
        }
    }

    private Graph graph(int batchSize, int blockSize, boolean training) {
        if (batchSize < 1 || blockSize < 1) throw new IllegalArgumentException("(B, T) = (" + batchSize + ", " + blockSize + "): both must be at least 1");
        String key = batchSize + "x" + blockSize + (training ? " train" : " eval");
        Graph g = graphs.get(key);
        if (g != null) return g;
        params(); // names every Param before forward creates graph variables from them
        g = new Graph(batchSize, blockSize, training);
        SDVariable idx = g.placeholder("idx", DataType.INT64, batchSize, blockSize);
        SDVariable targets = g.placeholder("targets", DataType.INT64, batchSize, blockSize);
        Forward f = g.building(() -> forward(idx, targets));
        if (f == null || f.logits() == null || f.loss() == null) {
            throw new IllegalStateException("forward(idx, targets) must return new Forward(logits, loss) with both set when targets is given");
        }
        g.logits = f.logits().name();
        g.loss = f.loss().name();
        g.sd.setLossVariables(g.loss);
        if (training) buildGradientsQuietly(g);
        graphs.put(key, g);
        return g;
    }

    /**
     * SameDiff M2.1 prints one "Added differentiated op" line per op (System.out.println) while it builds
     * the backward graph; build it once here, when the training graph is made, without those lines.
     */
    private static void buildGradientsQuietly(Graph g) {
        java.io.PrintStream out = System.out;
        try {
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            g.sd.createGradFunction(g.loss);
        } finally {
            System.setOut(out);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(vocab_size=" + vocabSize + ", parameters=" + parameterCount() + ")";
    }
}
