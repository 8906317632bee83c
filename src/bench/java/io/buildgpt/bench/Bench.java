package io.buildgpt.bench;

import io.buildgpt.bigram.BigramLanguageModel;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.LectureInit;
import io.buildgpt.engine.kernels.Blas;
import io.buildgpt.random.TorchGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import io.buildgpt.train.AdamW;
import io.buildgpt.train.LossEstimate;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainResult;
import io.buildgpt.train.Trainer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java side of {@code src/bench/compare.sh}: runs one workload exactly as
 * {@code reference.py} does and prints one {@code RESULT} line that the script parses.
 * Usage: {@code Bench <workload> <corpus file>}.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Bench <bigram|gpt-small|gpt-lecture|lora> <corpus.txt> [--threads N] [--steps N] [--warmup N] [--pretrain-steps N]");
            System.exit(2);
        }
        System.out.println("BLAS " + Blas.describe());
        int threads = intOption(args, "--threads", 1);
        int steps = intOption(args, "--steps", 5000);
        switch (args[0]) {
            case "bigram" -> bigram(Path.of(args[1]));
            case "gpt-small" -> gptSmall(Path.of(args[1]), steps, threads);
            case "gpt-lecture" -> gptLecture(Path.of(args[1]), intOption(args, "--warmup", 2), steps, threads);
            case "lora" -> lora(Path.of(args[1]), steps, intOption(args, "--pretrain-steps", 1500), threads);
            default -> {
                System.err.println("unknown workload '" + args[0] + "': known workloads are: bigram, gpt-small, gpt-lecture, lora");
                System.exit(2);
            }
        }
    }

    private static void bigram(Path corpus) throws Exception {
        // The lecture's bigram run: B=32, T=8, AdamW lr 1e-2, 3000 steps, eval every 300 over 200 batches, seed 1337.
        int batchSize = 32, blockSize = 8, maxIters = 3000, evalInterval = 300, evalIters = 200;
        long seed = 1337;
        String text = Files.readString(corpus);
        CharTokenizer tok = CharTokenizer.fromText(text);
        TokenSplit data = TokenSplit.of(tok.encode(text), 0.9, blockSize);
        // reference.py's order of draws from one generator: torch.manual_seed(1337), the model's
        // nn.Embedding, then every batch of training and evaluation in turn
        TorchGenerator g = new TorchGenerator(seed);
        BigramLanguageModel model = new BigramLanguageModel(tok.vocabSize(), g);
        BatchSampler sampler = new BatchSampler(data, batchSize, blockSize, g);
        Trainer trainer = new Trainer(model, sampler, new AdamW(model.parameters(), 1e-2));
        LossEstimate[] init = {null}; // the evaluation at step 0, before any update
        long[] rss = {0, 0}; // at the first and at the last evaluation
        TrainResult result = trainer.train(new TrainConfig(maxIters, evalInterval, evalIters, 1e-2),
                (step, est, h) -> {
                    if (step == 0) init[0] = est;
                    rss[step == 0 ? 0 : 1] = rssKb();
                    System.out.printf("step %4d: train loss %.4f, val loss %.4f, rss %d MB%n", step, est.train(), est.val(), rssKb() / 1024);
                });
        System.out.printf("RESULT framework=java workload=bigram ms_per_step=%.4f total_s=%.2f init_val=%.4f train=%.4f val=%.4f rss_start_mb=%d rss_end_mb=%d%n",
                result.stepMillis(), result.totalSeconds(), init[0].val(), result.last().train(), result.last().val(),
                rss[0] / 1024, rss[1] / 1024);
    }

    private static void gptSmall(Path corpus, int maxIters, int threads) throws Exception {
        // The small GPT of the lecture's scaled-down run: n_embd 64, n_head 4, n_layer 4, block 32,
        // batch 16, AdamW lr 1e-3, dropout 0, eval every 500 steps over 200 batches, seed 1337.
        int batchSize = 16, blockSize = 32, evalInterval = 500, evalIters = 200, newTokens = 500;
        long seed = 1337;
        String text = Files.readString(corpus);
        CharTokenizer tok = CharTokenizer.fromText(text);
        TokenSplit data = TokenSplit.of(tok.encode(text), 0.9, blockSize);
        GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(tok.vocabSize()), seed, threads);
        System.out.println(model.parameterCount() + " parameters");
        // reference.py's order of draws from one generator: torch.manual_seed(1337), the model's construction
        // and _init_weights (the values the constructor already filled, drawn again so that g stands where
        // PyTorch's generator does), then every batch of evaluation and training in turn
        TorchGenerator g = new TorchGenerator(seed);
        LectureInit.fill(model.parameters(), g, true);
        BatchSampler sampler = new BatchSampler(data, batchSize, blockSize, g);
        Trainer trainer = new Trainer(model, sampler, new AdamW(model.parameters(), 1e-3));
        long[] rss = {0, 0};
        TrainResult result = trainer.train(new TrainConfig(maxIters, evalInterval, evalIters, 1e-3),
                (step, est, h) -> {
                    rss[step == 0 ? 0 : 1] = rssKb();
                    System.out.printf("step %4d: train loss %.4f, val loss %.4f, rss %d MB%n", step, est.train(), est.val(), rssKb() / 1024);
                });
        System.out.printf("RESULT framework=java workload=gpt-small ms_per_step=%.4f total_s=%.2f train=%.4f val=%.4f rss_start_mb=%d rss_end_mb=%d%n",
                result.stepMillis(), result.totalSeconds(), result.last().train(), result.last().val(), rss[0] / 1024, rss[1] / 1024);

        INDArray context = Nd4j.zeros(DataType.INT64, 1, 1); // (1, 1): one newline, as in the lecture
        // warm-up, as the reference does: the whole run three times, untimed, so that the JIT has compiled
        // the path past blockSize too (a 20-token warm-up left it to be compiled inside the timed run)
        for (int i = 0; i < 3; i++) model.generateCached(context, newTokens, 1.0, null, seed);
        // then the best of three timed runs of each path, as the reference does (one run of 0.2 s can
        // take a garbage collection or a JIT recompilation; the best is what the code costs)
        double seconds = Double.MAX_VALUE, uncachedSeconds = Double.MAX_VALUE;
        INDArray out = null;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            out = model.generateCached(context, newTokens, 1.0, null, seed);
            seconds = Math.min(seconds, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            model.generate(context, newTokens, 1.0, null, seed);
            uncachedSeconds = Math.min(uncachedSeconds, (System.nanoTime() - t0) / 1e9);
        }
        System.out.println(tok.decode(out.toLongVector()).substring(0, 200));
        System.out.printf("RESULT framework=java workload=generate tokens_per_s=%.1f uncached_tokens_per_s=%.1f new_tokens=%d%n",
                newTokens / seconds, newTokens / uncachedSeconds, newTokens);
    }

    /**
     * The lecture's full GPT: n_embd 384, n_head 6, n_layer 6, block 256, batch 64, dropout 0.2, AdamW lr 3e-4
     * (10,788,929 parameters), the batch's gradient computed 16 sequences at a time.
     * {@code warmup} untimed steps, then {@code steps} timed ones; no evaluation
     * (one would take minutes on a CPU), as {@code nanogpt_reference.py gpt-lecture} does.
     */
    private static void gptLecture(Path corpus, int warmup, int steps, int threads) throws Exception {
        // 16 sequences at a time keep the activations near 2.5 GB (64 at once: about 9 GB); the same
        // mean loss over 64 sequences and its gradient, one AdamW step per 64, as PyTorch's step
        int batchSize = 64, blockSize = 256, microBatch = 16;
        long seed = 1337;
        String text = Files.readString(corpus);
        CharTokenizer tok = CharTokenizer.fromText(text);
        TokenSplit data = TokenSplit.of(tok.encode(text), 0.9, blockSize);
        try (GptLanguageModel model = new GptLanguageModel(new GptConfig(tok.vocabSize(), blockSize, 384, 6, 6, 0.2), seed, threads)) {
            System.out.println(model.parameterCount() + " parameters");
            BatchSampler sampler = new BatchSampler(data, batchSize, blockSize, seed);
            AdamW opt = new AdamW(model.parameters(), 3e-4);
            int[] x = new int[batchSize * blockSize], y = new int[batchSize * blockSize];
            double[] ms = new double[steps];
            double loss = Double.NaN;
            for (int it = 0; it < warmup + steps; it++) {
                long t0 = System.nanoTime();
                sampler.fill(io.buildgpt.data.Split.TRAIN, x, y);
                loss = model.lossAndGradients(x, y, batchSize, blockSize, microBatch); // batch 64 in parts: memory
                opt.step();
                double dt = (System.nanoTime() - t0) / 1e6;
                if (it >= warmup) ms[it - warmup] = dt;
                System.out.printf("step %d: loss %.4f, %.0f ms%s, rss %d MB%n", it, loss, dt, it < warmup ? " (warm-up)" : "", rssKb() / 1024);
            }
            double mean = java.util.Arrays.stream(ms).average().orElse(Double.NaN);
            double[] sorted = ms.clone();
            java.util.Arrays.sort(sorted);
            double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
            System.out.printf("RESULT framework=java workload=gpt-lecture ms_per_step=%.1f median_ms=%.1f steps=%d loss=%.4f rss_end_mb=%d%n",
                    mean, median, steps, loss, rssKb() / 1024);
        }
    }

    /**
     * Notebook 08's LoRA set-up: the small GPT with a byte vocabulary, pretrained on {@code corpus}
     * ({@code pretrainSteps}, lr 1e-3), then LoRA r=8 alpha=16 on query and value, lr 1e-2, batch 16,
     * block 32, on this project's src/main/java split by whole files (10% held out, seed 1337).
     * Writes what PyTorch needs to start from the same point to target/bench-lora/: the model with its
     * fresh adapters (ParameterFile), and the train and held-out byte streams.
     */
    private static void lora(Path corpus, int maxIters, int pretrainSteps, int threads) throws Exception {
        int batchSize = 16, blockSize = 32, evalIters = 200, rank = 8;
        long seed = 1337;
        io.buildgpt.data.ByteTokenizer tok = new io.buildgpt.data.ByteTokenizer();
        TokenSplit prose = TokenSplit.of(tok.encode(Files.readString(corpus)), 0.9, blockSize);
        io.buildgpt.data.CodeSplit code = io.buildgpt.data.CodeSplit.byFiles(
                io.buildgpt.data.Corpus.fromCodeFolder(io.buildgpt.data.CodeSplit.DEFAULT_FOLDER), 0.1, seed);
        System.out.println(code);
        GptLanguageModel model = new GptLanguageModel(new GptConfig(256, blockSize, 64, 4, 4, 0.0), seed, threads);
        new Trainer(model, new BatchSampler(prose, batchSize, blockSize, seed), new AdamW(model.parameters(), 1e-3))
                .train(new TrainConfig(pretrainSteps, Math.max(1, pretrainSteps / 3), 20, 1e-3),
                        (step, est, h) -> System.out.printf("pretrain step %4d: %s%n", step, est));
        io.buildgpt.finetune.Lora.enable(model, io.buildgpt.finetune.LoraConfig.queryValue(rank), seed);
        Path dir = Path.of("target", "bench-lora");
        Files.createDirectories(dir);
        io.buildgpt.engine.ParameterFile.write(dir.resolve("start.params"), model.parameters());
        Files.write(dir.resolve("train.bin"), bytes(code.trainIds()));
        Files.write(dir.resolve("val.bin"), bytes(code.valIds()));
        TokenSplit data = code.tokenSplit(blockSize);
        Trainer trainer = new Trainer(model, new BatchSampler(data, batchSize, blockSize, seed), new AdamW(model.trainableParameters(), 1e-2));
        long[] rss = {0, 0};
        TrainResult result = trainer.train(new TrainConfig(maxIters, Math.max(1, maxIters / 4), evalIters, 1e-2),
                (step, est, h) -> {
                    rss[step == 0 ? 0 : 1] = rssKb();
                    System.out.printf("step %4d: train loss %.4f, val loss %.4f, rss %d MB%n", step, est.train(), est.val(), rssKb() / 1024);
                });
        System.out.printf("RESULT framework=java workload=lora ms_per_step=%.4f total_s=%.2f train=%.4f val=%.4f rss_start_mb=%d rss_end_mb=%d%n",
                result.stepMillis(), result.totalSeconds(), result.last().train(), result.last().val(), rss[0] / 1024, rss[1] / 1024);
    }

    private static byte[] bytes(int[] ids) {
        byte[] out = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = (byte) ids[i];
        return out;
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 2; i + 1 < args.length; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return fallback;
    }

    /** Resident memory of this process (Linux), to show that a long run's memory stays flat; 0 elsewhere. */
    static long rssKb() {
        return status("VmRSS:");
    }

    /** The process's largest resident memory so far, in kB ({@code VmHWM}); 0 where unknown. */
    static long peakRssKb() {
        return status("VmHWM:");
    }

    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception ignored) {
            // not Linux: memory is not reported
        }
        return 0;
    }

}
