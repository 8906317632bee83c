package io.buildgpt.engine.kernels;

/**
 * Per-operation wall-clock accumulators for {@code GptStepBenchmark --profile} and
 * {@code GptGenerationBenchmark}, off unless the JVM is started with {@code -Dbuildgpt.profile=true}.
 *
 * <p>How: laps. A pass calls {@link #begin()} once at its start, and each layer call is followed by one
 * {@link #lap(Op) lap(op)}, which adds the time since the previous lap (or the begin) to {@code op}:
 * <pre>
 *   Profile.begin();
 *   h = ln1.forward(x, n);   Profile.lap(Op.LN_F);
 *   q = sa.forward(h, ...);  // laps QKV_F, ATTN_F, PROJ_F inside
 * </pre>
 * so the math stays as it reads, one line per layer call, with no start times to carry. Everything
 * between two laps is charged to the second one; a layer that laps inside (attention, FeedForward)
 * is followed by no lap of its own.
 *
 * <p>Why a static final flag: C2 folds {@code if (ON)} away when it is false, so the laps left in the
 * layers cost nothing in normal runs. One clock and one set of totals for the whole JVM: profile one
 * model on one thread (the benchmarks do). Totals are per operation and direction, summed over layers;
 * a parallel section is timed once, by its caller.
 */
public final class Profile {
    public static final boolean ON = Boolean.getBoolean("buildgpt.profile");

    /** The operations timed; {@code _F} forward, {@code _B} backward. */
    public enum Op {
        EMBED_F, LN_F, QKV_F, ATTN_F, PROJ_F, RESID_F, FF1_F, RELU_F, FF2_F, LM_HEAD_F, XENT,
        LM_HEAD_B, LN_B, FF2_B, RELU_B, FF1_B, RESID_B, PROJ_B, ATTN_B, QKV_B, EMBED_B, ZERO_GRAD, ADAMW
    }

    private static final long[] NANOS = new long[Op.values().length];
    private static long last; // the clock at the last begin() or lap()

    private Profile() {}

    /** Starts a run of laps: the next {@link #lap} measures from here. */
    public static void begin() {
        if (ON) last = System.nanoTime();
    }

    /** Adds the time since the last {@link #begin} or {@code lap} to {@code op}, and starts the next lap. */
    public static void lap(Op op) {
        if (ON) {
            long now = System.nanoTime();
            NANOS[op.ordinal()] += now - last;
            last = now;
        }
    }

    public static void reset() {
        java.util.Arrays.fill(NANOS, 0L);
    }

    /** Milliseconds per step of {@code op} over {@code steps} steps. */
    public static double msPerStep(Op op, int steps) {
        return NANOS[op.ordinal()] / 1e6 / steps;
    }
}
