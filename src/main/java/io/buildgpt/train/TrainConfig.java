package io.buildgpt.train;

/**
 * The training loop's hyperparameters, named as in the lecture.
 *
 * @param maxIters     number of optimisation steps ({@code max_iters})
 * @param evalInterval evaluate every this many steps, and at the last step ({@code eval_interval})
 * @param evalIters    batches averaged per split in each evaluation ({@code eval_iters})
 * @param learningRate AdamW's learning rate ({@code learning_rate})
 */
public record TrainConfig(int maxIters, int evalInterval, int evalIters, double learningRate) {
    public TrainConfig {
        if (maxIters < 1) throw new IllegalArgumentException("maxIters = " + maxIters + " is out of range: it must be at least 1");
        if (evalInterval < 1) throw new IllegalArgumentException("evalInterval = " + evalInterval + " is out of range: it must be at least 1");
        if (evalIters < 1) throw new IllegalArgumentException("evalIters = " + evalIters + " is out of range: it must be at least 1");
        if (!(learningRate > 0 && learningRate < 10)) {
            throw new IllegalArgumentException("learningRate = " + learningRate + " is out of range: it must be in (0, 10); the lecture uses 1e-2 for the bigram");
        }
    }

    /** The lecture's bigram run: 3000 steps, evaluation every 300 over 200 batches, lr 1e-2. */
    public static TrainConfig bigramDefaults() {
        return new TrainConfig(3000, 300, 200, 1e-2);
    }
}
