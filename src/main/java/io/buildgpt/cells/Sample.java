package io.buildgpt.cells;

import io.buildgpt.random.TorchGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Drawing token ids from probabilities, for a cell model's {@code generate}. */
public final class Sample {
    private Sample() {}

    /**
     * {@code torch.multinomial(probs, num_samples=1)}: one id per row of {@code probs (B, C)}, as an
     * int64 tensor {@code (B, 1)}. Drawn from {@code g} as PyTorch draws them, so the same seed picks
     * the same tokens.
     */
    public static INDArray multinomial(INDArray probs, TorchGenerator g) {
        if (probs.rank() != 2) throw new IllegalArgumentException("probs must be (B, C), got rank " + probs.rank());
        int rows = (int) probs.size(0), cols = (int) probs.size(1);
        float[] p = probs.dup('c').castTo(DataType.FLOAT).data().asFloat();
        float[] scratch = new float[cols];
        long[] out = new long[rows];
        for (int b = 0; b < rows; b++) out[b] = g.multinomial(p, b * cols, cols, scratch);
        return Nd4j.createFromArray(out).reshape(rows, 1); // (B, 1)
    }
}
