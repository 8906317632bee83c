package io.buildgpt.random;

/**
 * PyTorch's CPU random generator ({@code torch.Generator}, {@code torch.manual_seed}) and the
 * draws this project makes from it, element for element in PyTorch's order, so that one seed
 * gives the numbers the lecture's PyTorch code prints. Each method names the PyTorch call it
 * matches; the tests pin each one to values printed by {@code src/bench/torch_random.py}.
 *
 * <p>What is and is not matched (PyTorch 2.x, CPU generator; pinned by TorchGeneratorTest on an x86
 * CPU where PyTorch runs its AVX2/AVX-512 kernels, as on every current x86 CPU):
 * <ul>
 *   <li>Bit for bit everywhere: {@code manual_seed}, {@code randint} (both ranges below and from
 *       {@code 2^32}), {@code randperm}, {@code exponential_}, {@code multinomial} (one sample, given
 *       the same probabilities), the scalar path of {@code normal_} (below 16 elements, with the
 *       second Box-Muller value the generator keeps for the next draw) and the portable
 *       {@code bernoulli_}/dropout mask: these compute in double and round once.</li>
 *   <li>Bit for bit with PyTorch's AVX2/AVX-512 kernels: {@code uniform_}/{@code rand} with a range
 *       (PyTorch's compiled {@code x * (to - from) + from} is a fused multiply-add there) and
 *       {@code normal_} of 16 or more elements (PyTorch's vectorised Box-Muller with its own float
 *       {@code log} and {@code sincos}, reproduced here). PyTorch's own values on a CPU without AVX2
 *       (ARM, or {@code ATEN_CPU_CAPABILITY=default}) differ from these by a unit in the last place
 *       here and there: PyTorch disagrees with itself across CPUs.</li>
 *   <li>Not matched: {@code bernoulli_(p)} with a scalar {@code p} (dropout's mask) on Intel CPUs,
 *       where PyTorch builds with MKL draw the mask from MKL's own stream seeded by one 32-bit draw;
 *       this class gives the portable kernel's mask, which PyTorch uses on AMD and all other CPUs.
 *       Same statistics, other positions.</li>
 * </ul>
 * Not thread-safe: one generator belongs to one sequence of draws (as in PyTorch, where the
 * generator's lock serialises them), so results never depend on the number of threads.
 */
public final class TorchGenerator {
    private static final double TWO_POW_M24 = 1.0 / (1 << 24);
    private static final double TWO_POW_M53 = 1.0 / (1L << 53);

    private final Mt19937 engine;
    private long seed;
    private double cachedNormal;
    private boolean hasCachedNormal;

    /** {@code torch.manual_seed(seed)} on a fresh generator. */
    public TorchGenerator(long seed) {
        this.engine = new Mt19937(seed);
        manualSeed(seed);
    }

    /** {@code torch.manual_seed(seed)}: restarts the sequence and forgets the cached normal. */
    public void manualSeed(long seed) {
        this.seed = seed;
        engine.seed(seed);
        hasCachedNormal = false;
    }

    /**
     * Takes {@code other}'s whole state ({@code set_state(other.get_state())}): from here on this generator
     * draws what {@code other} would. Replaying a pass's dropout masks (gradient checkpointing) rests on it.
     */
    public void setState(TorchGenerator other) {
        engine.setState(other.engine);
        seed = other.seed;
        cachedNormal = other.cachedNormal;
        hasCachedNormal = other.hasCachedNormal;
    }

    /** The seed last given ({@code torch.initial_seed()}). */
    public long initialSeed() {
        return seed;
    }

    /** 32 random bits, unsigned ({@code generator->random()}). */
    public long next32() {
        return engine.next32();
    }

    /** 64 random bits from two draws, the first as the high half ({@code generator->random64()}). */
    public long next64() {
        long hi = engine.next32();
        long lo = engine.next32();
        return (hi << 32) | lo;
    }

    /** A double in [0, 1) from 53 bits of {@link #next64()} ({@code uniform_real_distribution<double>}). */
    public double nextDouble() {
        return (next64() & ((1L << 53) - 1)) * TWO_POW_M53;
    }

    /** A float in [0, 1) from 24 bits of one draw ({@code uniform_real_distribution<float>}). */
    public float nextFloat() {
        return (float) ((next32() & 0xffffff) * TWO_POW_M24);
    }

    /** {@code torch.randint(high, ()).item()}: one value in {@code [0, high)}. */
    public long randint(long high) {
        if (high < 1) throw new IllegalArgumentException("randint high = " + high + " is out of range: it must be at least 1");
        // below 2^32 one 32-bit draw modulo the range, else one 64-bit draw (PyTorch's random_from_to)
        if (high >= (1L << 32)) return Long.remainderUnsigned(next64(), high);
        return next32() % high;
    }

    /** {@code torch.randint(high, (n,))}. */
    public long[] randint(long high, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = randint(high);
        return out;
    }

