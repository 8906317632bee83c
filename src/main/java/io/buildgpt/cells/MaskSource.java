package io.buildgpt.cells;

/**
 * Draws dropout masks for a {@link CellModel}'s training steps: {@code n} values, each {@code 0} with
 * probability {@code p} and {@code 1 / (1 - p)} otherwise, row-major for the masked tensor's shape.
 * The project's torch-compatible generator supplies one, so that a seed gives PyTorch's masks.
 */
@FunctionalInterface
public interface MaskSource {
    float[] mask(int n, double p);
}
