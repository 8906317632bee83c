package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * {@code nn.Sequential(...)}: the layers applied in order. Its parameters are named by position,
 * as PyTorch does: a {@code net} of {@code (Linear, ReLU, Linear)} has {@code net.0.weight} and {@code net.2.weight}.
 */
public final class Sequential extends Module implements Layer {
    final List<Layer> layers;

    public Sequential(Layer... layers) {
        this.layers = List.of(layers);
    }

    @Override
    public SDVariable forward(SDVariable x) {
        for (Layer layer : layers) x = layer.forward(x);
        return x;
    }

    /** {@code nn.ReLU()} as a layer. */
    public static Layer relu() {
        return F::relu;
    }
}