    /**
     * {@code torch.randperm(n)} for {@code n} below {@code 2^32 / 20} (PyTorch's CPU path for such
     * sizes): a forward Fisher-Yates shuffle of {@code 0..n-1}, position {@code i} swapped with
     * {@code i + next32() % (n - i)}.
     */
    public int[] randperm(int n) {
        if (n < 0) throw new IllegalArgumentException("randperm n = " + n + " is out of range: it must not be negative");
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (next32() % (n - i));
            int saved = r[i];
            r[i] = r[z + i];
            r[z + i] = saved;
        }
        return r;
    }

    /** {@code a[off:off+len].uniform_(from, to)} on float32, in float arithmetic as PyTorch. */
    public void uniform_(float[] a, int off, int len, double from, double to) {
        float f = (float) from;
        float range = (float) to - f;
        // x * (to - from) + from, fused as the compiled kernel does on x86
        for (int i = 0; i < len; i++) a[off + i] = Math.fma(nextFloat(), range, f);
    }

    /** {@code torch.rand(n)}. */
    public float[] rand(int n) {
        float[] a = new float[n];
        uniform_(a, 0, n, 0, 1);
        return a;
    }

    /**
     * {@code a[off:off+len].normal_(mean, std)} on a contiguous float32 tensor of {@code len}
     * elements: below 16 elements one Box-Muller value per element in double (the second value
     * of each pair is kept in the generator for the next element, also across calls); from 16
     * elements on, uniforms for all elements first, Box-Muller in blocks of 16, and for a size
     * not divisible by 16 the last 16 elements redrawn and recomputed.
     */
    public void normal_(float[] a, int off, int len, double mean, double std) {
        if (len < 16) {
            for (int i = 0; i < len; i++) a[off + i] = (float) (nextNormal() * std + mean);
            return;
        }
        float m = (float) mean;
        float s = (float) std;
        for (int i = 0; i < len; i++) a[off + i] = nextFloat();
        for (int i = 0; i + 16 <= len; i += 16) BoxMuller16.fill(a, off + i, m, s);
        if (len % 16 != 0) {
            int tail = off + len - 16;
            for (int i = 0; i < 16; i++) a[tail + i] = nextFloat();
            BoxMuller16.fill(a, tail, m, s);
        }
    }

    /** {@code torch.randn(n)}. */
    public float[] randn(int n) {
        float[] a = new float[n];
        normal_(a, 0, n, 0, 1);
        return a;
    }

    /** One standard normal as PyTorch's scalar {@code normal_distribution<double>}. */
    private double nextNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDouble();
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * StrictMath.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * StrictMath.sin(theta);
        hasCachedNormal = true;
        return r * StrictMath.cos(theta);
    }

    /** {@code a[off:off+len].exponential_(lambd)} on float32: {@code -log(1 - u) / lambd}, u of 53 bits. */
    public void exponential_(float[] a, int off, int len, double lambd) {
        if (!(lambd > 0)) throw new IllegalArgumentException("exponential lambd = " + lambd + " is out of range: it must be positive");
        for (int i = 0; i < len; i++) a[off + i] = (float) (-1.0 / lambd * StrictMath.log1p(-nextDouble()));
    }

    /**
     * {@code torch.multinomial(probs, 1)} for one row of probabilities (need not sum to 1):
     * PyTorch draws {@code q = exponential_()} for the whole row and returns the first index of the
     * largest {@code probs / q} in float. {@code scratch} (length at least {@code len}, may be null)
     * avoids an allocation per call.
     */
    public int multinomial(float[] probs, int off, int len, float[] scratch) {
        if (len < 1) throw new IllegalArgumentException("multinomial needs at least one category");
        float[] q = scratch != null && scratch.length >= len ? scratch : new float[len];
        exponential_(q, 0, len, 1.0);
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            float r = probs[off + i] / q[i];
            if (r > bestValue) { // the first of equal maxima, as argmax
                best = i;
                bestValue = r;
            }
        }
        return best;
    }

    /** {@link #multinomial(float[], int, int, float[])} with a fresh scratch array. */
    public int multinomial(float[] probs, int off, int len) {
        return multinomial(probs, off, len, null);
    }

    /**
     * {@code a[off:off+len].bernoulli_(p)} with a scalar {@code p}: 1 where a 53-bit uniform is
     * below {@code p}, else 0 (PyTorch's portable kernel; see the class note on Intel CPUs).
     */
    public void bernoulli_(float[] a, int off, int len, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli p = " + p + " is out of range: it must be in [0, 1]");
        for (int i = 0; i < len; i++) a[off + i] = nextDouble() < p ? 1f : 0f;
    }

    /**
     * The mask {@code F.dropout(x, p, training=True)} multiplies by: {@code bernoulli_(1 - p)}
     * then divided by {@code 1 - p}, so kept entries hold {@code 1/(1-p)} and dropped ones 0.
     */
    public void dropoutMask(float[] mask, int off, int len, double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout p = " + p + " is out of range: it must be in [0, 1)");
        double keep = 1.0 - p;
        float kept = 1f / (float) keep;                          // what bernoulli's 1 becomes, divided by 1 - p in float
        // nextDouble() < keep, in integers: the uniform is bits * 2^-53 exactly, so it is below keep exactly when
        // the 53 bits are below keep * 2^53 (exact too, a power-of-two scaling), i.e. below its ceiling. The same
        // draws and the same mask as bernoulli_ then a division, in one pass (dropout draws tens of millions a step).
        long limit = (long) Math.ceil(keep * 0x1p53);
        for (int i = 0; i < len; i++) {
            long bits = next64() & ((1L << 53) - 1);
            mask[off + i] = bits < limit ? kept : 0f;
        }
    }

}
