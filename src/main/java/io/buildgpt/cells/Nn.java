package io.buildgpt.cells;

import io.buildgpt.notebook.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code torch.nn} gives the lecture's classes, on one SameDiff graph: {@code nn.Linear},
 * {@code nn.Embedding}, {@code nn.LayerNorm}, {@code nn.Dropout}, ReLU and the causal mask, so that a
 * lecture class written in a notebook cell holds only the lecture's own lines.
 *
 * <p>Every tensor runs as a matrix {@code (B*T, C)} between the attention products, because SameDiff
 * M2.1 cannot multiply a rank-3 by a rank-2 array; the time axis is fixed at {@code T = blockSize}
 * for one graph (a shorter context is padded on the right: causal attention makes the padding
 * invisible to the positions before it). Weights are SameDiff variables named as PyTorch's
 * state_dict keys, with PyTorch's shapes ({@code Linear.weight} is {@code (out, in)}), initialised with
 * PyTorch's default rules in construction order from one {@link TorchGenerator}: built in the
 * lecture's order after seed {@code s}, a model starts from the weights PyTorch gives it after
 * {@code torch.manual_seed(s)}.
 *
 * <p>Why not {@code sd.gather} for embeddings and {@code sd.nn().dropout}: in M2.1 the first does not
 * train and the second applies at inference too; the embedding is a one-hot row times the table, and
 * dropout multiplies by a mask placeholder that {@link CellModel} feeds (all ones when evaluating).
 */
public final class Nn {
    /** The input placeholder: one-hot token rows {@code (B*T, V)}. */
    public static final String IDX = "idx";
    /** The target placeholder: one-hot target rows {@code (B*T, V)}. */
    public static final String TARGETS = "targets";

    private final SameDiff sd = SameDiff.create();
    private final TorchGenerator init;
    private final int vocabSize, blockSize;
    private final Map<String, Double> dropouts = new LinkedHashMap<>();
    private final List<String> parameters = new ArrayList<>();
    private final Map<String, SDVariable> recorded = new LinkedHashMap<>();

    /** A graph for token ids below {@code vocabSize} and contexts of {@code blockSize}; weights drawn from {@code seed}. */
    public Nn(int vocabSize, int blockSize, long seed) {
        Nd4jLoader.ensureLoaded();
        this.vocabSize = vocabSize;
        this.blockSize = blockSize;
        this.init = new TorchGenerator(seed);
    }

    public SameDiff sd() {
        return sd;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The one-hot token input {@code (B*T, V)}. */
    public SDVariable idx() {
        return sd.hasVariable(IDX) ? sd.getVariable(IDX) : sd.placeHolder(IDX, DataType.FLOAT, -1, vocabSize);
    }

    /** The targets as one-hot rows {@code (B*T, V)}. */
    public SDVariable targets() {
        return sd.hasVariable(TARGETS) ? sd.getVariable(TARGETS) : sd.placeHolder(TARGETS, DataType.FLOAT, -1, vocabSize);
    }

    /** {@code torch.arange(T)} as one-hot rows {@code (T, blockSize)}: the position embedding's input. */
    public SDVariable positions() {
        return sd.hasVariable("positions") ? sd.getVariable("positions") : sd.constant("positions", Nd4j.eye(blockSize).castTo(DataType.FLOAT));
    }

    /** {@code nn.Linear(in, out, bias)}: weight {@code (out, in)} and bias {@code (out)}, U(-1/sqrt(in), 1/sqrt(in)). */
    public Linear linear(String name, int in, int out, boolean bias) {
        SDVariable w = param(name + ".weight", TorchInit.linearWeight(init, in, out), out, in);
        SDVariable b = bias ? param(name + ".bias", TorchInit.linearBias(init, in, out), out) : null;
        return new Linear(sd, w, b);
    }

    /** {@code nn.Embedding(num, dim)}: a table {@code (num, dim)} of N(0, 1) values. */
    public Embedding embedding(String name, int num, int dim) {
        return new Embedding(sd, param(name + ".weight", TorchInit.embedding(init, num, dim), num, dim));
    }

    /** {@code nn.LayerNorm(dim)}: weight ones, bias zeros, eps 1e-5 over the last axis of {@code (N, dim)}. */
    public LayerNorm layerNorm(String name, int dim) {
        float[] ones = new float[dim];
        Arrays.fill(ones, 1f);
        return new LayerNorm(sd, param(name + ".weight", ones, dim), param(name + ".bias", new float[dim], dim));
    }

    /**
     * {@code nn.Dropout(p)}: its {@code forward(x)} multiplies by a mask placeholder of {@code x}'s shape,
     * given here without the leading axis ({@code C} for rows {@code (B*T, C)}, {@code T, T} for
     * attention weights {@code (B, T, T)}); {@link CellModel} feeds Bernoulli(1-p)/(1-p) in training, ones otherwise.
     */
    public Dropout dropout(String name, double p, long... shapeAfterFirstAxis) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException(name + ": dropout p = " + p + " must be in [0, 1)");
        if (p == 0) return new Dropout(null);
        long[] shape = new long[shapeAfterFirstAxis.length + 1];
        shape[0] = -1;
        System.arraycopy(shapeAfterFirstAxis, 0, shape, 1, shapeAfterFirstAxis.length);
        dropouts.put(name, p);
        return new Dropout(sd.placeHolder(name, DataType.FLOAT, shape));
    }

