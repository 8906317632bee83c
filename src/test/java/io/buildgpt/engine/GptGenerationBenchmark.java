package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a unit test: tokens/s of {@code generateCached} and {@code generate} for the small GPT, 500 new
 * tokens from a one-token context, B=1 (speed does not depend on the weights, so they are untrained).
 * Compare with {@code python3 src/bench/torch_step.py generate --threads N} on the same cores:
 * <pre>
 *   taskset -c 0 java -cp "target/test-classes:target/classes:target/lib/*" io.buildgpt.engine.GptGenerationBenchmark [--threads N]
 * </pre>
 */
public final class GptGenerationBenchmark {
    public static void main(String[] args) {
        int threads = args.length > 1 && args[0].equals("--threads") ? Integer.parseInt(args[1]) : 1;
        try (GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(65), 1337, threads)) {
            var context = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.INT64, 1, 1);
            for (int i = 0; i < 20; i++) { // warm-up: C2 compiles both paths
                model.generateCached(context, 500, 1.0, null, i);
                model.generate(context, 100, 1.0, null, i);
            }
            Profile.reset();
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                model.generateCached(context, 500, 1.0, null, 42);
                double cached = 500 / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                model.generate(context, 500, 1.0, null, 42);
                double plain = 500 / ((System.nanoTime() - t0) / 1e9);
                System.out.printf("Java generate, 500 tokens, %d threads: cached %.0f tokens/s, uncached %.0f tokens/s%n", threads, cached, plain);
            }
            if (Profile.ON) { // ms per 500 cached + 500 uncached tokens
                for (Profile.Op op : Profile.Op.values()) System.out.printf("  %-10s %7.2f ms%n", op, Profile.msPerStep(op, 3));
            }
        }
    }
}
