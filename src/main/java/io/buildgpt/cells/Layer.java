package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;

/** A module with a one-input {@code forward}, so that {@link Sequential} can chain it (PyTorch's {@code nn.Sequential}). */
public interface Layer {
    SDVariable forward(SDVariable x);
}
