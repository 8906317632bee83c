/**
 * The lecture's bigram language model on ND4J arrays: {@link io.buildgpt.bigram.Embedding}, the
 * {@code nn.Embedding} table on its own for looking at, and {@link io.buildgpt.bigram.BigramLanguageModel},
 * the lecture's first model (each token reads the next token's logits from its row of a {@code (V, V)}
 * table), with the same initial values and samples as PyTorch for the same seed. Notebook 08 trains it
 * beside the engine's GPT ({@link io.buildgpt.engine.GptLanguageModel}) as the baseline of its loss chart;
 * it implements the engine's {@link io.buildgpt.engine.LanguageModel}, so the same
 * {@link io.buildgpt.train.Trainer} trains both.
 */
package io.buildgpt.bigram;
