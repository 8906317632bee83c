package io.buildgpt.data;

import io.buildgpt.notebook.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The lecture's {@code get_batch(split)}: {@code B} random windows of {@code T + 1} tokens from
 * one part of the data, inputs {@code x} and the same windows shifted by one as targets {@code y}.
 * Offsets are {@code torch.randint(len(data) - block_size, (B,))} drawn from a
 * {@link TorchGenerator}: after {@code torch.manual_seed(seed)} PyTorch picks the same windows, so
 * the batches equal the lecture's, and one seed gives the same batches on every run.
 */
public final class BatchSampler {
    private final TokenSplit data;
    private final int batchSize;
    private final int blockSize;
    private final TorchGenerator rng;

    /** Batches drawn from a fresh generator, as after {@code torch.manual_seed(seed)}. */
    public BatchSampler(TokenSplit data, int batchSize, int blockSize, long seed) {
        this(data, batchSize, blockSize, new TorchGenerator(seed));
    }

    /**
     * Batches drawn from {@code rng}, shared with whatever else draws from it in between (the model's
     * initialisation, dropout, generation), in the order the lecture's code draws.
     */
    public BatchSampler(TokenSplit data, int batchSize, int blockSize, TorchGenerator rng) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize = " + batchSize + " is out of range: it must be at least 1 (the lecture uses 4, then 32)");
        }
        if (blockSize < 1 || blockSize > data.blockSize()) {
            throw new IllegalArgumentException("blockSize = " + blockSize + " is out of range: it must be between 1 and "
                    + data.blockSize() + ", the blockSize the data was split for");
        }
        this.data = data;
        this.batchSize = batchSize;
        this.blockSize = blockSize;
        this.rng = rng;
    }

    /** A new batch {@code (x, y)}, each {@code (B, T)} int64. */
    public Batch getBatch(Split split) {
        Nd4jLoader.ensureLoaded();
        int[] x = new int[batchSize * blockSize];
        int[] y = new int[batchSize * blockSize];
        fill(split, x, y);
        return new Batch(toTensor(x), toTensor(y));
    }

    /**
     * The same sampling into caller-owned arrays of length {@code B * T} (row-major {@code (B, T)}):
     * the training loop calls this every step and allocates nothing.
     */
    public void fill(Split split, int[] x, int[] y) {
        int[] ids = data.ids(split);
        if (x.length != batchSize * blockSize || y.length != x.length) {
            throw new IllegalArgumentException("x and y must have length B*T = " + batchSize * blockSize);
        }
        for (int b = 0; b < batchSize; b++) {
            int start = (int) rng.randint(ids.length - blockSize); // torch.randint(len(data) - block_size, (B,))
            System.arraycopy(ids, start, x, b * blockSize, blockSize);      // x[b] = data[i : i+T]
            System.arraycopy(ids, start + 1, y, b * blockSize, blockSize);  // y[b] = data[i+1 : i+T+1]
        }
    }

    private org.nd4j.linalg.api.ndarray.INDArray toTensor(int[] flat) {
        long[] asLong = new long[flat.length];
        for (int i = 0; i < flat.length; i++) asLong[i] = flat[i];
        return Nd4j.createFromArray(asLong).reshape(batchSize, blockSize); // (B*T,) -> (B, T)
    }

    public int batchSize() {
        return batchSize;
    }

    public int blockSize() {
        return blockSize;
    }
}
