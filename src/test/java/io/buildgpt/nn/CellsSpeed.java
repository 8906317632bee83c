package io.buildgpt.nn;

import io.buildgpt.optim.AdamW;
import io.buildgpt.tensor.F;
import io.buildgpt.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Milliseconds per training step of the cell models on the tensor library (not a test: a main on the test
 * classpath, because it reuses the benchmark's GPT classes, io.buildgpt.bench.LectureGpt):
 * <pre>
 *   java -cp target/test-classes:target/classes:target/lib/* io.buildgpt.nn.CellsSpeed [steps]
 * </pre>
 * bigram: B32 T8 V65 with the cell's get_batch (randint, slices, stack), forward, zeroGrad, backward, AdamW;
 * gpt: the lecture's GPT with separate heads at B16 T32, C64, 4 heads, 4 layers, on random batches (a fixed
 * batch is soon memorised, and its tiny gradients turn subnormal and slow the float arithmetic). The JIT needs tens of steps
 * before the times settle; the second half of the run is reported.
 */
public final class CellsSpeed {
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        System.out.printf("bigram: %.3f ms/step%n", bigram(steps * 10));
        System.out.printf("gpt B16 T32 C64 h4 L4: %.2f ms/step%n", gpt(steps));
    }

    static double bigram(int steps) {
        int V = 65, B = 32, T = 8;
        Tensor.manualSeed(1337);
        Tensor data = Tensor.randint(V, 1_000_000);
        Embedding table = new Embedding(V, V);
        AdamW opt = new AdamW(table.parameters(), 1e-2);
        long start = 0;
        for (int s = 0; s < steps; s++) {
            if (s == steps / 2) start = System.nanoTime();
            Tensor ix = Tensor.randint(data.size(0) - T, B);
            List<Tensor> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (long i : ix.toLongArray()) {
                xs.add(data.slice(0, (int) i, (int) i + T));
                ys.add(data.slice(0, (int) i + 1, (int) i + T + 1));
            }
            Tensor logits = table.forward(Tensor.stack(xs, 0)).view(B * T, V);
            Tensor loss = F.crossEntropy(logits, Tensor.stack(ys, 0).view(B * T));
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        return (System.nanoTime() - start) / 1e6 / (steps - steps / 2);
    }

    static double gpt(int steps) {
        Tensor.manualSeed(1337);
        var model = new io.buildgpt.bench.LectureGpt.GPTLanguageModel(65, 32, 64, 4, 4, 0.0);
        AdamW opt = new AdamW(model.parameters(), 1e-3);
        long start = 0;
        for (int s = 0; s < steps; s++) {
            if (s == steps / 2) start = System.nanoTime();
            Tensor xb = Tensor.randint(65, 16, 32), yb = Tensor.randint(65, 16, 32);   // a new batch each step, as training
            Tensor loss = model.forward(xb, yb)[1];
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        return (System.nanoTime() - start) / 1e6 / (steps - steps / 2);
    }
}
