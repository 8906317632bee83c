/**
 * Training for any {@link io.buildgpt.engine.LanguageModel}: {@link io.buildgpt.train.AdamW} (as
 * {@code torch.optim.AdamW}), the lecture's loop with periodic loss estimates
 * ({@link io.buildgpt.train.Trainer}, {@link io.buildgpt.train.LossHistory}), checkpoints and fine-tuning runs.
 */
package io.buildgpt.train;
