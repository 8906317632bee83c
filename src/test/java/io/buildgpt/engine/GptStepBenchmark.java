package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Parallel;
import io.buildgpt.engine.kernels.Matmul;

import io.buildgpt.train.AdamW;

import java.util.Arrays;
import java.util.Random;

/**
 * Not a unit test: times one training step (forward, backward, AdamW) of the small GPT
 * (209,729 parameters) at B16 T32, the workload PyTorch does in 18-23 ms on this machine.
 * Run after {@code mvn test-compile}:
 * <pre>
 *   taskset -c 0 java -cp "target/test-classes:target/classes:target/lib/*" io.buildgpt.engine.GptStepBenchmark [steps]
 * </pre>
 * Prints the median and mean ms/step over the timed steps after a warm-up (C2 compiles the kernels).
 *
 * <p>Measured on the 2-core AMD EPYC (AVX2 in the JVM, cores shared with other work), pinned to one
 * core, back to back with the same model in PyTorch (torch.set_num_threads(1), AdamW, same shapes):
 * Java median 42.4 ms/step, PyTorch 32.0 ms/step. Before the Matmul kernels used offset-0 scratch
 * rows (so C2 could vectorise them) Java took 143 ms/step.
 *
 * <p>{@code --threads 2} splits products and attention over two threads ({@link Parallel}); with
 * {@code taskset -c 0-1}, back to back with {@code src/bench/torch_step.py step --threads 2} on a
 * loaded machine (load average about 3 on 2 cores): Java medians 35.6, 33.2, 34.2, 38.0 ms/step
 * against PyTorch 37.1, 26.9, 43.5, 41.8; one thread: Java 43.6-51.4 against PyTorch 32.9-36.4.
 *
 * <p>{@code -Dbuildgpt.profile=true} adds per-operation times ({@link Profile}), ms/step, 1 thread
 * then 2, same loaded machine (the two columns are far from additive: noise is about 20%):
 * <pre>
 *   forward  LN 1.0 1.0 | QKV 2.4 2.8 | attention 7.2 6.0 | proj 1.1 2.2 | FF1 3.1 3.6 | ReLU 0.2 0.2 | FF2 5.0 4.5 | lm_head 0.3 0.5 | cross-entropy 0.4 0.4
 *   backward lm_head 0.6 1.0 | LN 0.8 0.8 | FF2 5.9 6.3 | ReLU 1.5 1.4 | FF1 9.1 8.3 | proj 2.1 4.1 | attention 7.4 6.1 | QKV 6.7 6.9
 *   embeddings 0.08, residuals 0.3, zero_grad 0.05, AdamW 0.24 (both)
 * </pre>
 */
public final class GptStepBenchmark {
    public static void main(String[] args) {
        int steps = 200, threads = 1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) threads = Integer.parseInt(args[++i]);
            else steps = Integer.parseInt(args[i]);
        }
        int batch = 16, time = 32;
        GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(65), 1337, threads);
        AdamW opt = new AdamW(model.parameters(), 1e-3);
        Random r = new Random(1);
        int[] x = new int[batch * time], y = new int[batch * time];
        for (int i = 0; i < 150; i++) step(model, opt, r, x, y); // warm-up
        Profile.reset();
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step(model, opt, r, x, y);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double mean = Arrays.stream(ms).average().orElse(0);
        Arrays.sort(ms);
        System.out.printf("GPT small B%d T%d: median %.2f ms/step, mean %.2f, min %.2f (%d steps, %d threads)%n",
                batch, time, ms[steps / 2], mean, ms[0], steps, threads);
        if (Profile.ON) printProfile(steps, mean);
        model.close();
    }

    private static void printProfile(int steps, double mean) {
        double total = 0;
        for (Profile.Op op : Profile.Op.values()) {
            double t = Profile.msPerStep(op, steps);
            total += t;
            System.out.printf("  %-10s %7.3f ms/step%n", op, t);
        }
        System.out.printf("  %-10s %7.3f ms/step (rest of the step: %.3f)%n", "timed", total, mean - total);
    }

    private static void step(GptLanguageModel model, AdamW opt, Random r, int[] x, int[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(65);
            y[i] = r.nextInt(65);
        }
        model.lossAndGradients(x, y, 16, 32);
        Profile.begin();
        opt.step();
        Profile.lap(Profile.Op.ADAMW);
    }
}
