/**
 * Where a model written in notebook cells on the tensor library ({@link io.buildgpt.nn.Module}) meets the
 * engine ({@link io.buildgpt.engine.GptLanguageModel}): {@link io.buildgpt.check.EngineCheck} copies weights
 * by their {@code state_dict} names and compares logits, loss and every gradient, so that the engine may
 * stand in for the cell model in a long run.
 */
package io.buildgpt.check;
