/**
 * {@code torch.nn} on the tensor library: {@link io.buildgpt.nn.Module} (parameters found from its fields, named
 * as PyTorch's {@code state_dict} keys; {@code train()}/{@code eval()}), and the layers the lecture uses:
 * {@link io.buildgpt.nn.Linear}, {@link io.buildgpt.nn.Embedding}, {@link io.buildgpt.nn.LayerNorm},
 * {@link io.buildgpt.nn.Dropout}, {@link io.buildgpt.nn.ReLU}, {@link io.buildgpt.nn.Sequential} and
 * {@link io.buildgpt.nn.ModuleList}. Layers draw their initial weights from the default generator in
 * PyTorch's order, so {@code Tensor.manualSeed(s)} then the same constructors give PyTorch's weights.
 */
package io.buildgpt.nn;
