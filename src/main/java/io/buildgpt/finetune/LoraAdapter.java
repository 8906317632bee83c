package io.buildgpt.finetune;

import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.random.TorchGenerator;

import java.util.List;

/**
 * A low-rank update {@code s * B @ A} for one frozen weight {@code W (out, in)}: {@code A (r, in)},
 * {@code B (out, r)}, {@code s = alpha / r}.
 *
 * <p>Initialisation as in the LoRA paper and PEFT: A uniform with bound {@code 1/sqrt(in)} (PyTorch's
 * kaiming_uniform with a = sqrt(5)), B zero, so the adapted model starts out exactly equal to the
 * base and the first gradient moves B (dA is 0 while B is 0).
 *
 * <p>It runs beside the frozen weight, as PEFT's {@code y = x W^T + s * (drop(x) A^T) B^T} does, so the
 * base needs no gradient {@code dW (out, in)} and a quantized base is never rebuilt in float32:
 * <pre>
 *   forward   h = drop(x) @ A^T              (n,in) @ (in,r)  -> (n,r)
 *             y += s * h @ B^T               (n,r)  @ (r,out) -> (n,out)
 *   backward  dB += s * dy^T @ h             (out,n) @ (n,r)  -> (out,r)
 *             dh  = s * dy @ B               (n,out) @ (out,r) -> (n,r)
 *             dA += dh^T @ drop(x)           (r,n) @ (n,in)   -> (r,in)
 *             dx += (dh @ A) * mask          (n,r) @ (r,in)   -> (n,in), mask 0 or 1/(1-p)
 * </pre>
 * Each costs {@code n*r*(in+out)}, against {@code n*out*in} for the layer's own product. Dropout
 * ({@link LoraConfig#dropout()} {@code p > 0}) acts in training only; its masks come from this adapter's own
 * seeded generator with PyTorch's rule ({@code F.dropout}); without dropout nothing is drawn.
 */
public final class LoraAdapter {
    private final Parameter a;    // (r, in)
    private final Parameter b;    // (out, r)
    private final int rank, in, out;
    private final float scale;
    private final double p;             // adapter dropout probability
    private TorchGenerator dropRng;     // the masks' generator (PyTorch's dropout rule)

    /** One pass's branch activations (the caller's, inside the layer's buffers: the adapter keeps none). */
    static final class Buffers {
        private float[] mask, dropped, h, dh; // (n,in), (n,in), (n,r), (n,r)
        private float[] xd;                   // the branch's input: dropped, or x itself
        private boolean masked;               // whether the forward drew a mask
        private int n;
    }

    LoraAdapter(String name, int in, int out, LoraConfig config) {
        this.rank = config.rank();
        this.in = in;
        this.out = out;
        this.scale = config.scale();
        this.p = config.dropout();
        this.dropRng = new TorchGenerator(name.hashCode()); // reseeded by Lora.enable from its seed
        this.a = new Parameter(name + ".lora_A", rank, in);  // zeros: the caller draws A (Lora.enable: TorchInit)
        this.b = new Parameter(name + ".lora_B", out, rank); // zeros: the adapted model starts as the base
    }

    /** {@code w[off..] (out, in) += s * B @ A}. */
    void addTo(float[] w, int off) {
        float[] av = a.data(), bv = b.data();
        for (int i = 0; i < out; i++) {
            int row = off + i * in;
            for (int p = 0; p < rank; p++) {
                float s = scale * bv[i * rank + p];
                if (s == 0f) continue;                      // B starts at zero: skip the work, same result
                int aRow = p * in;
                for (int j = 0; j < in; j++) w[row + j] += s * av[aRow + j]; // (out,r) @ (r,in)
            }
        }
    }


    /** Adds the mask generator to {@code out} when the adapter has dropout. */
    void randomStreams(List<TorchGenerator> out) {
        if (p > 0) out.add(dropRng);
    }

    /** Restarts the mask generator: the same seed gives the same masks. */
    void reseedDropout(long seed) {
        dropRng = new TorchGenerator(seed);
    }

