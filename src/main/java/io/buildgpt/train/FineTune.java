package io.buildgpt.train;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.model.GptLanguageModel;
import io.buildgpt.model.LoraConfig;
import io.buildgpt.model.ParameterFile;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fine-tunes a copy of a pretrained GPT in one of three ways and reports what it cost and what it
 * reached, for notebook 10: every method starts from the same weights, sees the same batches (a
 * fresh sampler with the same seed) and is measured on the same held-out batches.
 */
public final class FineTune {
    /** How the copy is adapted. */
    public enum Method {
        /** Every weight trainable. */
        FULL("full fine-tune"),
        /** Frozen float32 base, LoRA adapters on query and value. */
        LORA("LoRA"),
        /** The base's block weights stored as 4-bit blocks (frozen), LoRA adapters on top (QLoRA's idea). */
        QLORA_4BIT("LoRA on 4-bit base");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One fine-tuning run.
     *
     * @param trainableParameters scalars the optimiser updates
     * @param baseMemoryBytes     bytes of the base's stored weights (adapters excluded)
     * @param heldOutLoss         mean loss on {@code evalIters} batches of the held-out files, from a fixed sampler seed
     * @param model               the fine-tuned model (adapters not merged), for completions
     */
    public record Result(Method method, long trainableParameters, long totalParameters, long baseMemoryBytes,
                         double minutes, double heldOutLoss, LossHistory history, GptLanguageModel model) {
        public double trainableFraction() {
            return (double) trainableParameters / totalParameters;
        }
    }

    /** The seed of the sampler that measures the held-out loss, the same for every model. */
    public static final long EVAL_SEED = 7;

    private FineTune() {}

    /** A new model with {@code source}'s configuration and a copy of its weights (no adapters), computing with {@code threads}. */
    public static GptLanguageModel copy(GptLanguageModel source, int threads) {
        try {
            Path tmp = Files.createTempFile("buildgpt-copy", ".params");
            try {
                ParameterFile.write(tmp, source.parameters());
                GptLanguageModel copy = new GptLanguageModel(source.config(), 0, threads);
                ParameterFile.read(tmp, copy.parameters());
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
        BatchSampler sampler = new BatchSampler(data, batchSize, model.config().blockSize(), EVAL_SEED);
        return Trainer.estimateLoss(model, sampler, evalIters).val();
    }

    /**
     * Copies {@code pretrained}, adapts the copy as {@code method} says (LoRA: {@code lora} with adapters
     * drawn from {@code seed}), trains it on {@code data}'s train part and measures the held-out loss.
     */
    public static Result run(Method method, GptLanguageModel pretrained, TokenSplit data, int batchSize, TrainConfig train,
                             LoraConfig lora, long seed, int threads, TrainListener listener) {
        GptLanguageModel model = copy(pretrained, threads);
        if (method == Method.QLORA_4BIT) model.quantizeBase(4);
        if (method != Method.FULL) model.enableLora(lora, seed);
        long trainable = model.trainableParameters().stream().mapToLong(p -> p.size()).sum();
        AdamW optimizer = new AdamW(model.trainableParameters(), train.learningRate());
        Trainer trainer = new Trainer(model, new BatchSampler(data, batchSize, model.config().blockSize(), seed), optimizer);
        long t0 = System.nanoTime();
        TrainResult result = trainer.train(train, listener);
        double minutes = (System.nanoTime() - t0) / 60e9;
        return new Result(method, trainable, model.parameterCount(), model.baseMemoryBytes(), minutes,
                heldOutLoss(model, data, batchSize, train.evalIters()), result.history().named(method.label()), model);
    }

    /**
     * {@code prompt} (encoded as UTF-8 bytes) followed by {@code newTokens} bytes sampled at {@code temperature}
     * from {@code model}; a multi-byte character cut off at the end shows as U+FFFD.
     */
    public static String complete(GptLanguageModel model, String prompt, int newTokens, double temperature, long seed) {
        io.buildgpt.data.ByteTokenizer tok = new io.buildgpt.data.ByteTokenizer();
        int[] ids = tok.encode(prompt);
        io.buildgpt.nd4j.Nd4jLoader.ensureLoaded(); // the first ND4J array may be this one (the engine does not start ND4J)
        org.nd4j.linalg.api.ndarray.INDArray idx = org.nd4j.linalg.factory.Nd4j.createFromArray(
                java.util.Arrays.stream(ids).asLongStream().toArray()).reshape(1, ids.length);
        return tok.decode(model.generateCached(idx, newTokens, temperature, null, seed).toLongVector());
    }

    /** The comparison table: a "pretrained only" row ({@code pretrained}'s held-out loss, nothing trained), then one row per result. */
    public static Table table(GptLanguageModel pretrained, double pretrainedHeldOutLoss, List<Result> results) {
        StringColumn method = StringColumn.create("method");
        LongColumn trainable = LongColumn.create("trainable params");
        DoubleColumn share = DoubleColumn.create("trainable %");
        DoubleColumn memory = DoubleColumn.create("base memory KiB");
        DoubleColumn minutes = DoubleColumn.create("minutes");
        DoubleColumn loss = DoubleColumn.create("held-out loss");
        method.append("pretrained only");
        trainable.append(0);
        share.append(0.0);
        memory.append(pretrained.baseMemoryBytes() / 1024.0);
        minutes.append(0.0);
        loss.append(pretrainedHeldOutLoss);
        for (Result r : results) {
            method.append(r.method().label());
            trainable.append(r.trainableParameters());
            share.append(100 * r.trainableFraction());
            memory.append(r.baseMemoryBytes() / 1024.0);
            minutes.append(r.minutes());
            loss.append(r.heldOutLoss());
        }
        share.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(2));
        memory.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(1));
        minutes.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(2));
        loss.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
        return Table.create("fine-tuning on held-out code files", method, trainable, share, memory, minutes, loss);
    }

    /**
     * The targets of notebook 10, checked on a table's numbers: the share of the pretrained-to-full-fine-tune
     * gap that LoRA closes, and how far the 4-bit base's LoRA ends from the float32 one.
     */
    public static String verdict(double pretrainedLoss, Result full, Result lora, Result qlora) {
        double gapClosed = (pretrainedLoss - lora.heldOutLoss()) / (pretrainedLoss - full.heldOutLoss());
        double qDiff = qlora.heldOutLoss() - lora.heldOutLoss();
        double memShare = (double) qlora.baseMemoryBytes() / lora.baseMemoryBytes();
        return String.format("LoRA closes %.0f%% of the gap (target >= 70%%: %s) with %.2f%% of the parameters trainable (target <= 5%%: %s)%n"
                        + "LoRA on the 4-bit base ends %+.4f from LoRA (target within 0.05: %s) with %.0f%% of the base memory (target <= 30%%: %s)",
                100 * gapClosed, gapClosed >= 0.7 ? "met" : "MISSED", 100 * lora.trainableFraction(), lora.trainableFraction() <= 0.05 ? "met" : "MISSED",
                qDiff, Math.abs(qDiff) <= 0.05 ? "met" : "MISSED", 100 * memShare, memShare <= 0.30 ? "met" : "MISSED");
    }
}
