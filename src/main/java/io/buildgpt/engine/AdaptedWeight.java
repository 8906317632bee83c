package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Scratch;
import io.buildgpt.engine.kernels.Matmul;

import java.util.Arrays;

/**
 * A {@link Linear}'s weight under fine-tuning: a frozen base, in float32 or quantized, and an optional
 * LoRA adapter. The layer multiplies by
 * <pre>
 *   W_eff = deq(W) + s * B @ A     (out,in), built in the model's shared {@link Scratch}
 * </pre>
 * or by {@code W} itself when it is float32 and there is nothing to add. The base gets no gradient; the
 * adapter gets {@code dW_eff}'s (see {@link LoraAdapter#backward}). Adapter dropout ({@code p > 0}, training
 * only) cannot be folded into one shared weight: then the product runs on the base alone and the adapter
 * adds and differentiates its masked branch itself.
 */
final class AdaptedWeight implements LinearHook {
    private final Linear layer;
    private final int in, out;
    private final Scratch scratch;
    private QuantizedWeight quantized;  // the base in 4 or 8 bits, or null: the layer's float weight, frozen
    private LoraAdapter adapter;        // or null
    private boolean branch;             // the last forward ran the adapter's dropout branch explicitly

    AdaptedWeight(Linear layer, Scratch scratch) {
        this.layer = layer;
        this.in = layer.inFeatures();
        this.out = layer.outFeatures();
        this.scratch = scratch;
    }

    /** The hook of {@code layer}, installed (freezing its weight) if it has none yet. */
    static AdaptedWeight of(Linear layer, Scratch scratch) {
        if (layer.hook() instanceof AdaptedWeight w) return w;
        AdaptedWeight w = new AdaptedWeight(layer, scratch);
        layer.setHook(w);
        return w;
    }

    @Override
    public float[] weight(boolean training) {
        branch = adapter != null && adapter.dropsOut(training);
        return current();
    }

    @Override
    public float[] backwardWeight() {
        return current();
    }

    private float[] current() {
        boolean withAdapter = adapter != null && !branch;
        if (quantized == null && !withAdapter) return layer.weight().data;   // the float base itself
        float[] w = scratch.weight(out * in);
        writeBase(w, 0);                                                       // deq(W) (out,in)
        if (withAdapter) adapter.addTo(w, 0);                                  // + s * B (out,r) @ A (r,in)
        return w;
    }

    @Override
    public void afterForward(float[] x, int n, float[] y, int yOff, int yStride) {
        if (branch) adapter.forwardBranch(x, n, y, yOff, yStride);            // + s * (drop(x) @ A^T) @ B^T (n,out)
    }

    @Override
    public void backward(float[] dy, float[] x, int n, Matmul mm) {
        if (adapter == null || branch) return;                                // frozen base; the branch differentiates later
        float[] dw = scratch.gradient(out * in);
        Arrays.fill(dw, 0, out * in, 0f);
        mm.accumulateTransposedA(dy, x, dw, n, out, in);                       // (n,out)^T @ (n,in) -> dW_eff (out,in)
        adapter.backward(dw, 0);                                               // dW_eff -> dA (r,in), dB (out,r)
    }

    @Override
    public void addInputGradient(float[] dy, int dyOff, int dyStride, float[] dx) {
        if (branch) adapter.backwardBranch(dy, dyOff, dyStride, dx);          // dA, dB; dx += (dh @ A) * mask
    }

    @Override
    public void writeBase(float[] dst, int off) {
        if (quantized != null) quantized.dequantizeInto(dst, off);
        else System.arraycopy(layer.weight().data, 0, dst, off, out * in);
    }

    /** Adds a LoRA adapter, A and B zero: the caller draws A. */
    LoraAdapter attachAdapter(String name, LoraConfig config) {
        if (adapter != null) throw new IllegalStateException(name + " already has a LoRA adapter");
        adapter = new LoraAdapter(name, in, out, config);
        return adapter;
    }

    LoraAdapter adapter() {
        return adapter;
    }

    /** Replaces the float base by its quantized blocks; the weight leaves the layer's parameters. */
    void quantize(QuantSpec spec) {
        if (quantized != null) throw new IllegalStateException(layer.name() + " is already quantized (" + quantized + ")");
        quantized = QuantizedWeight.quantize(layer.weight().data, layer.weight().shape(), spec);
        layer.setWeight(null);
    }

    /** Back to a float base holding the dequantized values (the quantization error stays). */
    void dequantize() {
        if (quantized == null) return;
        Parameter w = new Parameter(layer.name() + ".weight", out, in);
        quantized.dequantizeInto(w.data, 0);
        layer.setWeight(w);
        quantized = null;
    }

    QuantizedWeight quantized() {
        return quantized;
    }

    /**
     * Folds the adapter into the float base ({@code W <- W + s * B @ A}) and removes this hook: the layer
     * is a plain trainable Linear again. A quantized base is refused.
     */
    void mergeAndRemove() {
        if (quantized != null) throw new IllegalStateException(layer.name() + " is quantized: dequantize the base before merging into it");
        if (adapter != null) adapter.addTo(layer.weight().data, 0);
        layer.setHook(null);
    }
}
