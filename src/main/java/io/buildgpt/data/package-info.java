/**
 * From text to batches: corpora ({@link io.buildgpt.data.Corpus}, downloads, code folders), tokenizers
 * ({@link io.buildgpt.data.CharTokenizer}, {@link io.buildgpt.data.Gpt2Tokenizer}, {@link io.buildgpt.data.ByteTokenizer}),
 * the train/val split ({@link io.buildgpt.data.TokenSplit}) and the lecture's {@code get_batch}
 * ({@link io.buildgpt.data.BatchSampler}). Data flows one way: text, ids, split, batches; nothing here
 * knows about models.
 */
package io.buildgpt.data;
