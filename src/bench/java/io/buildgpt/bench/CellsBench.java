package io.buildgpt.bench;

import io.buildgpt.engine.kernels.Blas;
import io.buildgpt.nn.Embedding;
import io.buildgpt.nn.Module;
import io.buildgpt.optim.AdamW;
import io.buildgpt.tensor.F;
import io.buildgpt.tensor.Tensor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The Java side of {@code compare.sh cells-bigram} and {@code cells-gpt-small}: the models as the notebooks'
 * cells write them on the tensor library (the bigram of notebook 05, the lecture's GPT with separate heads of
 * notebook 08, {@link LectureGpt}), trained by the lecture's loop written out (get_batch, forward, zeroGrad,
 * backward, step; estimate_loss in eval mode without grad), in {@code reference.py}'s order of draws from one
 * seeded generator. Only the training steps are timed, as {@code reference.py} times them, and one
 * {@code RESULT} line is printed for compare.sh.
 * Usage: {@code CellsBench <cells-bigram|cells-gpt-small> <corpus file> [--steps N]}.
 */
public final class CellsBench {
    private Tensor trainData, valData;
    private int vocabSize;
    private final int batchSize, blockSize;

    private CellsBench(String text, int batchSize, int blockSize) {
        this.batchSize = batchSize;
        this.blockSize = blockSize;
        TreeSet<Character> chars = new TreeSet<>();                                  // chars = sorted(list(set(text)))
        for (char c : text.toCharArray()) chars.add(c);
        vocabSize = chars.size();
        int[] stoi = new int[Character.MAX_VALUE + 1];
        int i = 0;
        for (char c : chars) stoi[c] = i++;
        long[] ids = new long[text.length()];                                        // data = torch.tensor(encode(text))
        for (int k = 0; k < ids.length; k++) ids[k] = stoi[text.charAt(k)];
        Tensor data = Tensor.tensor(ids);
        int n = (int) (0.9 * data.size(0));
        trainData = data.slice(0, 0, n);
        valData = data.slice(0, n);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CellsBench <cells-bigram|cells-gpt-small> <corpus.txt> [--steps N]");
            System.exit(2);
        }
        System.out.println("BLAS " + Blas.describe());
        String text = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        int steps = 5000;
        for (int i = 2; i + 1 < args.length; i++) if (args[i].equals("--steps")) steps = Integer.parseInt(args[i + 1]);
        Tensor.manualSeed(1337);
        switch (args[0]) {
            case "cells-bigram" -> {                 // bigram.py: B32 T8, lr 1e-2, 3000 steps, eval every 300 over 200 batches
                CellsBench b = new CellsBench(text, 32, 8);
                b.train(args[0], new Bigram(b.vocabSize), (m, x, y) -> ((Bigram) m).forward(x, y)[1], 1e-2, 3000, 300, 200);
            }
            case "cells-gpt-small" -> {              // gpt.py scaled down: B16 T32, C64, 4 heads, 4 layers, lr 1e-3, eval every 500
                CellsBench b = new CellsBench(text, 16, 32);
                var model = new LectureGpt.GPTLanguageModel(b.vocabSize, 32, 64, 4, 4, 0.0);
                System.out.println(model.numParameters() + " parameters");
                b.train(args[0], model, (m, x, y) -> ((LectureGpt.GPTLanguageModel) m).forward(x, y)[1], 1e-3, steps, 500, 200);
            }
            default -> {
                System.err.println("unknown workload '" + args[0] + "': known workloads are: cells-bigram, cells-gpt-small");
                System.exit(2);
            }
        }
    }

    /** The notebook's bigram: a (V, V) table of next-token logits. */
    static final class Bigram extends Module {
        final Embedding tokenEmbeddingTable;

        Bigram(int vocabSize) {
            tokenEmbeddingTable = new Embedding(vocabSize, vocabSize);
        }

        Tensor[] forward(Tensor idx, Tensor targets) {
            Tensor logits = tokenEmbeddingTable.forward(idx);                          // (B,T,C)
            int B = logits.size(0), T = logits.size(1), C = logits.size(2);
            return new Tensor[]{logits, F.crossEntropy(logits.view(B * T, C), targets.view(B * T))};
        }
    }

    /** A model's loss on one batch. */
    interface Loss {
        Tensor of(Module model, Tensor x, Tensor y);
    }

    /** The lecture's get_batch: batchSize windows at random offsets, the targets one token later. */
    private Tensor[] getBatch(String split) {
        Tensor data = split.equals("train") ? trainData : valData;
        Tensor ix = Tensor.randint(data.size(0) - blockSize, batchSize);
        List<Tensor> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (long i : ix.toLongArray()) {
            xs.add(data.slice(0, (int) i, (int) i + blockSize));
            ys.add(data.slice(0, (int) i + 1, (int) i + blockSize + 1));
        }
        return new Tensor[]{Tensor.stack(xs, 0), Tensor.stack(ys, 0)};              // (B,T) each
    }

    /** The lecture's estimate_loss: the mean loss of evalIters batches of each split, in eval mode, without grad. */
    private double[] estimateLoss(Module model, Loss loss, int evalIters) {
        double[] out = new double[2];
        model.eval();
        try (var g = Tensor.noGrad()) {
            for (int s = 0; s < 2; s++) {
                double sum = 0;
                for (int k = 0; k < evalIters; k++) {
                    Tensor[] xy = getBatch(s == 0 ? "train" : "val");
                    sum += loss.of(model, xy[0], xy[1]).item();
                }
                out[s] = sum / evalIters;
            }
        }
        model.train();
        return out;
    }

    private void train(String workload, Module model, Loss loss, double lr, int maxIters, int evalInterval, int evalIters) {
        AdamW optimizer = new AdamW(model.parameters(), lr);
        double[] losses = null;
        long[] rss = {0, 0};
        long stepNanos = 0, start = System.nanoTime();
        for (int iter = 0; iter < maxIters; iter++) {
            if (iter % evalInterval == 0 || iter == maxIters - 1) {
                losses = estimateLoss(model, loss, evalIters);
                rss[iter == 0 ? 0 : 1] = Bench.rssKb();
                System.out.printf("step %4d: train loss %.4f, val loss %.4f, rss %d MB%n", iter, losses[0], losses[1], Bench.rssKb() / 1024);
            }
            long t0 = System.nanoTime();
            Tensor[] xy = getBatch("train");
            Tensor l = loss.of(model, xy[0], xy[1]);
            optimizer.zeroGrad();
            l.backward();
            optimizer.step();
            stepNanos += System.nanoTime() - t0;
        }
        System.out.printf("RESULT framework=java workload=%s ms_per_step=%.4f total_s=%.2f train=%.4f val=%.4f rss_start_mb=%d rss_end_mb=%d%n",
                workload, stepNanos / 1e6 / maxIters, (System.nanoTime() - start) / 1e9, losses[0], losses[1], rss[0] / 1024, rss[1] / 1024);
    }
}
