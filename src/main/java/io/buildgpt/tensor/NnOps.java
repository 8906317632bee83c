package io.buildgpt.tensor;

import io.buildgpt.engine.kernels.Softmax;
import io.buildgpt.random.TorchGenerator;

/** The fused cross-entropy and layer norm, and dropout, each with its backward. */
final class NnOps {
    private NnOps() {}

    static Tensor crossEntropy(Tensor logits, Tensor targets) {
        Elementwise.requireFloat(logits, "cross_entropy");
        if (logits.dim() != 2 || targets.dim() != 1 || targets.dtype != DType.INT64 || targets.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("cross_entropy expects logits (N, C) and int64 targets (N), got " + Shapes.str(logits.shape)
                    + " and " + Shapes.str(targets.shape) + " " + targets.dtype + ": view logits as (B*T, C) and targets as (B*T)");
        }
        int n = logits.shape[0], c = logits.shape[1];
        Tensor lc = logits.contiguous();
        float[] x = lc.f;
        int x0 = lc.offset;
        long[] t = targets.toLongArray();
        float[] probs = new float[n * c];
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] < 0 || t[i] >= c) throw new IndexOutOfBoundsException("Target " + t[i] + " is out of bounds for " + c + " classes");
            int off = i * c, xo = x0 + off;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) max = Math.max(max, x[xo + j]);
            float sum = 0f;
            for (int j = 0; j < c; j++) {
                probs[off + j] = Softmax.exp(x[xo + j] - max);            // x - max <= 0: the engine's fast float exp
                sum += probs[off + j];
            }
            float logSum = (float) Math.log(sum);
            total += -(x[xo + (int) t[i]] - max - logSum);                     // -log_softmax[target]
            float inv = 1f / sum;
            for (int j = 0; j < c; j++) probs[off + j] *= inv;
        }
        Tensor loss = Tensor.scalar(total / n);
        return Autograd.record(loss, "NllLossBackward0", g -> {
            float scale = (float) (g.item() / n);                                  // d(mean)/d(logits) = (softmax - onehot) / N
            float[] d = new float[n * c];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) d[i * c + j] = probs[i * c + j] * scale;
                d[i * c + (int) t[i]] -= scale;
            }
            logits.accumulateGrad(Tensor.of(d, n, c));
        }, logits);
    }

    static Tensor dropout(Tensor x, double p, boolean training, TorchGenerator g) {
        if (!training || p == 0) return x;
        Elementwise.requireFloat(x, "dropout");
        float[] mask = new float[x.numel()];
        g.dropoutMask(mask, 0, mask.length, p);
        Tensor m = Tensor.of(mask, x.shape.clone());
        Tensor out;
        try (var ng = Tensor.noGrad()) {
            out = x.mul(m);
        }
        return Autograd.record(out, "MulBackward0", gr -> x.accumulateGrad(gr.mul(m)), x);
    }

    static Tensor layerNorm(Tensor x, Tensor w, Tensor b, double eps) {
        Elementwise.requireFloat(x, "layer_norm");
        int c = x.size(-1), rows = x.numel() / Math.max(c, 1);
        if (w.numel() != c || b.numel() != c) {
            throw new IllegalArgumentException("layer_norm over the last dim of " + Shapes.str(x.shape) + " needs weight and bias of " + c
                    + " values, got " + Shapes.str(w.shape) + " and " + Shapes.str(b.shape));
        }
        float[] xs = x.toFloatArray(), ws = w.toFloatArray(), bs = b.toFloatArray();
        float[] y = new float[xs.length], xhat = new float[xs.length], rstd = new float[rows];
        for (int r = 0; r < rows; r++) {
            int off = r * c;
            double mean = 0, var = 0;
            for (int j = 0; j < c; j++) mean += xs[off + j];
            mean /= c;
            for (int j = 0; j < c; j++) var += (xs[off + j] - mean) * (xs[off + j] - mean);
            var /= c;                                                             // biased, as layer norm
            rstd[r] = (float) (1 / Math.sqrt(var + eps));
            for (int j = 0; j < c; j++) {
                xhat[off + j] = (float) ((xs[off + j] - mean) * rstd[r]);
                y[off + j] = xhat[off + j] * ws[j] + bs[j];
            }
        }
        return Autograd.record(Tensor.of(y, x.shape.clone()), "NativeLayerNormBackward0", g -> {
            float[] gs = g.toFloatArray(), dx = new float[xs.length], dw = new float[c], db = new float[c];
            for (int r = 0; r < rows; r++) {
                int off = r * c;
                double meanD = 0, meanDX = 0;                                    // means of dxhat and dxhat * xhat
                for (int j = 0; j < c; j++) {
                    float dxhat = gs[off + j] * ws[j];
                    meanD += dxhat;
                    meanDX += dxhat * xhat[off + j];
                    dw[j] += gs[off + j] * xhat[off + j];
                    db[j] += gs[off + j];
                }
                meanD /= c;
                meanDX /= c;
                for (int j = 0; j < c; j++) {
                    dx[off + j] = (float) (rstd[r] * (gs[off + j] * ws[j] - meanD - xhat[off + j] * meanDX));
                }
            }
            x.accumulateGrad(Tensor.of(dx, x.shape.clone()));
            w.accumulateGrad(Tensor.of(dw, w.shape.clone()));
            b.accumulateGrad(Tensor.of(db, b.shape.clone()));
        }, x, w, b);
    }
}
