package io.buildgpt.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Token ids from an ND4J index tensor, as every model's {@code forward} and {@code generate} take them. */
final class TokenIds {
    private TokenIds() {}

    /** {@code (B, T)} ids of an integer tensor, checked against the vocabulary. */
    static int[] of(INDArray tensor, String what, int vocab) {
        if (tensor.rank() != 2 || tensor.size(1) < 1) {
            throw new IllegalArgumentException(what + " must have shape (B, T) with T >= 1, got " + Arrays.toString(tensor.shape()));
        }
        long[] flat = tensor.dup('c').reshape(tensor.length()).toLongVector();
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
}
