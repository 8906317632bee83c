package io.buildgpt.engine;

import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one pass through the model writes and its backward pass reads, in one place (llm.c's
 * activation buffers): the embeddings' sum, each block's {@link Block.Buffers} (its LayerNorms, attention,
 * feed-forward and residual sums), {@code ln_f}'s and {@code lm_head}'s, and the loss's gradient.
 *
 * <p>Why one object: the layers hold only their parameters (and dropout generators) and write a pass into
 * these buffers, so no layer keeps state that a second forward could overwrite behind the backward pass's
 * back. A model owns one: its passes never interleave, since each public call runs a whole forward (and
 * backward) under the model's guard. Buffers grow to the largest batch seen and are reused.
 *
 * <p>With gradient checkpointing ({@link GptStack#setCheckpointing}) the blocks share one {@link #work}
 * buffer set instead of one each, and a training pass keeps each block's input and the states of the
 * generators its dropout draws from, so that the backward pass can run the block's forward again.
 */
final class Activations {
    final Dropout.Buffers embeddingDropout = new Dropout.Buffers(); // GPT-2's drop after wte + wpe
    final Block.Buffers[] blocks;
    final LayerNorm.Buffers lnF = new LayerNorm.Buffers();
    final Linear.Buffers lmHead = new Linear.Buffers();
    float[] x;                        // (B*T, C): token + position embeddings
    float[] dLogits;                  // (B*T, V)
    private float[] dHidden;          // (B*T, C): ln_f's output gradient, when the loss is computed in parts
    private float[] headInput;        // (rows, C): one part's rows of ln_f's output
    int[] idx;                        // the pass's input (B*T), by reference
    int batch, time;
    Block.Buffers work;               // checkpointing: the one block's buffers every block runs in
    private float[][] inputs;         // checkpointing: each block's input (B*T, C); evaluation uses [0]
    private List<List<TorchGenerator>> streams; // checkpointing: each block's generators, in the last training pass
    private TorchGenerator[][] states;          // and their states before that block's forward
    private float[] carry;            // checkpointing: the gradient handed from one block to the next (B*T, C)

    Activations(Block[] layers) {
        blocks = new Block.Buffers[layers.length];
        for (int i = 0; i < layers.length; i++) blocks[i] = layers[i].newBuffers();
    }

    /** Switches checkpointing's buffers on or off; every block's own buffers start empty again (their memory is let go). */
    void checkpointing(boolean on, Block[] layers) {
        for (int i = 0; i < layers.length; i++) blocks[i] = layers[i].newBuffers();
        work = on ? layers[0].newBuffers() : null;
        inputs = on ? new float[layers.length][] : null;
        states = on ? new TorchGenerator[layers.length][] : null;
        streams = new ArrayList<>();
        if (on) for (Block ignored : layers) streams.add(new ArrayList<>());
        carry = null;
    }

    /** Block {@code i}'s input buffer, with room for {@code size} floats. */
    float[] input(int i, int size) {
        if (inputs[i] == null || inputs[i].length < size) inputs[i] = new float[size];
        return inputs[i];
    }

    /** The gradient carried between blocks, with room for {@code size} floats. */
    float[] carry(int size) {
        if (carry == null || carry.length < size) carry = new float[size];
        return carry;
    }

    /** Before block {@code i}'s training forward: the states of the generators it will draw from. */
    void saveStreams(int i, Block block) {
        List<TorchGenerator> live = streams.get(i);
        live.clear();
        block.randomStreams(live);
        TorchGenerator[] saved = states[i];
        if (saved == null || saved.length != live.size()) {
            saved = states[i] = new TorchGenerator[live.size()];
            for (int k = 0; k < saved.length; k++) saved[k] = new TorchGenerator(0);
        }
        for (int k = 0; k < saved.length; k++) saved[k].setState(live.get(k));
    }

    /** Before block {@code i}'s second forward: its generators back where they were, to draw the same masks. */
    void restoreStreams(int i) {
        List<TorchGenerator> live = streams.get(i);
        for (int k = 0; k < live.size(); k++) live.get(k).setState(states[i][k]);
    }

    /** The embeddings' buffer, with room for {@code n} rows of {@code c}. */
    float[] x(int n, int c) {
        if (x == null || x.length < n * c) x = new float[n * c];
        return x;
    }

    /** The gradient of {@code ln_f}'s output, with room for {@code size} floats (a loss computed in parts). */
    float[] dHidden(int size) {
        if (dHidden == null || dHidden.length < size) dHidden = new float[size];
        return dHidden;
    }

    /** One part's rows of {@code ln_f}'s output, copied for {@code lm_head}, with room for {@code size} floats. */
    float[] headInput(int size) {
        if (headInput == null || headInput.length < size) headInput = new float[size];
        return headInput;
    }

    /** The logits' gradient, with room for {@code n} rows of {@code vocab}. */
    float[] dLogits(int n, int vocab) {
        if (dLogits == null || dLogits.length < n * vocab) dLogits = new float[n * vocab];
        return dLogits;
    }
}
