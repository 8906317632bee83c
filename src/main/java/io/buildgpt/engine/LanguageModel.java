package io.buildgpt.engine;

import java.util.List;

/**
 * What the trainer needs from a model: its parameters, the mean cross-entropy of a batch, and that
 * loss with gradients. Batches come as row-major {@code (B, T)} int arrays so that the training
 * loop allocates nothing per step.
 */
public interface LanguageModel {

    /** Every weight of the model. */
    List<Parameter> parameters();

    /** The weights an optimiser should update: all of them, unless some are frozen (e.g. LoRA's base). */
    default List<Parameter> trainableParameters() {
        return parameters();
    }

    /** Number of scalars in {@link #trainableParameters()}. */
    default long trainableParameterCount() {
        long n = 0;
        for (Parameter p : trainableParameters()) n += p.size();
        return n;
    }

    int vocabSize();

    /** Mean cross-entropy over the {@code B*T} positions of {@code (x, y)}; no gradient work. */
    double loss(int[] x, int[] y, int batchSize, int blockSize);

    /** The same loss, and its gradient written into every parameter's {@code grad()} (overwritten, not accumulated). */
    double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize);

    /**
     * Runs {@code body} as one use of the model, so that a model guarded against other threads (a
     * {@link GptLanguageModel}) refuses their calls meanwhile; the trainer runs a whole training this way.
     * Unguarded models just run it.
     */
    default <T> T exclusively(String operation, java.util.function.Supplier<T> body) {
        return body.get();
    }

    /** Number of scalars in the model, frozen ones included. */
    default long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.size();
        return n;
    }
}
