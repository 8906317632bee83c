package io.buildgpt.bigram;

import io.buildgpt.engine.TokenIds;
import io.buildgpt.nd4j.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * {@code nn.Embedding} on its own, for looking at: a {@code (numEmbeddings, embeddingDim)} table,
 * and a lookup that replaces every id of an index tensor of any shape by its row, so the result has
 * the index's shape plus one dimension of size {@code embeddingDim}.
 */
public final class Embedding {
    private final INDArray weight; // (num_embeddings, embedding_dim)

    /** {@code torch.manual_seed(seed); nn.Embedding(numEmbeddings, embeddingDim)}: the same table as PyTorch. */
    public Embedding(int numEmbeddings, int embeddingDim, long seed) {
        this(numEmbeddings, embeddingDim, new TorchGenerator(seed));
    }

    /** A table of N(0, 1) values drawn from {@code g} as {@code nn.Embedding} draws them. */
    public Embedding(int numEmbeddings, int embeddingDim, TorchGenerator g) {
        if (numEmbeddings < 1 || embeddingDim < 1) {
            throw new IllegalArgumentException("numEmbeddings = " + numEmbeddings + " and embeddingDim = " + embeddingDim
                    + " must both be at least 1");
        }
        Nd4jLoader.ensureLoaded();
        float[] values = TorchInit.embedding(g, numEmbeddings, embeddingDim);
        this.weight = Nd4j.create(values, new long[]{numEmbeddings, embeddingDim}, 'c');
    }

    /** The table itself: these numbers are the layer's parameters, the ones training changes. */
    public INDArray weight() {
        return weight;
    }

    /** Looks up every id of {@code idx}: shape {@code idx.shape() + [embeddingDim]}. */
    public INDArray forward(INDArray idx) {
        long rows = weight.size(0);
        long[] ids = TokenIds.wholeNumbers(idx, "idx");
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= rows) {
                throw new IllegalArgumentException("index " + ids[i] + " at flat position " + i + " is out of range for an embedding with "
                        + rows + " rows (valid: 0.." + (rows - 1) + ")");
            }
        }
        int[] asInt = Arrays.stream(ids).mapToInt(l -> (int) l).toArray();
        INDArray picked = Nd4j.pullRows(weight, 1, asInt);           // (n, embedding_dim)
        long[] shape = Arrays.copyOf(idx.shape(), idx.rank() + 1);
        shape[idx.rank()] = weight.size(1);
        return picked.reshape(shape);                                  // idx.shape + (embedding_dim,)
    }

    /**
     * The same lookup written as a matrix product: one-hot rows {@code (n, numEmbeddings)} for
     * {@code ids}. {@code oneHot(ids).mmul(weight())} equals {@code lookup(ids)}, which is why an
     * embedding is a linear layer whose weights are its table.
     */
    public INDArray oneHot(long... ids) {
        INDArray out = Nd4j.zeros(weight.dataType(), ids.length, weight.size(0)); // (n, num_embeddings)
        for (int i = 0; i < ids.length; i++) out.putScalar(i, ids[i], 1.0);
        return out;
    }

    /** Convenience for a demo cell: {@code lookup(0, 1)} is {@code forward(tensor([0, 1]))}. */
    public INDArray lookup(long... ids) {
        return forward(Nd4j.createFromArray(ids));
    }

    /** Convenience for a 2-D index such as {@code [[0,1,1],[1,0,0]]}. */
    public INDArray lookup(long[][] ids) {
        return forward(Nd4j.createFromArray(ids));
    }
}
