package io.buildgpt.model;

import io.buildgpt.train.AdamW;

import java.util.Arrays;
import java.util.Random;

/**
 * Not a unit test: times one training step (forward, backward, AdamW) of the small GPT
 * (209,729 parameters) at B16 T32, the workload PyTorch does in 18-23 ms on this machine.
 * Run after {@code mvn test-compile}:
 * <pre>
 *   taskset -c 0 java -cp "target/test-classes:target/classes:target/lib/*" io.buildgpt.model.GptStepBenchmark [steps]
 * </pre>
 * Prints the median and mean ms/step over the timed steps after a warm-up (C2 compiles the kernels).
 *
 * <p>Measured on the 2-core AMD EPYC (AVX2 in the JVM, cores shared with other work), pinned to one
 * core, back to back with the same model in PyTorch (torch.set_num_threads(1), AdamW, same shapes):
 * Java median 42.4 ms/step, PyTorch 32.0 ms/step. Before the Matmul kernels used offset-0 scratch
 * rows (so C2 could vectorise them) Java took 143 ms/step. A 2-thread row split was not tried.
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
        long t0 = Profile.start();
        opt.step();
        Profile.stop(Profile.Op.ADAMW, t0);
    }
}
