package io.buildgpt.bench;

import io.buildgpt.engine.Gpt2Checkpoint;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.kernels.Blas;
import io.buildgpt.finetune.FineTune;
import io.buildgpt.finetune.Lora;
import io.buildgpt.finetune.LoraConfig;
import io.buildgpt.finetune.QuantSpec;
import io.buildgpt.finetune.Quantize;
import io.buildgpt.train.AdamW;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The Java side of {@code compare.sh lora-gpt2}: a GPT-2 checkpoint (124M's shape, random weights written by
 * {@code lora_gpt2.py make}) with PEFT's LoRA r=8, alpha 16 on {@code c_attn}, trained on random token ids
 * {@code (B, T)} with AdamW (no weight decay), as {@code lora_gpt2.py train} does in PyTorch + PEFT. With
 * {@code --quant nf4dq} the base is stored in NF4 with double quantization first (QLoRA). Prints one
 * {@code RESULT} line: mean and median ms per timed step, the last loss, resident memory at the end.
 * With {@code --checkpointing} the blocks' activations are recomputed in the backward pass (gradient checkpointing,
 * which PEFT's {@code prepare_model_for_kbit_training} turns on for QLoRA).
 * With {@code --generate N} it trains nothing and times {@code generateCached} instead: N tokens sampled from
 * one token (temperature 1, all tokens), one untimed run, then the best of 3, as {@code lora_gpt2.py generate}
 * times {@code transformers}' {@code generate}.
 * Usage: {@code LoraGpt2Bench <folder> [--threads N] [--steps N] [--warmup N] [--batch B] [--block T] [--quant none|nf4dq]
 * [--checkpointing] [--generate N]}.
 */
public final class LoraGpt2Bench {
    private LoraGpt2Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LoraGpt2Bench <gpt2 folder> [--threads N] [--steps N] [--warmup N] [--batch B] [--block T] [--quant none|nf4dq]"
                    + " [--checkpointing] [--generate N]");
            System.exit(2);
        }
        System.out.println("BLAS " + Blas.describe());
        int threads = option(args, "--threads", 2), steps = option(args, "--steps", 3), warmup = option(args, "--warmup", 1);
        int b = option(args, "--batch", 4), t = option(args, "--block", 256);
        String quant = text(args, "--quant", "none");
        GptLanguageModel model = Gpt2Checkpoint.load(Path.of(args[0]), threads);
        int generate = option(args, "--generate", 0);
        if (generate > 0) {
            generation(model, generate);
            return;
        }
        if (quant.equals("nf4dq")) Quantize.base(model, QuantSpec.nf4DoubleQuant(), false);
        else if (!quant.equals("none")) throw new IllegalArgumentException("--quant " + quant + ": none or nf4dq");
        Lora.enable(model, LoraConfig.peft(8, 16, 0.0, List.of("c_attn")), 0);
        boolean checkpointing = Arrays.asList(args).contains("--checkpointing");
        model.setGradientCheckpointing(checkpointing);
        AdamW optimizer = new AdamW(model.trainableParameters(), 1e-3, 0.9, 0.999, 1e-8, 0.0);
        Random rnd = new Random(0);
        int[] x = new int[b * t], y = new int[b * t];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(model.vocabSize());
            y[i] = rnd.nextInt(model.vocabSize());
        }
        System.gc();                                             // the float32 weights quantizeBase replaced are garbage
        double[] ms = new double[steps];
        double loss = 0;
        for (int s = 0; s < warmup + steps; s++) {
            long t0 = System.nanoTime();
            loss = model.lossAndGradients(x, y, b, t);           // (B,T) -> (B,T,V) logits, backward into the adapters
            optimizer.step();
            double took = (System.nanoTime() - t0) / 1e6;
            System.out.printf("step %d: %.0f ms, loss %.4f%n", s, took, loss);
            if (s >= warmup) ms[s - warmup] = took;
        }
        System.gc();
        double mean = Arrays.stream(ms).average().orElse(Double.NaN);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf("RESULT framework=java workload=lora-gpt2 quant=%s checkpointing=%s ms_per_step=%.1f median_ms=%.1f steps=%d loss=%.4f"
                        + " base_mb=%.1f heap_live_mb=%d heap_committed_mb=%d rss_end_mb=%d rss_peak_mb=%d%n", quant, checkpointing, mean, sorted[sorted.length / 2],
                steps, loss, FineTune.baseMemoryBytes(model) / 1e6, io.buildgpt.train.MemoryUse.heapAfterGc() >> 20,
                Runtime.getRuntime().totalMemory() >> 20, Bench.rssKb() / 1024,
                Bench.peakRssKb() / 1024);
    }

    /** One untimed run of {@code n} tokens from token 0, then the best of 3 timed runs: one RESULT line in tokens per second. */
    private static void generation(GptLanguageModel model, int n) {
        INDArray start = Nd4j.zeros(DataType.INT64, 1, 1);                    // (1, 1): token 0
        model.generateCached(start, n, 1.0, null, 0);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            model.generateCached(start, n, 1.0, null, r + 1);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("generation run %d: %d tokens in %.2f s%n", r, n, s);
            best = Math.min(best, s);
        }
        System.out.printf("RESULT framework=java workload=gpt2-generate tokens=%d best_s=%.3f tokps=%.1f rss_end_mb=%d%n",
                n, best, n / best, Bench.rssKb() / 1024);
    }

    private static int option(String[] args, String name, int fallback) {
        return Integer.parseInt(text(args, name, String.valueOf(fallback)));
    }

    private static String text(String[] args, String name, String fallback) {
        for (int i = 1; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
        return fallback;
    }
}
