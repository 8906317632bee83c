package io.buildgpt.engine;

/**
 * Everything one pass through the model writes and its backward pass reads, in one place (llm.c's
 * activation buffers): the embeddings' sum, each block's {@link Block.Buffers} (its LayerNorms, attention,
 * feed-forward and residual sums), {@code ln_f}'s and {@code lm_head}'s, and the loss's gradient.
 *
 * <p>Why one object: the layers hold only their parameters (and dropout generators) and write a pass into
 * these buffers, so no layer keeps state that a second forward could overwrite behind the backward pass's
 * back. A model owns one: its passes never interleave, since each public call runs a whole forward (and
 * backward) under the model's guard. Buffers grow to the largest batch seen and are reused.
 */
final class Activations {
    final Dropout.Buffers embeddingDropout = new Dropout.Buffers(); // GPT-2's drop after wte + wpe
    final Block.Buffers[] blocks;
    final LayerNorm.Buffers lnF = new LayerNorm.Buffers();
    final Linear.Buffers lmHead = new Linear.Buffers();
    float[] x;                        // (B*T, C): token + position embeddings
    float[] dLogits;                  // (B*T, V)
    int[] idx;                        // the pass's input (B*T), by reference
    int batch, time;

    Activations(Block[] layers) {
        blocks = new Block.Buffers[layers.length];
        for (int i = 0; i < layers.length; i++) blocks[i] = layers[i].newBuffers();
    }

    /** The embeddings' buffer, with room for {@code n} rows of {@code c}. */
    float[] x(int n, int c) {
        if (x == null || x.length < n * c) x = new float[n * c];
        return x;
    }

    /** The logits' gradient, with room for {@code n} rows of {@code vocab}. */
    float[] dLogits(int n, int vocab) {
        if (dLogits == null || dLogits.length < n * vocab) dLogits = new float[n * vocab];
        return dLogits;
    }
}
