package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Softmax;

import java.util.Arrays;
import io.buildgpt.random.TorchGenerator;

/**
 * Picks the next token from one row of logits: divide by the temperature (below 1 sharpens, above 1
 * flattens), keep only the {@code topK} largest (like {@code torch.topk}: ties with the k-th value
 * stay), then draw from the softmax. Owns its scratch so that generation allocates nothing per token.
 */
final class TokenSampler {
    private final int vocab;
    private final float[] scaled, sorted, probs, q;
    private final double temperature;
    private final int topK;

    TokenSampler(int vocab, double temperature, Integer topK) {
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature = " + temperature + " is out of range: it must be positive and finite (1.0 samples the model as trained)");
        }
        if (topK != null && (topK < 1 || topK > vocab)) {
            throw new IllegalArgumentException("topK = " + topK + " is out of range: it must be between 1 and the vocabulary size " + vocab + ", or null for all tokens");
        }
        this.vocab = vocab;
        this.temperature = temperature;
        this.topK = topK == null ? vocab : topK;
        this.scaled = new float[vocab];
        this.sorted = new float[vocab];
        this.probs = new float[vocab];
        this.q = new float[vocab];
    }

    /** A NaN or infinite logit (damaged weights), or a finite one that the temperature blows up past float's range. */
    private IllegalStateException nonFinite(float logit, int token) {
        if (!Float.isFinite(logit)) {
            return new IllegalStateException("the model's logit for token " + token + " is " + logit + ": its weights hold NaN or"
                    + " infinite values (a diverged training, or a damaged file), so nothing can be sampled; reload good weights");
        }
        return new IllegalStateException("temperature = " + temperature + " is too small: logit " + logit + " / temperature overflows"
                + " a float (at most " + Float.MAX_VALUE + "); use a temperature of at least "
                + String.format(java.util.Locale.ROOT, "%.1g", Math.abs(logit) / Float.MAX_VALUE * 10)
                + ", or topK = 1 to always take the most likely token");
    }

    int sample(float[] logits, int off, TorchGenerator g) {
        float t = (float) temperature;
        for (int v = 0; v < vocab; v++) scaled[v] = logits[off + v] / t; // logits / temperature, in float as PyTorch
        for (int v = 0; v < vocab; v++) if (!Float.isFinite(scaled[v])) throw nonFinite(logits[off + v], v);
        if (topK < vocab) {
            System.arraycopy(scaled, 0, sorted, 0, vocab);
            Arrays.sort(sorted);
            float kth = sorted[vocab - topK];
            for (int v = 0; v < vocab; v++) if (scaled[v] < kth) scaled[v] = Float.NEGATIVE_INFINITY; // outside the top k: probability 0
        }
        return Softmax.sample(scaled, 0, vocab, g, probs, q);
    }
}
