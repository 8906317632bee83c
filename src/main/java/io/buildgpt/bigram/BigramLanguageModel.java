package io.buildgpt.bigram;

import io.buildgpt.engine.ForwardResult;
import io.buildgpt.engine.LanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.TokenIds;
import io.buildgpt.engine.kernels.Softmax;
import io.buildgpt.nd4j.Nd4jLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;

import java.util.List;

/**
 * The lecture's first model: each token reads the logits for the next token straight from its row
 * of a {@code (V, V)} table, {@code logits = token_embedding_table(idx)}.
 *
 * <p>Forward and backward are written out by hand: the gradient of the mean cross-entropy with
 * respect to a logit row is {@code (softmax(row) - onehot(target)) / (B*T)}, and since row
 * {@code idx} was only copied out of the table, that gradient is added back into row {@code idx}.
 */
public final class BigramLanguageModel implements LanguageModel {
    private final int vocabSize;
    private final Parameter tokenEmbeddingTable; // (V, V)
    private final float[] exps;                  // softmax scratch, reused by every row

    /** The model PyTorch builds right after {@code torch.manual_seed(seed)}. */
    public BigramLanguageModel(int vocabSize, long seed) {
        this(vocabSize, new TorchGenerator(seed));
    }

    /**
     * A table of N(0, 1) values, {@code nn.Embedding(V, V)}'s initialisation, drawn from {@code g}
     * as PyTorch draws it: the same generator state gives the lecture's table value for value.
     */
    public BigramLanguageModel(int vocabSize, TorchGenerator g) {
        Nd4jLoader.ensureLoaded(); // a model on ND4J arrays: the backend is ready before any of its tensors is made
        if (vocabSize < 2) {
            throw new IllegalArgumentException("vocabSize = " + vocabSize + " is out of range: a language model needs at least 2 tokens");
        }
        this.vocabSize = vocabSize;
        this.exps = new float[vocabSize];
        this.tokenEmbeddingTable = new Parameter("token_embedding_table", vocabSize, vocabSize);
        System.arraycopy(TorchInit.embedding(g, vocabSize, vocabSize), 0, tokenEmbeddingTable.data(), 0, vocabSize * vocabSize);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(tokenEmbeddingTable);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** Logits {@code (B, T, V)} for {@code idx (B, T)}, and the loss when {@code targets (B, T)} is not null. */
    public ForwardResult forward(INDArray idx, INDArray targets) {
        Nd4jLoader.ensureLoaded();
        int[] x = TokenIds.of(idx, "idx", vocabSize); // checks the shape (B, T) first
        int batch = (int) idx.size(0), time = (int) idx.size(1);
        float[] logits = new float[x.length * vocabSize];
        float[] table = tokenEmbeddingTable.data();
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(table, x[i] * vocabSize, logits, i * vocabSize, vocabSize); // (B,T) -> (B,T,V)
        }
        double loss = targets == null ? Double.NaN : loss(x, TokenIds.of(targets, "targets", vocabSize), batch, time);
        return new ForwardResult(Nd4j.create(logits, new long[]{batch, time, vocabSize}, 'c'), loss);
    }

    @Override
    public double loss(int[] x, int[] y, int batchSize, int blockSize) {
        return crossEntropy(x, y, false);
    }

    @Override
    public double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize) {
        tokenEmbeddingTable.zeroGrad();
        return crossEntropy(x, y, true);
    }

    private double crossEntropy(int[] x, int[] y, boolean withGradient) {
        float[] table = tokenEmbeddingTable.data();
        float[] grad = withGradient ? tokenEmbeddingTable.grad() : null;
        float scale = 1f / x.length; // mean over B*T positions
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            int row = x[i] * vocabSize; // logits of position i = table[x[i]]; its gradient flows back to the same row
            sum += Softmax.crossEntropy(table, row, vocabSize, y[i], grad, row, scale, exps);
        }
        return sum / x.length;
    }

    /**
     * Extends every row of {@code idx (B, T)} by {@code maxNewTokens} tokens, each drawn from the
     * softmax of the logits at the last position. Returns {@code (B, T + maxNewTokens)}. Draws from a
     * fresh generator seeded with {@code seed}.
     */
    public INDArray generate(INDArray idx, int maxNewTokens, long seed) {
        return generate(idx, maxNewTokens, new TorchGenerator(seed));
    }

    /**
     * The lecture's {@code generate}, drawing from {@code g} as {@code torch.multinomial} does: one
     * step at a time, the {@code B} rows in order. After {@code torch.manual_seed(1337)} and the
     * model's construction from the same generator, this prints the lecture's 100 characters.
     */
    public INDArray generate(INDArray idx, int maxNewTokens, TorchGenerator g) {
        Nd4jLoader.ensureLoaded();
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens = " + maxNewTokens + " must not be negative");
        int[] start = TokenIds.of(idx, "idx", vocabSize); // checks the shape (B, T) first
        int batch = (int) idx.size(0), time = (int) idx.size(1);
        long[] out = new long[batch * (time + maxNewTokens)];
        int[] last = new int[batch];
        for (int b = 0; b < batch; b++) {
            int base = b * (time + maxNewTokens);
            for (int t = 0; t < time; t++) out[base + t] = start[b * time + t];
            last[b] = start[b * time + time - 1];
        }
        float[] probs = new float[vocabSize], q = new float[vocabSize];
        for (int n = 0; n < maxNewTokens; n++) {
            for (int b = 0; b < batch; b++) { // only the last token matters
                last[b] = Softmax.sample(tokenEmbeddingTable.data(), last[b] * vocabSize, vocabSize, g, probs, q);
                out[b * (time + maxNewTokens) + time + n] = last[b];
            }
        }
        return Nd4j.createFromArray(out).reshape(batch, time + maxNewTokens);
    }

    @Override
    public String toString() {
        return "BigramLanguageModel(vocab_size=" + vocabSize + ", parameters=" + parameterCount() + ")";
    }
}
