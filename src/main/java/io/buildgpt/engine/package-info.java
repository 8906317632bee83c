/**
 * The engine: the lecture's GPT and GPT-2 ({@link io.buildgpt.engine.GptLanguageModel}) on heap
 * {@code float[]} with hand-written backward passes, its matrix products through OpenBLAS
 * ({@code engine.kernels}) split over one pool per model, generation with a key/value cache, Hugging Face
 * checkpoints, and the tensor file format ({@link io.buildgpt.engine.TensorFile}). It starts ND4J only when
 * an ND4J array goes in or out, and it knows nothing of fine-tuning ({@code io.buildgpt.finetune} builds on it).
 *
 * <p>One place per concept: {@code GptLanguageModel} is the public face (checks in {@code GptInputs}, the
 * loss in {@code GptLoss}, sampling in {@code GptGeneration}); {@code GptStack} holds the layers and the one
 * forward pass for training, a prompt and a generation step; {@link io.buildgpt.engine.Attention} is the
 * attention with its fused {@code c_attn} weight, taking an optional {@link io.buildgpt.engine.KvCache};
 * {@link io.buildgpt.engine.Block}, {@link io.buildgpt.engine.FeedForward}, {@link io.buildgpt.engine.LayerNorm}
 * and {@link io.buildgpt.engine.Linear} hold the lecture's forward and backward; a Linear multiplies by a
 * {@link io.buildgpt.engine.Weight} ({@link io.buildgpt.engine.DenseWeight} here, others in fine-tuning);
 * {@link io.buildgpt.engine.StateDict} gives the tensors under the lecture's PyTorch names. The layers hold
 * parameters only: every buffer a pass writes and its backward reads is in the model's one
 * {@code Activations} (each layer's nested {@code Buffers}), so no layer has state another forward could
 * overwrite.
 */
package io.buildgpt.engine;
