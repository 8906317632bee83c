package io.buildgpt.optim;

import io.buildgpt.tensor.Tensor;

import java.util.List;

/**
 * {@code torch.optim.AdamW}, step for step in float as PyTorch's single-tensor CPU path: decay the weight
 * by {@code 1 - lr * weight_decay}, move the moments ({@code m} by lerp towards the gradient, {@code v} by
 * {@code beta2 * v + (1 - beta2) g^2}), then {@code w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}.
 * Defaults are PyTorch's: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01. A parameter without a
 * gradient is skipped, as in PyTorch.
 */
public final class AdamW {
    private final List<Tensor> params;
    private final float[][] m, v;
    private final int[] steps;
    private double lr;
    private final double beta1, beta2, eps, weightDecay;

    public AdamW(List<Tensor> params) { this(params, 1e-3); }

    public AdamW(List<Tensor> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0.01); }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (params.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list: pass model.parameters()");
        if (!(lr >= 0)) throw new IllegalArgumentException("Invalid learning rate: " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Invalid betas: (" + beta1 + ", " + beta2 + "), each must be in [0, 1)");
        if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("Invalid weight_decay value: " + weightDecay);
        for (Tensor p : params) {
            if (!p.requiresGrad()) throw new IllegalArgumentException("a parameter of shape " + java.util.Arrays.toString(p.shape()) + " does not require grad");
        }
        this.params = List.copyOf(params);
        this.m = new float[params.size()][];
        this.v = new float[params.size()][];
        this.steps = new int[params.size()];
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** {@code optimizer.zero_grad()}: every gradient set to None, PyTorch's default. */
    public void zeroGrad() {
        for (Tensor p : params) p.setGrad(null);
    }

    /** {@code optimizer.step()}: one update of each parameter that has a gradient. */
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.grad() == null) continue;
            float[] w = p.data(), g = p.grad().toFloatArray();
            if (m[i] == null) {
                m[i] = new float[w.length];
                v[i] = new float[w.length];
            }
            int t = ++steps[i];
            float decay = (float) (1 - lr * weightDecay);
            float w1 = (float) (1 - beta1), b2 = (float) beta2, w2 = (float) (1 - beta2);
            double bias1 = 1 - Math.pow(beta1, t), bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
            float stepSize = (float) (lr / bias1), sqrtBias2 = (float) bias2Sqrt, e = (float) eps;
            float[] mi = m[i], vi = v[i];
            for (int j = 0; j < w.length; j++) {
                float gj = g[j];
                w[j] *= decay;                                       // decoupled weight decay
                mi[j] += w1 * (gj - mi[j]);                          // lerp(m, g, 1 - beta1)
                vi[j] = vi[j] * b2 + w2 * gj * gj;                   // beta2 v + (1 - beta2) g^2
                float denom = (float) Math.sqrt(vi[j]) / sqrtBias2 + e;
                w[j] += -stepSize * (mi[j] / denom);                 // addcdiv(m, denom, -step_size)
            }
        }
    }

    public double lr() { return lr; }

    /** Changes the learning rate ({@code param_groups[0]['lr'] = ...}). */
    public void setLr(double lr) { this.lr = lr; }
}
