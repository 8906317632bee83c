package io.buildgpt.tensor;

/** The two element types the lecture's code uses: {@code torch.float32} for values, {@code torch.int64} for ids. */
public enum DType {
    FLOAT32, INT64
}