    /**
     * Adds {@code s * (drop(x) @ A^T) @ B^T (n, out)} into {@code y[yOff + i * yStride ..]}, row {@code i} (a
     * strided block: some columns of a wider output, e.g. a third of c_attn's). Draws a mask in training with
     * {@code p > 0}. The products run through {@code mm} (BLAS), the same bits for any thread count.
     */
    void forwardBranch(Buffers bf, float[] x, int n, float[] y, int yOff, int yStride, boolean training, Matmul mm) {
        bf.n = n;
        if (bf.h == null || bf.h.length < n * rank) bf.h = new float[n * rank];
        float[] h = bf.h, xd;
        bf.masked = training && p > 0;
        if (bf.masked) {
            if (bf.mask == null || bf.mask.length < n * in) {
                bf.mask = new float[n * in];
                bf.dropped = new float[n * in];
            }
            float[] mask = bf.mask, dropped = bf.dropped;
            dropRng.dropoutMask(mask, 0, n * in, p);                  // (n,in): 0 or 1/(1-p), as F.dropout
            for (int k = 0; k < n * in; k++) dropped[k] = x[k] * mask[k]; // drop(x) (n,in)
            xd = dropped;
        } else {
            xd = x;                                                   // no dropout: x itself, by reference
        }
        bf.xd = xd;
        float[] t = work(WORK_OUT, n * out);
        mm.multiplyByTransposeOf(xd, a.data(), h, n, in, rank);       // (n,in) @ (r,in)^T -> h (n,r)
        mm.multiplyByTransposeOf(h, b.data(), t, n, rank, out);       // (n,r) @ (out,r)^T -> (n,out)
        for (int i = 0; i < n; i++) {
            int yRow = yOff + i * yStride, tRow = i * out;
            for (int o = 0; o < out; o++) y[yRow + o] += scale * t[tRow + o]; // + s * h @ B^T, its columns of y
        }
    }

    /**
     * For the {@link #forwardBranch} that filled {@code bf}: takes {@code dy[dyOff + i * dyStride ..] (n, out)}, adds dA and dB,
     * and adds the branch's {@code (dh @ A) * mask (n, in)} into {@code dx}.
     */
    void backwardBranch(Buffers bf, float[] dy, int dyOff, int dyStride, float[] dx, Matmul mm) {
        int n = bf.n;
        float[] sdy = work(WORK_OUT, n * out), dxBranch = work(WORK_IN, n * in);
        if (bf.dh == null || bf.dh.length < n * rank) bf.dh = new float[n * rank];
        float[] h = bf.h, dh = bf.dh, xd = bf.xd, mask = bf.mask;
        for (int i = 0; i < n; i++) {
            int dyRow = dyOff + i * dyStride, row = i * out;
            for (int o = 0; o < out; o++) sdy[row + o] = scale * dy[dyRow + o]; // s * dy, its columns (n,out)
        }
        mm.accumulateTransposedA(sdy, h, b.grad(), n, out, rank);     // (n,out)^T @ (n,r) -> dB (out,r)
        mm.multiply(sdy, b.data(), dh, n, out, rank);                 // (n,out) @ (out,r) -> dh (n,r)
        mm.accumulateTransposedA(dh, xd, a.grad(), n, rank, in);      // (n,r)^T @ (n,in) -> dA (r,in)
        mm.multiply(dh, a.data(), dxBranch, n, rank, in);             // (n,r) @ (r,in) -> (n,in)
        if (bf.masked) for (int k = 0; k < n * in; k++) dx[k] += dxBranch[k] * mask[k]; // through the mask
        else for (int k = 0; k < n * in; k++) dx[k] += dxBranch[k];
    }

    /**
     * Working arrays shared by every adapter on one thread (a model runs one layer at a time): the branch's
     * {@code (n, out)} and {@code (n, in)} products, needed only inside one call, so that adapters do not each
     * hold their own.
     */
    private static final ThreadLocal<float[][]> WORK = ThreadLocal.withInitial(() -> new float[2][0]);
    private static final int WORK_OUT = 0, WORK_IN = 1;

    private static float[] work(int which, int len) {
        float[][] w = WORK.get();
        if (w[which].length < len) w[which] = new float[len];
        return w[which];
    }

    /** A then B. */
    public List<Parameter> parameters() {
        return List.of(a, b);
    }

    public Parameter a() {
        return a;
    }

    public Parameter b() {
        return b;
    }

    public int rank() {
        return rank;
    }

    public float scale() {
        return scale;
    }
}
