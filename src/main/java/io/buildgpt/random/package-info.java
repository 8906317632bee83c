/**
 * Random numbers with PyTorch's semantics: {@link io.buildgpt.random.TorchGenerator} reproduces the
 * CPU generator behind {@code torch.manual_seed} (a 32-bit Mersenne Twister) and the draws the
 * lecture uses ({@code randint}, {@code rand}, {@code randn}, {@code multinomial}, dropout masks);
 * {@link io.buildgpt.random.TorchInit} reproduces the initialisers of {@code nn.Embedding},
 * {@code nn.Linear} and the lecture's {@code _init_weights}, in PyTorch's order of draws. One seed
 * then gives the same numbers here as in the lecture's PyTorch code.
 */
package io.buildgpt.random;
