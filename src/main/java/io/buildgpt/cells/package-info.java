/**
 * What a model written in a notebook cell needs that is not the lecture's subject: PyTorch's
 * {@code nn} building blocks on SameDiff ({@link io.buildgpt.cells.Embedding}, {@link io.buildgpt.cells.Linear},
 * {@link io.buildgpt.cells.LayerNorm}, {@link io.buildgpt.cells.Dropout}), a few functions of
 * {@code torch.nn.functional} ({@link io.buildgpt.cells.F}), token ids as ND4J tensors
 * ({@link io.buildgpt.cells.Ids}), and {@link io.buildgpt.cells.CellModel}, the base class that turns a
 * cell's {@code forward} into a {@link io.buildgpt.model.LanguageModel} for the module's
 * {@code Trainer} and {@code AdamW}.
 *
 * <p>How it works, in one paragraph: a cell model declares its layers as fields, like an
 * {@code nn.Module}; their weights are {@link io.buildgpt.cells.Param}s, named by the field path
 * exactly as PyTorch's {@code state_dict} keys ({@code token_embedding_table.weight},
 * {@code blocks.0.sa.heads.1.key.weight}). The values live in {@link io.buildgpt.model.Parameter}s
 * (plain {@code float[]}, updated by {@code AdamW}); for every batch shape {@code (B, T)} and mode
 * (training or not) the model builds one SameDiff graph by calling the cell's {@code forward}, copies
 * the current weights into it before each run, and copies SameDiff's gradients back. Graphs are
 * static, so every shape is known while the cell's {@code forward} builds it ({@link io.buildgpt.cells.F#shape}).
 *
 * <p>Measured limits of SameDiff 1.0.0-M2.1 that shape these classes: {@code sd.gather} does not train,
 * so {@link io.buildgpt.cells.Embedding} multiplies a one-hot matrix by the table; a rank-3 by rank-2
 * {@code mmul} fails, so {@link io.buildgpt.cells.Linear} reshapes to {@code (B*T, C)} first; SameDiff's
 * dropout ops fail in training, so {@link io.buildgpt.cells.Dropout} multiplies by a mask fed as a
 * placeholder, drawn by the project's generator.
 */
package io.buildgpt.cells;
