package io.buildgpt.finetune;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.ByteTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.data.WholeUtf8;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.ParameterFile;
import io.buildgpt.nd4j.Nd4jLoader;
import io.buildgpt.train.AdamW;
import io.buildgpt.train.LossHistory;
import io.buildgpt.train.MemoryUse;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainListener;
import io.buildgpt.train.TrainResult;
import io.buildgpt.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Fine-tunes a copy of a pretrained GPT in one of several ways and reports what it cost and what it
 * reached, for notebook 10: every method starts from the same weights, sees the same batches (a
 * fresh sampler with the same seed) and is measured on the same held-out batches.
 */
public final class FineTune {
    /** How the copy is adapted. */
    public enum Method {
        /** Every weight trainable. */
        FULL("full fine-tune", null),
        /** Frozen float32 base, LoRA adapters. */
        LORA("LoRA", null),
        /** The blocks' weights in symmetric int4 (groups of 64, float32 scales), frozen; LoRA on top: the simple version. */
        LORA_INT4("LoRA, int4 base", QuantSpec.int4()),
        /** The blocks' weights in NF4 (groups of 64, float32 scales), frozen; LoRA on top. */
        LORA_NF4("LoRA, NF4 base", QuantSpec.nf4()),
        /** NF4 with double-quantized (8-bit) scales, LoRA on top: QLoRA's storage. */
        LORA_NF4_DQ("LoRA, NF4 + double quant", QuantSpec.nf4DoubleQuant());

        private final String label;
        private final QuantSpec quant;

        Method(String label, QuantSpec quant) {
            this.label = label;
            this.quant = quant;
        }

        public String label() {
            return label;
        }

        /** How the base is quantized, or null for float32. */
        public QuantSpec quant() {
            return quant;
        }
    }

    /**
     * One fine-tuning run.
     *
     * @param label               the method, and "on every Linear" when the adapters are not on query and value alone
     * @param trainableParameters scalars the optimiser updates
     * @param baseMemoryBytes     bytes of the base's stored weights (adapters excluded)
     * @param heapBytes           heap the run holds at its end, measured: in use after a full GC, less the same before the copy was made
     * @param residentBytes       the process's resident memory at the run's end (-1 where unknown)
     * @param heldOutLoss         mean loss on {@code evalIters} batches of the held-out files, from a fixed sampler seed
     * @param model               the fine-tuned model (adapters not merged), for completions; null once a caller let it go
     */
    public record Result(Method method, String label, long trainableParameters, long totalParameters, long baseMemoryBytes,
                         long heapBytes, long residentBytes, double minutes, double heldOutLoss, LossHistory history,
                         GptLanguageModel model) {
        public double trainableFraction() {
            return (double) trainableParameters / totalParameters;
        }
    }

    /** The seed of the sampler that measures the held-out loss, the same for every model. */
    public static final long EVAL_SEED = 7;

    private FineTune() {}

