/**
 * The models. The lecture's first steps on ND4J arrays ({@link io.buildgpt.model.Embedding},
 * {@link io.buildgpt.model.SelfAttentionTrick}, {@link io.buildgpt.model.BigramLanguageModel}), and the
 * engine: the lecture's GPT ({@link io.buildgpt.model.GptLanguageModel} and its layers, named as the
 * lecture's modules) on heap {@code float[]} with hand-written backward passes, its matrix products
 * through OpenBLAS ({@code Matmul}, {@code Blas}) split over one pool per model ({@code Parallel}),
 * generation with a key/value cache, LoRA and quantized weights for fine-tuning, and the tensor file
 * format ({@link io.buildgpt.model.TensorFile}). The engine starts ND4J only when an ND4J array
 * goes in or out.
 *
 * <p>Inside the engine, one job per class: {@code GptLanguageModel} is the public face (checks through
 * {@code GptInputs}, the batched passes in {@code GptStack}, the loss in {@code GptLoss}); the layers
 * ({@link io.buildgpt.model.Block}, {@link io.buildgpt.model.MultiHeadAttention}, {@code Head},
 * {@link io.buildgpt.model.FeedForward}, ...) hold only the lecture's forward and backward; generation's
 * passes are all in {@code GenerationPass} (one {@code KvCache} per block), driven by {@code GptGeneration};
 * fine-tuning wrappers are wired by {@code Adaptation}; {@link io.buildgpt.model.Profile} times the
 * layers with one lap per layer call, off by default.
 */
package io.buildgpt.model;
