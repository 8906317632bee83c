package io.buildgpt.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Token ids from an ND4J index tensor, as every model's {@code forward} and {@code generate} take them. */
public final class TokenIds {
    private TokenIds() {}

    /** {@code (B, T)} ids of an integer tensor, checked against the vocabulary. */
    public static int[] of(INDArray tensor, String what, int vocab) {
        if (tensor.rank() != 2 || tensor.size(1) < 1) {
            throw new IllegalArgumentException(what + " must have shape (B, T) with T >= 1, got " + Arrays.toString(tensor.shape())
                    + (tensor.rank() == 1 ? ": one sequence of T tokens is (1, T), e.g. " + what + ".reshape(1, " + what + ".length())" : ""));
        }
        long[] flat = wholeNumbers(tensor, what);
        int[] out = new int[flat.length];
        for (int i = 0; i < flat.length; i++) {
            if (flat[i] < 0 || flat[i] >= vocab) {
                throw new IllegalArgumentException(what + " holds token id " + flat[i] + " at flat position " + i
                        + ", outside the vocabulary 0.." + (vocab - 1) + "; encode the text with the tokenizer the model was built for");
            }
            out[i] = (int) flat[i];
        }
        return out;
    }

    /**
     * The values of {@code tensor} in row-major order as whole numbers. A floating-point tensor is accepted
     * only when every value is whole: casting 1.7 to a token id would silently pick token 1.
     */
    public static long[] wholeNumbers(INDArray tensor, String what) {
        INDArray flat = tensor.dup('c').reshape(tensor.length());
        if (tensor.dataType().isFPType()) {
            double[] values = flat.toDoubleVector();
            for (int i = 0; i < values.length; i++) {
                if (values[i] != Math.rint(values[i]) || Double.isInfinite(values[i])) {
                    throw new IllegalArgumentException(what + " holds " + values[i] + " at flat position " + i + ", which is not a whole number:"
                            + " token ids are integers; build " + what + " from longs, e.g. Nd4j.createFromArray(new long[][]{{1, 2}})");
                }
            }
        }
        return flat.toLongVector();
    }
}
