package io.buildgpt.data;

import io.buildgpt.nd4j.Nd4jLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole corpus as one int64 tensor {@code [N]}, cut into a train part (the first
 * {@code trainFraction}) and a validation part (the rest), as in the lecture:
 * {@code n = int(0.9 * len(data)); train_data = data[:n]; val_data = data[n:]}.
 *
 * <p>The ids are also kept as plain {@code int[]} because the batch sampler reads them at random
 * offsets on every step, and reading a Java array costs nothing next to an ND4J call.
 */
public final class TokenSplit {
    private final int[] train;
    private final int[] val;
    private final int blockSize;

    private TokenSplit(int[] train, int[] val, int blockSize) {
        this.train = train;
        this.val = val;
        this.blockSize = blockSize;
    }

    /** Token ids as the lecture's {@code torch.tensor(encode(text), dtype=torch.long)}: shape {@code [N]}, int64. */
    public static INDArray tensor(int[] ids) {
        Nd4jLoader.ensureLoaded();
        long[] asLong = new long[ids.length];
        for (int i = 0; i < ids.length; i++) asLong[i] = ids[i];
        return Nd4j.createFromArray(asLong); // (N,) int64
    }

    /**
     * Splits {@code ids} at {@code (int) (trainFraction * N)}. Each part must hold at least
     * {@code blockSize + 1} tokens, the length of one (context, target) window.
     */
    public static TokenSplit of(int[] ids, double trainFraction, int blockSize) {
        if (!(trainFraction > 0.0 && trainFraction < 1.0)) {
            throw new IllegalArgumentException("trainFraction = " + trainFraction
                    + " is out of range: it must be strictly between 0 and 1 (the lecture uses 0.9)");
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize = " + blockSize + " is out of range: it must be at least 1 (the lecture uses 8)");
        }
        int n = (int) (trainFraction * ids.length);
        int[] train = java.util.Arrays.copyOfRange(ids, 0, n);
        int[] val = java.util.Arrays.copyOfRange(ids, n, ids.length);
        requireLongEnough("train", train.length, blockSize, ids.length);
        requireLongEnough("val", val.length, blockSize, ids.length);
        return new TokenSplit(train, val, blockSize);
    }

    /**
     * Train and validation ids cut elsewhere, e.g. by whole files ({@link CodeSplit}); the same
     * checks as {@link #of(int[], double, int)}. The arrays are copied.
     */
    public static TokenSplit of(int[] train, int[] val, int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize = " + blockSize + " is out of range: it must be at least 1 (the lecture uses 8)");
        }
        String advice = "use more text, a smaller blockSize, or hold out other files (a different valFraction or seed)";
        requireLongEnough("train", train.length, blockSize, train.length + val.length, advice);
        requireLongEnough("val", val.length, blockSize, train.length + val.length, advice);
        return new TokenSplit(train.clone(), val.clone(), blockSize);
    }

    private static void requireLongEnough(String part, int length, int blockSize, int total) {
        requireLongEnough(part, length, blockSize, total, "use a longer text, a smaller blockSize, or a different trainFraction");
    }

    private static void requireLongEnough(String part, int length, int blockSize, int total, String advice) {
        if (length < blockSize + 1) {
            throw new IllegalArgumentException(String.format(
                    "the %s split has %d tokens (of %d in all) but blockSize = %d needs at least %d: %s",
                    part, length, total, blockSize, blockSize + 1, advice));
        }
    }

    /** The training part as an int64 tensor {@code [n]}. */
    public INDArray train() {
        return tensor(train);
    }

    /** The validation part as an int64 tensor {@code [N - n]}. */
    public INDArray val() {
        return tensor(val);
    }

    /** The ids of one part, shared, not copied: do not modify. */
    int[] ids(Split split) {
        return split == Split.TRAIN ? train : val;
    }

    public int size(Split split) {
        return ids(split).length;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The first {@code n} ids of one part, e.g. to look at a block. */
    public int[] head(Split split, int n) {
        int[] part = ids(split);
        return java.util.Arrays.copyOf(part, Math.min(n, part.length));
    }

    @Override
    public String toString() {
        return "TokenSplit(train=" + train.length + " tokens, val=" + val.length + " tokens, blockSize=" + blockSize + ")";
    }

}
