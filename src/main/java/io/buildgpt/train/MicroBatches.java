package io.buildgpt.train;

import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.LanguageModel;

/**
 * The one check of a micro-batch size, shared by {@link Trainer} and {@link StepTimer}: it divides the
 * batch, and anything but the whole batch needs a {@link GptLanguageModel} (the only model that runs a
 * batch in parts).
 */
final class MicroBatches {
    private MicroBatches() {
    }

    /** The model as a {@link GptLanguageModel} when {@code microBatch} splits the batch, else null; refuses bad values. */
    static GptLanguageModel check(LanguageModel model, int batchSize, int microBatch) {
        if (microBatch < 1 || batchSize % microBatch != 0) {
            throw new IllegalArgumentException("microBatch = " + microBatch + " must be at least 1 and divide the batch size " + batchSize
                    + "; use a divisor of it (" + batchSize + " itself: the whole batch in one pass)");
        }
        if (microBatch == batchSize) return null;
        if (model instanceof GptLanguageModel gpt) return gpt;
        throw new IllegalArgumentException("microBatch = " + microBatch + " needs a GptLanguageModel, got " + model.getClass().getSimpleName()
                + "; use microBatch = " + batchSize + " (the whole batch) for this model");
    }
}
