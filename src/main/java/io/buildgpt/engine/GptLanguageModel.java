package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Parallel;

import io.buildgpt.nd4j.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The lecture's {@code GPTLanguageModel}: token embedding {@code (V,C)} plus position embedding
 * {@code (blockSize,C)}, {@code nLayer} {@link Block}s, a final LayerNorm {@code ln_f}, and
 * {@code lm_head = Linear(C, V)} giving logits {@code (B,T,V)}; the loss is the mean cross-entropy.
 *
 * <p>Initialisation is the lecture's final {@code gpt.py} after {@code torch.manual_seed(seed)},
 * value for value ({@link LectureInit}): PyTorch's default for each module drawn in construction
 * order, then {@code _init_weights} (Linear and Embedding weights N(0, 0.02), Linear biases 0,
 * LayerNorm weight 1 and bias 0), all from one {@link io.buildgpt.random.TorchGenerator}. The
 * dropout layers draw from their own generators, seeded from the same seed, so that changing
 * dropout does not change the initial weights.
 *
 * <p>Modes: {@link #lossAndGradients} runs in training mode (dropout active); {@link #loss},
 * {@link #forward} and generation run in evaluation mode (the lecture's {@code model.eval()}).
 * Parameters are named as the PyTorch module's state_dict keys, in the same order.
 *
 * <p>Threads: {@code new GptLanguageModel(config, seed)} computes on the calling thread;
 * {@code new GptLanguageModel(config, seed, threads)} also splits the matrix products by output rows
 * and attention by (batch, head) pairs over a pool made once for the model ({@link #close} stops it).
 * No sum is split, so losses, gradients and generated tokens are bit-identical for any thread count.
 *
 * <p>Not thread-safe, and guarded: a model keeps its activations in its own buffers, so a second thread
 * calling {@code loss}, {@code lossAndGradients}, {@code forward}, {@code generate}, {@code generateCached}
 * or {@code attentionWeights} while another is inside (a {@code Trainer.train} run holds the model
 * throughout) gets an {@link IllegalStateException} (never a wrong result); use one model per thread. After
 * {@link #close} each of them throws an {@link IllegalStateException} saying the model was closed.
 *
 * <p>Fine-tuning (package {@code io.buildgpt.finetune}, which the engine does not know) puts other
 * {@link Weight}s into the model's {@link #linears()} and freezes the rest with {@link #setTrainsBase}.
 *
 * <p>This class is the public face; the layers and the one forward pass (training, prompt, generation
 * step) are in {@code GptStack}, the loss in {@code GptLoss}, the checks in {@code GptInputs}, the
 * sampling loop in {@link GptGeneration}.
 */
public final class GptLanguageModel implements LanguageModel, AutoCloseable {
    private final Parallel par;
    private final ModelGuard guard = new ModelGuard("this GptLanguageModel");
    private final GptConfig config;
    private final GptStack stack;                   // the layers, the batched forward and backward
    private final GptLoss loss;                     // cross-entropy, whole batch or micro-batches
    private boolean trainsBase = true;              // false: only the Linears' own trainable weights (fine-tuning)

    public GptLanguageModel(GptConfig config, long seed) {
        this(config, seed, 1);
    }

    /**
     * The same model, its large products and attention split over {@code threads} threads (a pool
     * made here, kept for the model's life). Results are bit-identical for every thread count.
     */
    public GptLanguageModel(GptConfig config, long seed, int threads) {
        this(config, seed, threads, true);
    }

    /** With {@code initialise} false the parameters stay zero, for a checkpoint to fill ({@link Gpt2Checkpoint}: no draws to discard). */
    GptLanguageModel(GptConfig config, long seed, int threads, boolean initialise) {
        this.par = threads == 1 ? Parallel.SERIAL : new Parallel(threads);
        this.config = config;
        // The layers are built with zeroed parameters (construction draws nothing); LectureInit below fills
        // them. Each dropout layer gets its own generator, seeded from a TorchGenerator of its own (seed ^ a
        // constant) in construction order; PyTorch instead draws its masks from the one stream its batches use.
        TorchGenerator dropoutSeeds = new TorchGenerator(seed ^ 0x5DEECE66DL);
        this.stack = new GptStack(config, dropoutSeeds, par);
        this.loss = new GptLoss(stack, config.vocabSize());
        if (initialise) LectureInit.fill(this, new TorchGenerator(seed), true); // PyTorch's values, by state_dict name
    }

    /** The number of threads this model computes with. */
    public int threads() {
        return par.threads();
    }

    /** Stops the helper threads (they are daemons, so this is optional); a use after it throws {@link IllegalStateException}. */
    @Override
    public void close() {
        guard.close();
        if (par != Parallel.SERIAL) par.close();
    }

    public GptConfig config() {
        return config;
    }

    /** Every float tensor the model stores, in state_dict order ({@link StateDict} names the lecture's per-head views). */
    @Override
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(stack.parameters());
    }

    /**
     * What the optimiser updates: every parameter, unless {@link #setTrainsBase} froze the base; then only what
     * the Linears' weights train (a fine-tuning adapter).
     */
    @Override
    public List<Parameter> trainableParameters() {
        if (trainsBase) return parameters();
        List<Parameter> out = new ArrayList<>();
        for (Linear l : linears()) out.addAll(l.weight().trainable());
        return Collections.unmodifiableList(out);
    }

    /** Every scalar, those of weights stored in other forms than float32 (quantized) included. */
    @Override
    public long parameterCount() {
        long n = LanguageModel.super.parameterCount();
        for (Linear l : linears()) n += l.weight().otherScalars();
        return n;
    }

    /**
     * Freezes (or unfreezes) everything but what the Linears' weights themselves train: embeddings, LayerNorms
     * and biases then take no gradient and leave {@link #trainableParameters()}. Fine-tuning puts frozen
     * or adapted weights into the Linears ({@link Linear#setWeight}) and calls this.
     */
    public void setTrainsBase(boolean trains) {
        exclusively("setTrainsBase", () -> {
            trainsBase = trains;
            stack.setTrainsEmbeddings(trains);
            for (Linear l : linears()) l.setTrainsBias(trains);
            return null;
        });
    }

    public boolean trainsBase() {
        return trainsBase;
    }

    /**
     * The model's Linears: per block {@code c_attn}, {@code proj}, {@code ffwd.net.0}, {@code ffwd.net.2}, then
     * {@code lm_head} (whose weight is the token embedding in GPT-2). What fine-tuning adapts.
     */
    public List<Linear> linears() {
        List<Linear> out = new ArrayList<>();
        for (Block b : stack.blocks) out.addAll(b.linears());
        out.add(stack.lmHead);
        return out;
    }

    /**
     * Runs {@code body} holding this model's guard, as {@code Trainer.train} does for its whole run: another
     * thread's {@code loss}, {@code lossAndGradients} or fine-tuning change meanwhile is refused instead of
     * silently changing what trains. The calling thread may use the model inside.
     */
    @Override
    public <T> T exclusively(String operation, java.util.function.Supplier<T> body) {
        return guard.call(operation, body);
    }

    /**
     * Whether every Linear holds a trainable float32 weight and nothing is frozen: the model as built, which a
     * checkpoint can save and every optimiser setting trains.
     */
    public boolean isPlain() {
        if (!trainsBase) return false;
        for (Linear l : linears()) {
            if (!(l.weight() instanceof DenseWeight d) || !d.trains()) return false;
        }
        return true;
    }

    /** Bytes of the stored weights: float32 tensors at 4 bytes, quantized weights as stored. */
    public long storedBytes() {
        long bytes = 0;
        java.util.Set<Parameter> inWeights = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Linear l : linears()) {
            bytes += l.weight().bytes();
            inWeights.addAll(l.weight().parameters());
        }
        for (Parameter p : parameters()) if (!inWeights.contains(p)) bytes += 4L * p.size();
        return bytes;
    }

    Block block(int i) {
        return stack.blocks[i];
    }

    Linear lmHead() {
        return stack.lmHead;
    }

    /**
     * Gradient checkpointing ({@code torch.utils.checkpoint}; Hugging Face's {@code gradient_checkpointing_enable()},
     * which PEFT's {@code prepare_model_for_kbit_training} turns on for QLoRA): a training pass keeps only each
     * block's input, and the backward pass runs each block's forward again, with the same dropout masks, just
     * before that block's backward. The blocks' activations then take one block's memory instead of
     * {@code nLayer} blocks', for one more forward pass of time; losses and gradients are bit-identical.
     */
    public void setGradientCheckpointing(boolean on) {
        exclusively("setGradientCheckpointing", () -> {
            stack.setCheckpointing(on);
            return null;
        });
    }

    /** Whether {@link #setGradientCheckpointing} is on. */
    public boolean gradientCheckpointing() {
        return stack.checkpointing();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public double loss(int[] x, int[] y, int batchSize, int blockSize) {
        return guard.callDouble("loss", () -> {
            GptInputs.checkBatch(config, x, y, batchSize, blockSize);
            return loss.eval(x, y, batchSize, blockSize);
        });
    }

    @Override
    public double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize) {
        return guard.callDouble("lossAndGradients", () -> {
            GptInputs.checkBatch(config, x, y, batchSize, blockSize);
            return loss.withGradients(parameters(), x, y, batchSize, blockSize);
        });
    }

    /**
     * {@link #lossAndGradients(int[], int[], int, int)} for a batch that does not fit in memory at once:
     * the {@code batchSize} sequences run {@code microBatch} at a time, each adding its share of the
     * gradient of the mean loss over all {@code B*T} positions. The same loss and gradients as one call
     * up to rounding (sums in another order) and the dropout masks drawn; activation memory is that of
     * {@code microBatch} sequences (the lecture's full GPT at batch 64 needs about 9 GB in one call).
     */
    public double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize, int microBatch) {
        return guard.callDouble("lossAndGradients", () -> {
            GptInputs.checkBatch(config, x, y, batchSize, blockSize);
            GptInputs.checkMicroBatch(microBatch, batchSize);
            return loss.withGradients(parameters(), x, y, batchSize, blockSize, microBatch);
        });
    }

    /** Logits {@code (B, T, V)} for {@code idx (B, T)}, {@code T <= blockSize}, and the loss when {@code targets} is not null. */
    public ForwardResult forward(INDArray idx, INDArray targets) {
        return guard.call("forward", () -> {
            Nd4jLoader.ensureLoaded();
            int[] ids = TokenIds.of(idx, "idx", config.vocabSize()); // checks the shape (B, T) first
            int b = (int) idx.size(0), t = (int) idx.size(1);
            int[] ys = targets == null ? null : GptInputs.targets(targets, ids.length, b, t, config.vocabSize());
            GptInputs.checkTime(config, t);
            float[] logits = stack.logits(ids, b, t, false);
            double mean = ys == null ? Double.NaN : loss.mean(logits, ys);
            float[] copy = Arrays.copyOf(logits, b * t * config.vocabSize());
            return new ForwardResult(Nd4j.create(copy, new long[]{b, t, config.vocabSize()}, 'c'), mean);
        });
    }

    /**
     * The lecture's {@code generate}: appends {@code maxNewTokens} tokens to each row of {@code idx (B,T)},
     * each time running the model on the last {@code blockSize} tokens and sampling from
     * {@code softmax(logits / temperature)} restricted to the {@code topK} largest ({@code null}: all).
     */
    public INDArray generate(INDArray idx, int maxNewTokens, double temperature, Integer topK, long seed) {
        return guard.call("generate", () -> new GptGeneration(this, temperature, topK).run(idx, maxNewTokens, seed, false));
    }

    /**
     * The same tokens as {@link #generate} for the same seed, with a key/value cache: while the
     * context is shorter than {@code blockSize}, each new token costs one position's work. Once the
     * context is full it slides, every position embedding shifts and every cached key and value with
     * it, so each token then costs one pass over the window, as uncached (see {@code KvCache}).
     */
    public INDArray generateCached(INDArray idx, int maxNewTokens, double temperature, Integer topK, long seed) {
        return guard.call("generateCached", () -> new GptGeneration(this, temperature, topK).run(idx, maxNewTokens, seed, true));
    }

    /**
     * What head {@code head} of block {@code layer} attends to for {@code context} (at most
     * {@code blockSize} tokens): row t holds how much position t listens to each position 0..t.
     */
    public float[][] attentionWeights(int[] context, int layer, int head) {
        return guard.call("attentionWeights", () -> {
            GptInputs.checkTime(config, context.length);
            GptInputs.checkLayerAndHead(config, layer, head);
            return stack.attentionWeights(context.clone(), layer, head);
        });
    }

    /** Forward pass over {@code idx (B*T)}; returns the logits buffer {@code (B*T, V)} (unchecked: tests and the model's own calls). */
    float[] logits(int[] idx, int batch, int time, boolean training) {
        return stack.logits(idx, batch, time, training);
    }

    /** The layers and the one forward pass (generation's too). */
    GptStack stack() {
        return stack;
    }

    @Override
    public String toString() {
        return "GptLanguageModel(" + config + ", parameters=" + parameterCount() + ")";
    }
}
