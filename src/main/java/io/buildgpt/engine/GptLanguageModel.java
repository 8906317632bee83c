package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Parallel;

import io.buildgpt.nd4j.Nd4jLoader;
import io.buildgpt.random.TorchGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 * or {@code attentionWeights}, or changing it ({@code enableLora}, {@code mergeLora}, {@code quantizeBase},
 * {@code dequantizeBase}) while another is inside (a {@code Trainer.train} run holds the model throughout)
 * gets an {@link IllegalStateException} (never a wrong result); use one model per thread. After {@link #close} each of them throws an
 * {@link IllegalStateException} saying the model was closed.
 *
 * <p>Fine-tuning: {@link #enableLora} adds low-rank adapters and freezes the base, so that
 * {@link #trainableParameters()} (what AdamW gets) is the adapters alone; {@link #quantizeBase}
 * stores the blocks' Linear weights in 4 or 8 bits ({@link QuantSpec}). Without either, every parameter
 * trains: full fine-tuning. Both live in wrappers around the layers ({@link AdaptedWeight}, {@link QkvLora}),
 * wired by one {@code Adaptation}; the layer classes only call their hooks.
 *
 * <p>This class is the public face; the work is in {@code GptStack} (the layers, batched forward and
 * backward), {@code GptLoss}, {@code GptInputs} (checks) and {@code GenerationPass} with {@link GptGeneration}.
 */
public final class GptLanguageModel implements LanguageModel, AutoCloseable {
    private final Parallel par;
    private final ModelGuard guard = new ModelGuard("this GptLanguageModel");
    private final GptConfig config;
    private final GptStack stack;                   // the layers, the batched forward and backward
    private final GptLoss loss;                     // cross-entropy, whole batch or micro-batches
    private final Adaptation adaptation;            // LoRA adapters and quantized weights
    private final GenerationPass generation;        // generation's passes and key/value caches
    private List<Parameter> parameters;             // rebuilt when adapters or quantization change it

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
        this.adaptation = new Adaptation(stack.blocks, stack.lmHead);
        this.generation = new GenerationPass(config, stack.tokenEmbeddingTable, stack.positionEmbeddingTable, stack.blocks,
                stack.lnF, stack.lmHead);
        this.parameters = collectParameters();
        if (initialise) LectureInit.fill(parameters, new TorchGenerator(seed), true); // PyTorch's values, by state_dict name
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

    /**
     * Every float tensor: the base's in PyTorch's order (without the weights {@link #quantizeBase}
     * turned into byte blocks), then the LoRA adapters' A and B, if any.
     */
    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    /** What the optimiser updates: the adapters alone when LoRA is on, else every parameter. */
    @Override
    public List<Parameter> trainableParameters() {
        return adaptation.lora() == null ? parameters : adaptation.adapterParameters();
    }

    /** Every scalar, the quantized weights' included. */
    @Override
    public long parameterCount() {
        return LanguageModel.super.parameterCount() + adaptation.quantizedCount();
    }

    /**
     * Adds adapters as {@code config} says (A from {@code seed}, B zero, so outputs do not change) and
     * freezes every base weight; {@link #trainableParameters()} becomes the adapters. A rank above
     * {@code n_embd} is refused: {@code B @ A} of a {@code (C, C)} weight cannot use it.
     */
    public GptLanguageModel enableLora(LoraConfig config, long seed) {
        change("enableLora", () -> adaptation.enableLora(config, seed));
        return this;
    }

    /** The adapters' configuration, or null without LoRA. */
    public LoraConfig loraConfig() {
        return adaptation.lora();
    }

    /** The adapters, block by block: query, key, value, proj, ffwd.net.0, ffwd.net.2 (those present). */
    public List<LoraAdapter> loraAdapters() {
        return adaptation.adapters();
    }

    /**
     * Folds every adapter into its weight ({@code W <- W + s * B @ A}) and removes the adapters: the same
     * outputs, no adapter cost at inference, and every parameter trainable again. A quantized base is
     * refused: {@link #dequantizeBase()} first.
     */
    public void mergeLora() {
        change("mergeLora", adaptation::mergeLora);
    }

    /** {@link #quantizeBase(QuantSpec, boolean)}: {@code bits} 4 (int4) or 8 (int8), groups of 64, lm_head kept in float32. */
    public void quantizeBase(int bits) {
        quantizeBase(QuantSpec.ofBits(bits, 64), false);
    }

    /** {@link #quantizeBase(QuantSpec, boolean)} with int4 or int8 in groups of {@code groupSize} values. */
    public void quantizeBase(int bits, int groupSize, boolean includeLmHead) {
        quantizeBase(QuantSpec.ofBits(bits, groupSize), includeLmHead);
    }

    /**
     * Stores every Linear weight of the blocks (and lm_head's if asked) as {@code spec} says, frozen; they
     * leave {@link #parameters()}. Embeddings, LayerNorms and biases stay float32: they are a small part of
     * the model, and quantizing them costs more accuracy. No float32 copy of the quantized weights is kept:
     * each layer dequantizes into a buffer the layers share, just before its product.
     */
    public void quantizeBase(QuantSpec spec, boolean includeLmHead) {
        if (includeLmHead && config.variant().tiedHead()) {
            throw new IllegalArgumentException("lm_head is tied to the token embedding in " + config.variant()
                    + ": quantize the blocks only (includeLmHead = false)");
        }
        change("quantizeBase", () -> adaptation.quantize(spec, includeLmHead));
    }

    /** How the base is quantized, or null for a float32 base. */
    public QuantSpec quantSpec() {
        return adaptation.quant();
    }

    /** Bytes of the working buffers that fine-tuned layers share (0 for a plain model). */
    public long fineTuneScratchBytes() {
        return adaptation.scratchBytes();
    }

    /** Turns quantized weights back into float32 parameters holding the dequantized values. */
    public void dequantizeBase() {
        change("dequantizeBase", adaptation::dequantize);
    }

    /** Changes what the model trains inside the guard (refused while another thread trains it, or after close). */
    private void change(String operation, Runnable body) {
        guard.call(operation, () -> {
            body.run();
            parameters = collectParameters();
            return null;
        });
    }

    /**
     * Runs {@code body} holding this model's guard, as {@code Trainer.train} does for its whole run: another
     * thread's {@code enableLora}, {@code mergeLora}, {@code quantizeBase}, {@code loss} etc. meanwhile is
     * refused instead of silently changing what trains. The calling thread may use the model inside.
     */
    @Override
    public <T> T exclusively(String operation, java.util.function.Supplier<T> body) {
        return guard.call(operation, body);
    }

    public boolean isQuantized() {
        return adaptation.quant() != null;
    }

    /** Bytes of the base model's stored weights (adapters excluded): float32 tensors at 4 bytes, plus the quantized blocks. */
    public long baseMemoryBytes() {
        long floats = 0;
        List<Parameter> adapters = adaptation.adapterParameters();
        for (Parameter p : parameters) if (!adapters.contains(p)) floats += p.size();
        return 4 * floats + adaptation.quantizedBytes();
    }

    Block block(int i) {
        return stack.blocks[i];
    }

    Linear lmHead() {
        return stack.lmHead;
    }

    private List<Parameter> collectParameters() {
        List<Parameter> all = stack.parameters();
        all.addAll(adaptation.adapterParameters());
        return Collections.unmodifiableList(all);
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
            return loss.withGradients(parameters, x, y, batchSize, blockSize);
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
            return loss.withGradients(parameters, x, y, batchSize, blockSize, microBatch);
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
            stack.logits(context.clone(), 1, context.length, false);
            return stack.blocks[layer].attention().heads().get(head).probabilities(0);
        });
    }

    /** Forward pass over {@code idx (B*T)}; returns the logits buffer {@code (B*T, V)} (unchecked: tests and the model's own calls). */
    float[] logits(int[] idx, int batch, int time, boolean training) {
        return stack.logits(idx, batch, time, training);
    }

    /** Generation's forward passes and key/value caches. */
    GenerationPass generation() {
        return generation;
    }

    @Override
    public String toString() {
        return "GptLanguageModel(" + config + ", parameters=" + parameterCount() + ")";
    }
}
