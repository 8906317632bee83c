/**
 * The engine: the lecture's GPT ({@link io.buildgpt.engine.GptLanguageModel} and its layers, named as the
 * lecture's modules) on heap {@code float[]} with hand-written backward passes, its matrix products
 * through OpenBLAS ({@code Matmul}, {@code Blas}) split over one pool per model ({@code Parallel}),
 * generation with a key/value cache, LoRA and quantized weights for fine-tuning, and the tensor file
 * format ({@link io.buildgpt.engine.TensorFile}). The engine starts ND4J only when an ND4J array
 * goes in or out.
 *
 * <p>Inside the engine, one job per class: {@code GptLanguageModel} is the public face (checks through
 * {@code GptInputs}, the batched passes in {@code GptStack}, the loss in {@code GptLoss}); the layers
 * ({@link io.buildgpt.engine.Block}, {@link io.buildgpt.engine.MultiHeadAttention}, {@code Head},
 * {@link io.buildgpt.engine.FeedForward}, ...) hold only the lecture's forward and backward; generation's
 * passes are all in {@code GenerationPass} (one {@code KvCache} per block), driven by {@code GptGeneration};
 * fine-tuning wrappers are wired by {@code Adaptation}; {@link io.buildgpt.engine.Profile} times the
 * layers with one lap per layer call, off by default.
 */
package io.buildgpt.engine;
import io.buildgpt.engine.kernels.Profile;
import io.buildgpt.engine.kernels.Parallel;
import io.buildgpt.engine.kernels.Matmul;
import io.buildgpt.engine.kernels.Blas;
