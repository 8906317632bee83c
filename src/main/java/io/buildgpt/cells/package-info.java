/**
 * What a model written in a notebook cell needs that is not the lecture's subject: PyTorch's
 * {@code nn} building blocks on SameDiff ({@link io.buildgpt.cells.Embedding}, {@link io.buildgpt.cells.Linear},
 * {@link io.buildgpt.cells.LayerNorm}, {@link io.buildgpt.cells.Dropout}), a few functions of
 * {@code torch.nn.functional} ({@link io.buildgpt.cells.F}), token ids as ND4J tensors
 * ({@link io.buildgpt.cells.Ids}), and {@link io.buildgpt.cells.CellModel}, the base class that turns a
 * cell's {@code forward} into a {@link io.buildgpt.engine.LanguageModel} for the module's
 * {@code Trainer} and {@code AdamW}.
 *
 * <p>How it works, in one paragraph: a cell model declares its layers as fields, like an
 * {@code nn.Module}; their weights are {@link io.buildgpt.cells.Param}s, named by the field path
 * exactly as PyTorch's {@code state_dict} keys ({@code token_embedding_table.weight},
 * {@code blocks.0.sa.heads.1.key.weight}). The values live in {@link io.buildgpt.engine.Parameter}s
 * (plain {@code float[]}, updated by {@code AdamW}); for every batch shape {@code (B, T)} and mode
 * (training or not) the model builds one SameDiff graph by calling the cell's {@code forward}, copies
 * the current weights into it before each run, and copies SameDiff's gradients back. Graphs are
 * static, so every shape is known while the cell's {@code forward} builds it ({@link io.buildgpt.cells.F#shape}).
 *
 * <p>A layer in a cell, e.g. the lecture's {@code Head}, reads like its PyTorch original:
 * <pre>{@code
 * class Head extends Module {
 *     final Linear key, query, value;
 *     final INDArray tril;                                   // a buffer, not a parameter
 *     Head(TorchGenerator g, int nEmbd, int headSize, int blockSize) {
 *         key = new Linear(g, nEmbd, headSize, false);
 *         query = new Linear(g, nEmbd, headSize, false);
 *         value = new Linear(g, nEmbd, headSize, false);
 *         tril = F.tril(blockSize);
 *     }
 *     SDVariable forward(SDVariable x) {
 *         long[] s = F.shape(x); int T = (int) s[1];           // B, T, C = x.shape
 *         SDVariable k = key.forward(x), q = query.forward(x); // (B,T,hs)
 *         SDVariable wei = x.getSameDiff().mmul(q, k, false, true, false).mul(Math.pow(F.shape(k)[2], -0.5));
 *         wei = F.maskedFill(wei, tril.get(interval(0, T), interval(0, T)).eq(0), Double.NEGATIVE_INFINITY);
 *         return x.getSameDiff().mmul(F.softmax(wei, -1), value.forward(x)); // (B,T,hs)
 *     }
 * }
 * }</pre>
 * A model extends {@link io.buildgpt.cells.CellModel} and returns {@code new Forward(logits, loss)};
 * its {@code parameters()} carry the {@code state_dict} names in registration order, so
 * {@code LectureInit.fill(model.parameters(), g, true)} gives it the final {@code gpt.py}'s
 * initialisation and {@link io.buildgpt.cells.CellModel#copyWeightsFrom} takes the engine's weights.
 *
 * <p>Measured limits of SameDiff 1.0.0-M2.1 that shape these classes: {@code sd.gather} does not train,
 * so {@link io.buildgpt.cells.Embedding} multiplies a one-hot matrix by the table; a rank-3 by rank-2
 * {@code mmul} fails, so {@link io.buildgpt.cells.Linear} reshapes to {@code (B*T, C)} first; SameDiff's
 * dropout ops fail in training, so {@link io.buildgpt.cells.Dropout} multiplies by a mask fed as a
 * placeholder, drawn by the project's generator.
 */
package io.buildgpt.cells;
