package io.buildgpt.cells;

import io.buildgpt.nd4j.Nd4jLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/** Token ids between the module's row-major {@code int[]} batches and ND4J tensors. */
public final class Ids {
    private Ids() {}

    /** A row-major batch of {@code B * T} ids as an int64 tensor {@code (B, T)}. */
    public static INDArray tensor(int[] flat, int batchSize, int blockSize) {
        Nd4jLoader.ensureLoaded();
        if (flat.length != (long) batchSize * blockSize) {
            throw new IllegalArgumentException(flat.length + " ids do not fill (B, T) = (" + batchSize + ", " + blockSize + ")");
        }
        long[] asLong = new long[flat.length];
        for (int i = 0; i < flat.length; i++) asLong[i] = flat[i];
        return Nd4j.createFromArray(asLong).reshape(batchSize, blockSize); // (B*T) -> (B, T)
    }

    /** The ids of an integer tensor {@code (B, T)}, row-major, each checked to lie in {@code 0..vocab-1}. */
    public static int[] flat(INDArray idx, String what, int vocab) {
        if (idx.rank() != 2 || idx.size(1) < 1) {
            throw new IllegalArgumentException(what + " must have shape (B, T) with T >= 1, got " + Arrays.toString(idx.shape()));
        }
        long[] values = io.buildgpt.engine.TokenIds.wholeNumbers(idx, what); // 1.7 is refused, not cast to 1
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= vocab) {
                throw new IllegalArgumentException(what + " holds token id " + values[i] + " at flat position " + i
                        + ", outside the vocabulary 0.." + (vocab - 1) + "; encode the text with the tokenizer the model was built for");
            }
            out[i] = (int) values[i];
        }
        return out;
    }

    /** One-hot rows {@code (N, vocab)} float32 for {@code N} ids: row i has a 1 in column {@code ids[i]}. */
    public static INDArray oneHot(int[] ids, int vocab) {
        Nd4jLoader.ensureLoaded();
        float[] data = new float[ids.length * vocab];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) throw new IllegalArgumentException("id " + ids[i] + " is outside 0.." + (vocab - 1));
            data[i * vocab + ids[i]] = 1f;
        }
        return Nd4j.create(data, new long[]{ids.length, vocab}, 'c');
    }
}
