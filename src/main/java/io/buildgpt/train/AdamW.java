package io.buildgpt.train;

import io.buildgpt.engine.LanguageModel;
import io.buildgpt.engine.Parameter;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay, step for step as {@code torch.optim.AdamW}: first shrink the
 * weights by {@code lr * weightDecay}, then take the Adam step {@code lr * m_hat / (sqrt(v_hat) + eps)}.
 * Defaults are PyTorch's: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
 *
 * <p>What it updates: built from a model ({@link #AdamW(LanguageModel, double)}), it follows the model's
 * {@link LanguageModel#trainableParameters()} at every step, so enabling or merging LoRA ({@code finetune.Lora})
 * after it was made changes what it trains (moments of tensors that stay are kept, new ones start at
 * zero). Built from a list, it updates that list; {@link Trainer} refuses to train a model whose trainable
 * set is no longer that list. Either way an optimiser with nothing to train is refused, and built from a
 * model whose base is quantized without LoRA adapters (it would train only the float32 leftovers) too.
 */
public final class AdamW {
    private final LanguageModel follows; // null: a fixed list of parameters
    private List<Parameter> parameters;
    private float[][] m; // first moment per parameter
    private float[][] v; // second moment per parameter
    private final double beta1, beta2, eps, weightDecay;
    private double learningRate;
    private int t;

    public AdamW(List<Parameter> parameters, double learningRate) {
        this(parameters, learningRate, 0.9, 0.999, 1e-8, 0.01);
    }

    /** Follows {@code model}'s trainable parameters (see the class comment), with PyTorch's defaults. */
    public AdamW(LanguageModel model, double learningRate) {
        this(model, learningRate, 0.9, 0.999, 1e-8, 0.01);
    }

    /** Follows {@code model}'s trainable parameters (see the class comment). */
    public AdamW(LanguageModel model, double learningRate, double beta1, double beta2, double eps, double weightDecay) {
        this(model, requireNotOnlyLeftovers(model), learningRate, beta1, beta2, eps, weightDecay);
    }

    /**
     * A quantized base without LoRA adapters trains only what stayed float32 (embeddings, LayerNorms, biases,
     * lm_head): almost never what was meant, so it is refused, pointing to LoRA. The list constructor still
     * takes those parameters when that is the intent.
     */
    private static List<Parameter> requireNotOnlyLeftovers(LanguageModel model) {
        if (model instanceof io.buildgpt.engine.GptLanguageModel gpt && gpt.trainsBase() && !gpt.isPlain()) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "this model's Linear weights are frozen (a quantized"
                    + " base) and it has no LoRA adapters, so AdamW would train only the %,d of its %,d parameters that stayed float32"
                    + " (embeddings, LayerNorms, biases, lm_head). Enable LoRA first, e.g. Lora.enable(model, LoraConfig.queryValue(8), seed)"
                    + " (QLoRA), or Quantize.dequantize(model) to train every weight; to train only the float32 ones on purpose, pass"
                    + " them as a list: new AdamW(model.trainableParameters(), learningRate)",
                    gpt.trainableParameterCount(), gpt.parameterCount()));
        }
        return model.trainableParameters();
    }

    public AdamW(List<Parameter> parameters, double learningRate, double beta1, double beta2, double eps, double weightDecay) {
        this(null, parameters, learningRate, beta1, beta2, eps, weightDecay);
    }

    private AdamW(LanguageModel follows, List<Parameter> parameters, double learningRate, double beta1, double beta2, double eps,
                  double weightDecay) {
        requireRange("learningRate", learningRate, 0, 10, false);
        requireRange("beta1", beta1, 0, 1, true);
        requireRange("beta2", beta2, 0, 1, true);
        requireRange("eps", eps, 0, 1, false);
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new IllegalArgumentException("weightDecay = " + weightDecay + " is out of range: it must be in [0, 1) (PyTorch's default is 0.01)");
        }
        requireSomething(parameters);
        this.follows = follows;
        this.parameters = List.copyOf(parameters);
        this.m = new float[this.parameters.size()][];
        this.v = new float[this.parameters.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new float[this.parameters.get(i).size()];
            v[i] = new float[this.parameters.get(i).size()];
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    private static void requireRange(String name, double value, double low, double high, boolean closedLow) {
        boolean ok = (closedLow ? value >= low : value > low) && value < high;
        if (!ok) {
            throw new IllegalArgumentException(name + " = " + value + " is out of range: it must be in "
                    + (closedLow ? "[" : "(") + low + ", " + high + ")");
        }
    }

    private static void requireSomething(List<Parameter> parameters) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("AdamW was given no parameters, so a step would change nothing: give it"
                    + " model.trainableParameters() of a model that has some (after mergeLora() every parameter trains"
                    + " again: make the optimiser after it, or from the model with new AdamW(model, learningRate))");
        }
    }

    /** When following a model: takes up its current trainable set, keeping the moments of the tensors that stay. */
    private void follow() {
        if (follows == null) return;
        List<Parameter> now = follows.trainableParameters();
        if (now.equals(parameters)) return;
        requireSomething(now);
        Map<Parameter, Integer> old = new IdentityHashMap<>();
        for (int i = 0; i < parameters.size(); i++) old.put(parameters.get(i), i);
        float[][] m2 = new float[now.size()][], v2 = new float[now.size()][];
        for (int i = 0; i < now.size(); i++) {
            Integer j = old.get(now.get(i));
            m2[i] = j != null ? m[j] : new float[now.get(i).size()];
            v2[i] = j != null ? v[j] : new float[now.get(i).size()];
        }
        parameters = List.copyOf(now);
        m = m2;
        v = v2;
    }

    /** True when this optimiser follows a model's trainable set rather than a fixed list. */
    public boolean followsModel() {
        return follows != null;
    }

    /** One update of every parameter from its current gradient. */
    public void step() {
        follow();
        t++;
        double bias1 = 1 - Math.pow(beta1, t);
        double bias2 = 1 - Math.pow(beta2, t);
        float decay = (float) (1 - learningRate * weightDecay);
        float stepSize = (float) (learningRate / bias1);
        float sqrtBias2 = (float) Math.sqrt(bias2);
        float b1 = (float) beta1, b2 = (float) beta2, e = (float) eps;
        for (int i = 0; i < m.length; i++) {
            float[] w = parameters.get(i).data(), g = parameters.get(i).grad(), mi = m[i], vi = v[i];
            for (int j = 0; j < w.length; j++) {
                float gj = g[j];
                mi[j] = b1 * mi[j] + (1 - b1) * gj;
                vi[j] = b2 * vi[j] + (1 - b2) * gj * gj;
                float denom = (float) Math.sqrt(vi[j]) / sqrtBias2 + e;
                w[j] = w[j] * decay - stepSize * mi[j] / denom;
            }
        }
    }

    public double learningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        requireRange("learningRate", learningRate, 0, 10, false);
        this.learningRate = learningRate;
    }

    /** Number of steps taken so far. */
    public int stepCount() {
        return t;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** The parameters this optimiser updates, in order (for one following a model: its trainable set now). */
    public List<Parameter> parameters() {
        follow();
        return parameters;
    }

    /** First-moment estimate of parameter {@code i} (not a copy; for checkpoints). */
    float[] firstMoment(int i) {
        follow();
        return m[i];
    }

    /** Second-moment estimate of parameter {@code i} (not a copy; for checkpoints). */
    float[] secondMoment(int i) {
        follow();
        return v[i];
    }

    /** Restores the step count after loading moments from a checkpoint. */
    void restoreStepCount(int steps) {
        if (steps < 0) throw new IllegalArgumentException("step count " + steps + " must not be negative");
        this.t = steps;
    }
}
