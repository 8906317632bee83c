package io.buildgpt.cells;

import io.buildgpt.model.ForwardResult;
import io.buildgpt.model.LanguageModel;
import io.buildgpt.model.Parameter;
import io.buildgpt.random.TorchGenerator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model written in notebook cells on one {@link Nn} graph, seen by the module's {@code Trainer} and
 * {@code AdamW} as a {@link LanguageModel}: its weights are {@link Parameter}s named as PyTorch's
 * state_dict keys, and every step copies them into the graph, runs SameDiff's forward and backward
 * ({@code calculateGradientsAndOutputs}) and copies the gradients back. SameDiff computes every
 * gradient; nothing here differentiates by hand.
 *
 * <p>Training mode ({@link #lossAndGradients}) feeds each dropout mask Bernoulli(1-p)/(1-p) drawn
 * from this model's {@link TorchGenerator} as {@code F.dropout} draws it; evaluation ({@link #loss}, {@link #forward}) feeds ones.
 */
public final class CellModel implements LanguageModel {
    private final Nn nn;
    private final SameDiff sd;
    private final String logits, loss;
    private final List<Parameter> parameters;
    private final TorchGenerator masks;

    /** Wraps the graph of {@code nn} whose outputs are {@code logits (B*T, V)} and {@code loss} (a scalar). */
    public CellModel(Nn nn, SDVariable logits, SDVariable loss, long dropoutSeed) {
        this.nn = nn;
        this.sd = nn.sd();
        this.logits = logits.name();
        this.loss = loss.name();
        this.masks = new TorchGenerator(dropoutSeed);
        List<Parameter> ps = new ArrayList<>();
        for (String name : nn.parameterNames()) {
            INDArray arr = sd.getArrForVarName(name);
            long[] s = arr.shape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = (int) s[i];
            Parameter p = new Parameter(name, shape);
            System.arraycopy(arr.data().asFloat(), 0, p.data(), 0, p.size());
            ps.add(p);
        }
        this.parameters = Collections.unmodifiableList(ps);
        // SameDiff M2.1 prints one "Added differentiated op" line per op (System.out.println) while it
        // builds the backward graph; build it here, once, without those lines in the notebook.
        PrintStream out = System.out;
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            sd.createGradFunction(this.loss);
        } finally {
            System.setOut(out);
        }
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public int vocabSize() {
        return nn.vocabSize();
    }

    @Override
    public double loss(int[] x, int[] y, int batchSize, int blockSize) {
        Map<String, INDArray> out = sd.output(feeds(x, y, batchSize, blockSize, false), loss);
        return out.get(loss).getDouble(0);
    }

    @Override
    public double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize) {
        OutAndGrad r = sd.calculateGradientsAndOutputs(feeds(x, y, batchSize, blockSize, true), List.of(loss), nn.parameterNames());
        for (Parameter p : parameters) {
            INDArray g = r.getGradients().get(p.name());
            System.arraycopy(g.castTo(DataType.FLOAT).data().asFloat(), 0, p.grad(), 0, p.size());
        }
        return r.getOutputs().get(loss).getDouble(0);
    }

    /** Logits {@code (B, T, V)} for {@code idx (B, T)} with {@code T = blockSize}, and the loss when {@code targets} is given. */
    public ForwardResult forward(INDArray idx, INDArray targets) {
        int b = (int) idx.size(0), t = (int) idx.size(1);
        int[] x = ids(idx);
        int[] y = targets == null ? new int[x.length] : ids(targets);
        Map<String, INDArray> out = sd.output(feeds(x, y, b, t, false), logits, loss);
        double l = targets == null ? Double.NaN : out.get(loss).getDouble(0);
        return new ForwardResult(out.get(logits).reshape(b, t, nn.vocabSize()), l);
    }

    /** The output of any variable of the graph for a batch, in evaluation mode (e.g. activations to measure). */
    public INDArray output(String variable, int[] x, int batchSize) {
        return sd.output(feeds(x, new int[x.length], batchSize, nn.blockSize(), false), variable).get(variable);
    }

    /** The values of the variable marked {@code label} with {@link Nn#record} for the batch {@code x (B, T)}, evaluation mode. */
    public INDArray recorded(String label, int[] x, int batchSize) {
        SDVariable v = nn.recorded().get(label);
        if (v == null) throw new IllegalArgumentException("nothing was recorded as " + label + "; recorded: " + nn.recorded().keySet());
        return output(v.name(), x, batchSize);
    }

    /** The graph's variable names, e.g. to find an activation for {@link #output}. */
    public SameDiff graph() {
        return sd;
    }

    private Map<String, INDArray> feeds(int[] x, int[] y, int batchSize, int blockSize, boolean training) {
        if (blockSize != nn.blockSize()) {
            throw new IllegalArgumentException("T = " + blockSize + " but this graph was built for blockSize = " + nn.blockSize()
                    + ": sample batches with the blockSize the model was built with");
        }
        if (x.length != batchSize * blockSize || y.length != x.length) {
            throw new IllegalArgumentException("x and y must have length B*T = " + batchSize * blockSize + ", got " + x.length + " and " + y.length);
        }
        for (Parameter p : parameters) sd.getArrForVarName(p.name()).data().setData(p.data());
        int v = nn.vocabSize(), n = x.length;
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put(Nn.IDX, oneHot(x, v));                                                  // (B*T, V)
        feeds.put(Nn.TARGETS, oneHot(y, v));                                              // (B*T, V)
        for (Map.Entry<String, Double> d : nn.dropouts().entrySet()) {
            long[] shape = sd.getVariable(d.getKey()).placeholderShape().clone();
            shape[0] = shape.length == 2 ? n : batchSize;                                  // rows (B*T, C) or (B, T, T)
            feeds.put(d.getKey(), training ? mask(shape, d.getValue()) : Nd4j.ones(DataType.FLOAT, shape));
        }
        return feeds;
    }

    private static INDArray oneHot(int[] ids, int v) {
        float[] rows = new float[ids.length * v];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw new IllegalArgumentException("token id " + ids[i] + " at flat position " + i + " is outside the vocabulary 0.." + (v - 1)
                        + "; encode the text with the tokenizer the model was built for");
            }
            rows[i * v + ids[i]] = 1f;
        }
        return Nd4j.create(rows, new long[]{ids.length, v}, 'c');
    }

    private static int[] ids(INDArray a) {
        return a.castTo(DataType.INT32).dup('c').data().asInt(); // (B, T) -> B*T ids, row-major
    }

    private INDArray mask(long[] shape, double p) {
        long size = 1;
        for (long s : shape) size *= s;
        float[] m = new float[(int) size];
        masks.dropoutMask(m, 0, m.length, p);
        return Nd4j.create(m, shape, 'c');
    }
}
