package io.buildgpt.model;

import io.buildgpt.model.Profile.Op;
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
 * or {@code attentionWeights} while another is inside gets an {@link IllegalStateException} (never a wrong
 * result); use one model per thread. After {@link #close} each of them throws an
 * {@link IllegalStateException} saying the model was closed.
 *
 * <p>Fine-tuning: {@link #enableLora} adds low-rank adapters and freezes the base, so that
 * {@link #trainableParameters()} (what AdamW gets) is the adapters alone; {@link #quantizeBase}
 * stores the blocks' Linear weights in 4 or 8 bits ({@link QuantSpec}). Without either, every parameter
 * trains: full fine-tuning. Both live in wrappers around the layers ({@link AdaptedWeight}, {@link QkvLora}),
 * wired by one {@code Adaptation}; the layer classes only call their hooks.
 */
public final class GptLanguageModel implements LanguageModel, AutoCloseable {
    private final Parallel par;
    private final ModelGuard guard = new ModelGuard("this GptLanguageModel");
    private final GptConfig config;
    private final Parameter tokenEmbeddingTable;    // (V, C)
    private final Parameter positionEmbeddingTable; // (blockSize, C)
    private final Block[] blocks;
    private final LayerNorm lnF;
    private final Linear lmHead;                    // weight (V, C), bias (V)
    private final Adaptation adaptation;            // LoRA adapters and quantized weights
    private final GenerationPass generation;        // generation's passes and key/value caches
    private List<Parameter> parameters;             // rebuilt when adapters or quantization change it
    private final float[] exps;                     // softmax scratch (V)
    private float[] x, dLogits;                     // (B*T, C), (B*T, V)
    private int[] idx;                              // the last input (B*T), by reference
    private int batch, time;

    public GptLanguageModel(GptConfig config, long seed) {
        this(config, seed, 1);
    }

    /**
     * The same model, its large products and attention split over {@code threads} threads (a pool
     * made here, kept for the model's life). Results are bit-identical for every thread count.
     */
    public GptLanguageModel(GptConfig config, long seed, int threads) {
        this.par = threads == 1 ? Parallel.SERIAL : new Parallel(threads);
        this.config = config;
        // The layers are built with zeroed parameters (construction draws nothing); LectureInit below fills
        // them. Each dropout layer gets its own generator, seeded from a TorchGenerator of its own (seed ^ a
        // constant) in construction order; PyTorch instead draws its masks from the one stream its batches use.
        TorchGenerator dropoutSeeds = new TorchGenerator(seed ^ 0x5DEECE66DL);
        int c = config.nEmbd();
        this.tokenEmbeddingTable = new Parameter("token_embedding_table.weight", config.vocabSize(), c);
        this.positionEmbeddingTable = new Parameter("position_embedding_table.weight", config.blockSize(), c);
        this.blocks = new Block[config.nLayer()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = new Block("blocks." + i, config, dropoutSeeds, par);
        this.lnF = new LayerNorm("ln_f", c);
        this.lmHead = new Linear("lm_head", c, config.vocabSize(), true, par);
        this.adaptation = new Adaptation(blocks, lmHead);
        this.generation = new GenerationPass(config, tokenEmbeddingTable, positionEmbeddingTable, blocks, lnF, lmHead);
        this.parameters = collectParameters();
        LectureInit.fill(parameters, new TorchGenerator(seed), true); // PyTorch's values, by state_dict name
        this.exps = new float[config.vocabSize()];
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
        adaptation.enableLora(config, seed);
        parameters = collectParameters();
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
        adaptation.mergeLora();
        parameters = collectParameters();
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
        adaptation.quantize(spec, includeLmHead);
        parameters = collectParameters();
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
        adaptation.dequantize();
        parameters = collectParameters();
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
        return blocks[i];
    }

    Linear lmHead() {
        return lmHead;
    }

    private List<Parameter> collectParameters() {
        List<Parameter> all = new ArrayList<>(List.of(tokenEmbeddingTable, positionEmbeddingTable));
        for (Block b : blocks) all.addAll(b.parameters());
        all.addAll(lnF.parameters());
        all.addAll(lmHead.parameters());
        all.addAll(adaptation.adapterParameters());
        return Collections.unmodifiableList(all);
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public double loss(int[] x, int[] y, int batchSize, int blockSize) {
        guard.enter("loss");
        try {
            checkBatch(x, y, batchSize, blockSize);
            float[] logits = logits(x, batchSize, blockSize, false);
            return crossEntropy(logits, y, null);
        } finally {
            guard.exit();
        }
    }

    @Override
    public double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize) {
        guard.enter("lossAndGradients");
        try {
            checkBatch(x, y, batchSize, blockSize);
            long t0 = Profile.start();
            for (Parameter p : parameters) p.zeroGrad();
            Profile.stop(Op.ZERO_GRAD, t0);
            float[] logits = logits(x, batchSize, blockSize, true);
            t0 = Profile.start();
            Arrays.fill(dLogits, 0, x.length * config.vocabSize(), 0f);
            double loss = crossEntropy(logits, y, dLogits);
            Profile.stop(Op.XENT, t0);
            backward(dLogits);
            return loss;
        } finally {
            guard.exit();
        }
    }

    /**
     * {@link #lossAndGradients(int[], int[], int, int)} for a batch that does not fit in memory at once:
     * the {@code batchSize} sequences run {@code microBatch} at a time, each adding its share of the
     * gradient of the mean loss over all {@code B*T} positions. The same loss and gradients as one call
     * up to rounding (sums in another order) and the dropout masks drawn; activation memory is that of
     * {@code microBatch} sequences (the lecture's full GPT at batch 64 needs about 9 GB in one call).
     */
    public double lossAndGradients(int[] x, int[] y, int batchSize, int blockSize, int microBatch) {
        checkBatch(x, y, batchSize, blockSize);
        if (microBatch < 1 || batchSize % microBatch != 0) {
            throw new IllegalArgumentException("microBatch = " + microBatch + " must be at least 1 and divide batchSize = " + batchSize);
        }
        for (Parameter p : parameters) p.zeroGrad();
        int rows = microBatch * blockSize, v = config.vocabSize();
        int[] xs = new int[rows], ys = new int[rows];
        double loss = 0;
        for (int from = 0; from < x.length; from += rows) {
            System.arraycopy(x, from, xs, 0, rows);
            System.arraycopy(y, from, ys, 0, rows);
            float[] logits = logits(xs, microBatch, blockSize, true);
            Arrays.fill(dLogits, 0, rows * v, 0f);
            loss += crossEntropy(logits, ys, dLogits, 1f / x.length) * rows / x.length; // d(mean over all B*T)
            backward(dLogits);                                                         // adds into every grad
        }
        return loss;
    }

    /** Logits {@code (B, T, V)} for {@code idx (B, T)}, {@code T <= blockSize}, and the loss when {@code targets} is not null. */
    public ForwardResult forward(INDArray idx, INDArray targets) {
        guard.enter("forward");
        try {
            Nd4jLoader.ensureLoaded();
            int b = (int) idx.size(0), t = (int) idx.size(1);
            int[] ids = TokenIds.of(idx, "idx", config.vocabSize());
            int[] ys = targets == null ? null : TokenIds.of(targets, "targets", config.vocabSize());
            if (ys != null && ys.length != ids.length) {
                throw new IllegalArgumentException("targets must have the shape of idx (" + b + ", " + t + "), got " + Arrays.toString(targets.shape()));
            }
            checkTime(t);
            float[] logits = logits(ids, b, t, false);
            double loss = ys == null ? Double.NaN : crossEntropy(logits, ys, null);
            float[] copy = Arrays.copyOf(logits, b * t * config.vocabSize());
            return new ForwardResult(Nd4j.create(copy, new long[]{b, t, config.vocabSize()}, 'c'), loss);
        } finally {
            guard.exit();
        }
    }

    /**
     * The lecture's {@code generate}: appends {@code maxNewTokens} tokens to each row of {@code idx (B,T)},
     * each time running the model on the last {@code blockSize} tokens and sampling from
     * {@code softmax(logits / temperature)} restricted to the {@code topK} largest ({@code null}: all).
     */
    public INDArray generate(INDArray idx, int maxNewTokens, double temperature, Integer topK, long seed) {
        guard.enter("generate");
        try {
            return new GptGeneration(this, temperature, topK).run(idx, maxNewTokens, seed, false);
        } finally {
            guard.exit();
        }
    }

    /**
     * The same tokens as {@link #generate} for the same seed, with a key/value cache: while the
     * context is shorter than {@code blockSize}, each new token costs one position's work. Once the
     * context is full it slides, every position embedding shifts and every cached key and value with
     * it, so each token then costs one pass over the window, as uncached (see {@code KvCache}).
     */
    public INDArray generateCached(INDArray idx, int maxNewTokens, double temperature, Integer topK, long seed) {
        guard.enter("generateCached");
        try {
            return new GptGeneration(this, temperature, topK).run(idx, maxNewTokens, seed, true);
        } finally {
            guard.exit();
        }
    }

    /**
     * What head {@code head} of block {@code layer} attends to for {@code context} (at most
     * {@code blockSize} tokens): row t holds how much position t listens to each position 0..t.
     */
    public float[][] attentionWeights(int[] context, int layer, int head) {
        guard.enter("attentionWeights");
        try {
            checkTime(context.length);
            if (layer < 0 || layer >= blocks.length || head < 0 || head >= config.nHead()) {
                throw new IllegalArgumentException("layer " + layer + ", head " + head + " do not exist: this model has layers 0.."
                        + (blocks.length - 1) + " and heads 0.." + (config.nHead() - 1));
            }
            logits(context.clone(), 1, context.length, false);
            return blocks[layer].attention().heads().get(head).probabilities(0);
        } finally {
            guard.exit();
        }
    }

    /** Forward pass over {@code idx (B*T)}; returns the logits buffer {@code (B*T, V)}. */
    float[] logits(int[] idx, int batch, int time, boolean training) {
        int n = batch * time, c = config.nEmbd();
        ensureRows(n);
        this.idx = idx;
        this.batch = batch;
        this.time = time;
        long t0 = Profile.start();
        float[] tok = tokenEmbeddingTable.data, pos = positionEmbeddingTable.data;
        for (int i = 0; i < n; i++) {
            int t = i % time, e = idx[i] * c, p = t * c;
            for (int j = 0; j < c; j++) x[i * c + j] = tok[e + j] + pos[p + j]; // (B,T,C) + (T,C) -> (B,T,C)
        }
        Profile.stop(Op.EMBED_F, t0);
        float[] h = x;
        for (Block block : blocks) h = block.forward(h, batch, time, training); // (B,T,C) -> (B,T,C)
        t0 = Profile.start();
        h = lnF.forward(h, n);                                                   // (B,T,C)
        Profile.stop(Op.LN_F, t0);
        t0 = Profile.start();
        float[] logits = lmHead.forward(h, n);                                   // (B,T,C) @ (C,V) -> (B,T,V)
        Profile.stop(Op.LM_HEAD_F, t0);
        return logits;
    }

    /** Generation's forward passes and key/value caches. */
    GenerationPass generation() {
        return generation;
    }

    private void backward(float[] dLogits) {
        int n = batch * time, c = config.nEmbd();
        long t0 = Profile.start();
        float[] dh = lmHead.backward(dLogits);                             // (B,T,V) @ (V,C) -> (B,T,C)
        Profile.stop(Op.LM_HEAD_B, t0);
        t0 = Profile.start();
        dh = lnF.backward(dh);                                             // (B,T,C)
        Profile.stop(Op.LN_B, t0);
        for (int i = blocks.length - 1; i >= 0; i--) dh = blocks[i].backward(dh); // (B,T,C)
        t0 = Profile.start();
        float[] dTok = tokenEmbeddingTable.grad, dPos = positionEmbeddingTable.grad;
        for (int i = 0; i < n; i++) {
            int e = idx[i] * c, p = (i % time) * c;
            for (int j = 0; j < c; j++) {
                dTok[e + j] += dh[i * c + j];                              // scatter-add into rows idx (V,C)
                dPos[p + j] += dh[i * c + j];                              // sum over B into (T,C)
            }
        }
        Profile.stop(Op.EMBED_B, t0);
    }

    private double crossEntropy(float[] logits, int[] y, float[] grad) {
        return crossEntropy(logits, y, grad, 1f / y.length); // mean over B*T positions
    }

    /** Mean cross-entropy over {@code y}; the gradient of {@code scale * sum} goes into {@code grad} (if not null). */
    private double crossEntropy(float[] logits, int[] y, float[] grad, float scale) {
        int v = config.vocabSize();
        double sum = 0;
        for (int i = 0; i < y.length; i++) sum += Softmax.crossEntropy(logits, i * v, v, y[i], grad, i * v, scale, exps);
        return sum / y.length;
    }

    private void checkBatch(int[] x, int[] y, int batchSize, int blockSize) {
        checkTime(blockSize);
        if (batchSize < 1 || x.length != batchSize * blockSize || y.length != x.length) {
            throw new IllegalArgumentException("x and y must both have length B*T = " + batchSize + "*" + blockSize
                    + ", got " + x.length + " and " + y.length);
        }
        int vocab = config.vocabSize();
        for (int i = 0; i < x.length; i++) {
            if (x[i] < 0 || x[i] >= vocab || y[i] < 0 || y[i] >= vocab) {
                throw new IllegalArgumentException("token id " + (x[i] < 0 || x[i] >= vocab ? x[i] : y[i]) + " at flat position " + i
                        + " is outside the vocabulary 0.." + (vocab - 1) + "; encode the text with the tokenizer the model was built for");
            }
        }
    }

    private void checkTime(int t) {
        if (t < 1 || t > config.blockSize()) {
            throw new IllegalArgumentException("T = " + t + " is out of range: it must be between 1 and blockSize = " + config.blockSize()
                    + "; crop the context to its last blockSize tokens (idx[:, -block_size:])");
        }
    }

    private void ensureRows(int n) {
        if (x == null || x.length < n * config.nEmbd()) {
            x = new float[n * config.nEmbd()];
            dLogits = new float[n * config.vocabSize()];
        }
    }

    @Override
    public String toString() {
        return "GptLanguageModel(" + config + ", parameters=" + parameterCount() + ")";
    }
}