    /**
     * A new model with {@code source}'s configuration and a copy of its weights, computing with {@code threads}.
     * LoRA adapters are copied too (same configuration and values; the dropout masks are drawn afresh), and the
     * gradient-checkpointing setting ({@link GptLanguageModel#setGradientCheckpointing}). A
     * quantized base is refused: its float32 weights are gone.
     */
    public static GptLanguageModel copy(GptLanguageModel source, int threads) {
        QuantSpec quant = Quantize.spec(source);
        if (quant != null) {
            throw new IllegalArgumentException("the model's base is quantized (" + quant.label() + "), so its float32 weights"
                    + " are gone: copy the model before Quantize.base(...), or Quantize.dequantize(model) first (quantization error included)");
        }
        try {
            Path tmp = Files.createTempFile("buildgpt-copy", ".params");
            try {
                ParameterFile.write(tmp, source.parameters());
                GptLanguageModel copy = new GptLanguageModel(source.config(), 0, threads);
                if (Lora.config(source) != null) Lora.enable(copy, Lora.config(source), 0);
                ParameterFile.read(tmp, copy.parameters());
                copy.setGradientCheckpointing(source.gradientCheckpointing());
                return copy;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy the model's weights through a temporary file: " + e.getMessage(), e);
        }
    }

    /** Mean loss of {@code model} on {@code evalIters} batches of the validation part, drawn with {@link #EVAL_SEED}. */
    public static double heldOutLoss(GptLanguageModel model, TokenSplit data, int batchSize, int evalIters) {
        BatchSampler sampler = new BatchSampler(data, batchSize, contextLength(model, data), EVAL_SEED);
        return Trainer.estimateLoss(model, sampler, evalIters).val();
    }

    /** Windows of the data's {@code blockSize}, at most the model's: a GPT-2 checkpoint's 1024 positions need not all be used. */
    static int contextLength(GptLanguageModel model, TokenSplit data) {
        return Math.min(data.blockSize(), model.config().blockSize());
    }

    /**
     * Copies {@code pretrained}, adapts the copy as {@code method} says (LoRA: {@code lora} with adapters
     * drawn from {@code seed}), trains it on {@code data}'s train part and measures the held-out loss and
     * the heap the run holds. {@code pretrained} must be a plain model: no adapters, no quantized base.
     */
    public static Result run(Method method, GptLanguageModel pretrained, TokenSplit data, int batchSize, TrainConfig train,
                             LoraConfig lora, long seed, int threads, TrainListener listener) {
        if (Lora.config(pretrained) != null) {
            throw new IllegalArgumentException("the pretrained model already has LoRA adapters (" + Lora.config(pretrained) + "): run adapts"
                    + " a fresh copy of a plain model; Lora.merge(model) first to fine-tune the merged model");
        }
        if (method != Method.FULL && lora == null) throw new IllegalArgumentException(method + " needs a LoraConfig, e.g. LoraConfig.queryValue(8)");
        long heapBefore = MemoryUse.heapAfterGc();
        GptLanguageModel model = copy(pretrained, threads);
        if (method.quant() != null) Quantize.base(model, method.quant(), false);
        if (method != Method.FULL) Lora.enable(model, lora, seed);
        String label = method == Method.FULL || lora.targets() == LoraConfig.Targets.QUERY_VALUE ? method.label()
                : lora.targets() == LoraConfig.Targets.MODULES ? method.label() + " on " + String.join(", ", lora.modules())
                : method.label() + " on every Linear";
        long trainable = model.trainableParameters().stream().mapToLong(p -> p.size()).sum();
        AdamW optimizer = new AdamW(model.trainableParameters(), train.learningRate());
        Trainer trainer = new Trainer(model, new BatchSampler(data, batchSize, contextLength(model, data), seed), optimizer);
        long t0 = System.nanoTime();
        TrainResult result = trainer.train(train, listener);
        double minutes = (System.nanoTime() - t0) / 60e9;
        double heldOut = heldOutLoss(model, data, batchSize, train.evalIters());
        long heap = MemoryUse.heapAfterGc() - heapBefore;          // the copy, its optimizer, buffers and activations, all still reachable
        long rss = MemoryUse.residentBytes();
        keepAlive(optimizer, trainer);
        return new Result(method, label, trainable, model.parameterCount(), baseMemoryBytes(model), heap, rss, minutes,
                heldOut, result.history().named(label), model);
    }

    /** Bytes of the base model's stored weights, adapters excluded: float32 tensors at 4 bytes, quantized weights as stored. */
    public static long baseMemoryBytes(GptLanguageModel model) {
        long adapters = 0;
        for (var p : Lora.adapterParameters(model)) adapters += 4L * p.size();
        return model.storedBytes() - adapters;
    }

    /** Keeps the optimizer (its moments) and trainer reachable until after the heap was measured. */
    private static void keepAlive(Object... objects) {
        if (Arrays.asList(objects).contains(null)) throw new AssertionError();
    }

    /** The held-out loss of {@code pretrained} with its base quantized as {@code spec} says, nothing trained: the quantization's own cost. */
    public static double quantizedHeldOutLoss(GptLanguageModel pretrained, QuantSpec spec, TokenSplit data, int batchSize, int evalIters) {
        GptLanguageModel q = copy(pretrained, pretrained.threads());
        Quantize.base(q, spec, false);
        return heldOutLoss(q, data, batchSize, evalIters);
    }

    /**
     * {@code prompt} (encoded as UTF-8 bytes) followed by {@code newTokens} bytes sampled at {@code temperature}
     * from {@code model}, decoded at whole UTF-8 characters only (see {@link WholeUtf8}): a character cut off
     * at the end is held back and a broken sequence is left out, so no U+FFFD appears.
     */
    public static String complete(GptLanguageModel model, String prompt, int newTokens, double temperature, long seed) {
        int[] ids = new ByteTokenizer().encode(prompt);
        Nd4jLoader.ensureLoaded(); // the first ND4J array may be this one (the engine does not start ND4J)
        INDArray idx = Nd4j.createFromArray(Arrays.stream(ids).asLongStream().toArray()).reshape(1, ids.length);  // (1,T)
        long[] out = model.generateCached(idx, newTokens, temperature, null, seed).toLongVector();
        return WholeUtf8.decode(Arrays.stream(out).mapToInt(v -> (int) v).toArray());
    }

    /**
     * {@code newTokens} token ids sampled at {@code temperature} from {@code model} after {@code prompt}'s ids
     * (the prompt's last {@code blockSize} ids are the context), for any tokenizer: the new ids only.
     */
    public static int[] complete(GptLanguageModel model, int[] prompt, int newTokens, double temperature, long seed) {
        int from = Math.max(0, prompt.length - model.config().blockSize());
        int[] ids = Arrays.copyOfRange(prompt, from, prompt.length);
        Nd4jLoader.ensureLoaded();
        INDArray idx = Nd4j.createFromArray(Arrays.stream(ids).asLongStream().toArray()).reshape(1, ids.length);  // (1,T)
        long[] out = model.generateCached(idx, newTokens, temperature, null, seed).toLongVector();
        return Arrays.stream(out, ids.length, out.length).mapToInt(v -> (int) v).toArray();
    }

    /** The comparison table: a "pretrained only" row ({@code pretrained}'s held-out loss, nothing trained), then one row per result. */
    public static Table table(GptLanguageModel pretrained, double pretrainedHeldOutLoss, List<Result> results) {
        StringColumn method = StringColumn.create("method");
        LongColumn trainable = LongColumn.create("trainable params");
        DoubleColumn share = DoubleColumn.create("trainable %");
        DoubleColumn memory = DoubleColumn.create("base KiB");
        DoubleColumn heap = DoubleColumn.create("heap held KiB");
        DoubleColumn resident = DoubleColumn.create("resident MiB");
        DoubleColumn minutes = DoubleColumn.create("minutes");
        DoubleColumn loss = DoubleColumn.create("held-out loss");
        method.append("pretrained only");
        trainable.append(0);
        share.append(0.0);
        memory.append(baseMemoryBytes(pretrained) / 1024.0);
        heap.appendMissing();
        resident.appendMissing();
        minutes.append(0.0);
        loss.append(pretrainedHeldOutLoss);
        for (Result r : results) {
            method.append(r.label());
            trainable.append(r.trainableParameters());
            share.append(100 * r.trainableFraction());
            memory.append(r.baseMemoryBytes() / 1024.0);
            heap.append(r.heapBytes() / 1024.0);
            resident.append(r.residentBytes() < 0 ? Double.NaN : r.residentBytes() / (1024.0 * 1024));
            minutes.append(r.minutes());
            loss.append(r.heldOutLoss());
        }
        share.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(2));
        memory.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(1));
        heap.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(0));
        resident.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(0));
        minutes.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(2));
        loss.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
        return Table.create("fine-tuning on held-out code files", method, trainable, share, memory, heap, resident, minutes, loss);
    }

    /** The share of the gap from the pretrained model's held-out loss to the full fine-tune's that {@code r} closes. */
    public static double gapClosed(double pretrainedLoss, Result full, Result r) {
        return (pretrainedLoss - r.heldOutLoss()) / (pretrainedLoss - full.heldOutLoss());
    }

    /**
     * What the table says, in sentences computed from it (so they stay true when the notebook is re-run):
     * the share of the gap each LoRA closes, and each quantized base against LoRA on the float32 base.
     * {@code results} starts with the full fine-tune, then LoRA on the float32 base; then any others.
     */
    public static String findings(double pretrainedLoss, List<Result> results) {
        Result full = results.get(0), lora = results.get(1);
        int vocab = lora.model().vocabSize();                     // the full fine-tune's model may have been let go
        StringBuilder s = new StringBuilder(String.format(
                "The pretrained model: %.2f nats per token on the held-out files (guessing uniformly among %d tokens: %.2f).%n"
                        + "Full fine-tune: %.2f, every weight trained.%n", pretrainedLoss, vocab, Math.log(vocab), full.heldOutLoss()));
        for (Result r : results.subList(1, results.size())) {
            s.append(String.format("%s: %.2f, closing %.0f%% of the gap to the full fine-tune with %.2f%% of the parameters trainable",
                    r.label(), r.heldOutLoss(), 100 * gapClosed(pretrainedLoss, full, r), 100 * r.trainableFraction()));
            if (r.method().quant() != null) {
                double heapKiB = (r.heapBytes() - lora.heapBytes()) / 1024.0;
                double dLoss = r.heldOutLoss() - lora.heldOutLoss();
                String vsLora = Math.abs(dLoss) < 5e-5 ? "within 0.0001 of" : String.format("%+.4f against", dLoss);
                s.append(String.format("; held-out loss %s %s; base %.1f KiB (%.0f%% of float32); heap held %,.0f KiB %s",
                        vsLora, lora.label(), r.baseMemoryBytes() / 1024.0,
                        100.0 * r.baseMemoryBytes() / lora.baseMemoryBytes(), Math.abs(heapKiB), heapKiB < 0 ? "less" : "more"));
            }
            s.append(String.format(".%n"));
        }
        for (Result r : results) {
            if (r.method() != Method.LORA || r == lora || !r.label().endsWith("on every Linear")) continue;
            double qv = gapClosed(pretrainedLoss, full, lora), all = gapClosed(pretrainedLoss, full, r);
            s.append(String.format("Adapters on every Linear instead of query and value alone close %+.0f points more of the gap;"
                    + " the %.0f%% still open is in what no adapter touches (embeddings, LayerNorms, lm_head), in the rank,"
                    + " or in the learning rate.%n", 100 * (all - qv), 100 * (1 - all)));
        }
        return s.toString();
    }
}
