package io.buildgpt.model;

import java.util.List;
import java.util.Random;

/**
 * A low-rank update {@code s * B @ A} for one frozen weight {@code W (out, in)}: {@code A (r, in)},
 * {@code B (out, r)}, {@code s = alpha / r}.
 *
 * <p>Initialisation as in the LoRA paper and PEFT: A uniform with bound {@code 1/sqrt(in)} (PyTorch's
 * kaiming_uniform with a = sqrt(5)), B zero, so the adapted model starts out exactly equal to the
 * base and the first gradient moves B (dA is 0 while B is 0).
 *
 * <p>The layer folds the update into an effective weight before its usual product, and hands back
 * the gradient of that effective weight {@code dW (out, in)}; since {@code W_eff = W + s B A}:
 * <pre>
 *   dB += s * dW @ A^T    (out,in) @ (in,r)  -> (out,r)
 *   dA += s * B^T @ dW    (r,out)  @ (out,in) -> (r,in)
 * </pre>
 * Costs {@code out*r*in} each way, against {@code B*T*out*in} for the layer's own product.
 */
public final class LoraAdapter {
    private final Parameter a;    // (r, in)
    private final Parameter b;    // (out, r)
    private final int rank, in, out;
    private final float scale;

    LoraAdapter(String name, int in, int out, LoraConfig config, Random init) {
        this.rank = config.rank();
        this.in = in;
        this.out = out;
        this.scale = config.scale();
        this.a = new Parameter(name + ".lora_A", rank, in).uniform(init, 1 / Math.sqrt(in));
        this.b = new Parameter(name + ".lora_B", out, rank); // zeros: the adapted model starts as the base
    }

    /** {@code w[off..] (out, in) += s * B @ A}. */
    void addTo(float[] w, int off) {
        float[] av = a.data, bv = b.data;
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

    /** Adds the adapter's gradients for {@code dW = dw[off..] (out, in)}, the gradient of the effective weight. */
    void backward(float[] dw, int off) {
        float[] av = a.data, bv = b.data, ga = a.grad, gb = b.grad;
        for (int i = 0; i < out; i++) {
            int row = off + i * in;
            for (int p = 0; p < rank; p++) {
                int aRow = p * in;
                float dot = 0f, bs = scale * bv[i * rank + p];
                for (int j = 0; j < in; j++) {
                    dot += dw[row + j] * av[aRow + j];       // dW (out,in) @ A^T (in,r)
                    ga[aRow + j] += bs * dw[row + j];         // B^T (r,out) @ dW (out,in)
                }
                gb[i * rank + p] += scale * dot;
            }
        }
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