    /** {@code tril} as an additive mask {@code (T, T)}: 0 where position t may look (s <= t), -inf above the diagonal. */
    public SDVariable causalMask(String name) {
        float[] m = new float[blockSize * blockSize];
        for (int t = 0; t < blockSize; t++) for (int s = t + 1; s < blockSize; s++) m[t * blockSize + s] = Float.NEGATIVE_INFINITY;
        return sd.constant(name, Nd4j.create(m, new long[]{blockSize, blockSize}, 'c'));
    }

    /** {@code F.relu}. */
    public SDVariable relu(SDVariable x) {
        return sd.nn().relu(x, 0);
    }

    /** {@code F.softmax(x, dim=-1)}. */
    public SDVariable softmax(SDVariable x) {
        return sd.nn().softmax(x, -1);
    }

    /** {@code x.view(-1, T, C)}: rows {@code (B*T, C)} as {@code (B, T, C)}. */
    public SDVariable btc(SDVariable x, int channels) {
        return sd.reshape(x, -1, blockSize, channels);
    }

    /** {@code x.view(B*T, C)}. */
    public SDVariable rows(SDVariable x, int channels) {
        return sd.reshape(x, -1, channels);
    }

    /**
     * {@code F.cross_entropy(logits (B*T, V), targets (B*T))}: the mean over positions of
     * {@code -log softmax(logits)[target]}, written as one-hot targets times the log-softmax.
     */
    public SDVariable crossEntropy(SDVariable logits) {
        SDVariable logProbs = sd.nn().logSoftmax(logits);                        // (B*T, V)
        return logProbs.mul(targets()).sum(1).mean().neg("loss");              // scalar
    }

    /** Marks {@code x} under {@code label} so that {@link CellModel#recorded} can read its values for a batch; returns {@code x}. */
    public SDVariable record(String label, SDVariable x) {
        recorded.put(label, x);
        return x;
    }

    /** The variables marked by {@link #record}, by label. */
    public Map<String, SDVariable> recorded() {
        return Collections.unmodifiableMap(recorded);
    }

    /** Names of the weights in construction order (PyTorch's state_dict order when built in the lecture's order). */
    public List<String> parameterNames() {
        return Collections.unmodifiableList(parameters);
    }

    /** Dropout mask placeholders and their probability p. */
    public Map<String, Double> dropouts() {
        return Collections.unmodifiableMap(dropouts);
    }

    private SDVariable param(String name, float[] values, long... shape) {
        if (sd.hasVariable(name)) throw new IllegalArgumentException("a weight named " + name + " exists already: give each layer its own name");
        parameters.add(name);
        INDArray arr = Nd4j.create(values, shape, 'c');
        return sd.var(name, arr);
    }

    /** {@code nn.Linear}: {@code x (N, in) @ weight^T (in, out) + bias -> (N, out)}. */
    public record Linear(SameDiff sd, SDVariable weight, SDVariable bias) {
        public SDVariable forward(SDVariable x) {
            SDVariable y = sd.mmul(x, weight, false, true, false); // (N,in) @ (in,out) -> (N,out)
            return bias == null ? y : y.add(bias);                 // (N,out) + (out)
        }
    }

    /** {@code nn.Embedding}: one-hot rows {@code (N, num)} times the table {@code (num, dim)} -> {@code (N, dim)}. */
    public record Embedding(SameDiff sd, SDVariable weight) {
        public SDVariable forward(SDVariable oneHot) {
            return sd.mmul(oneHot, weight);
        }
    }

    /** {@code nn.Dropout}; with p = 0 it returns its input. */
    public record Dropout(SDVariable mask) {
        public SDVariable forward(SDVariable x) {
            return mask == null ? x : x.mul(mask);
        }
    }

    /** {@code nn.LayerNorm} over the last axis of {@code (N, C)}. */
    public record LayerNorm(SameDiff sd, SDVariable weight, SDVariable bias) {
        public SDVariable forward(SDVariable x) {
            return sd.nn().layerNorm(x, weight, bias, false, 1);
        }
    }
}
