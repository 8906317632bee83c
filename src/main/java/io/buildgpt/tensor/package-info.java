/**
 * The project's {@code torch}: an eager n-dimensional {@link io.buildgpt.tensor.Tensor} (float32 and int64,
 * row-major with strides, PyTorch's broadcasting) with reverse-mode autograd, so that a notebook cell can write
 * the lecture's code line for line: print any tensor, call {@code loss.backward()}, and own its training loop.
 *
 * <p>How it is built: each op computes its output and records, through {@code Autograd}, a closure that turns
 * the output's gradient into its inputs' gradients (micrograd's design); the closure sits next to the forward
 * in the op's class ({@code Elementwise}, {@code Reductions}, {@code Views}, {@code MatmulOp}, {@code NnOps},
 * {@code Attention}). The arithmetic goes through one small internal interface, {@code Backend} (elementwise,
 * reductions, softmax rows, batched {@code gemm}); its only implementation, {@code CpuBackend}, runs loops on
 * heap {@code float[]} and the engine's OpenBLAS products, so a GPU backend could be added behind it.
 * {@link io.buildgpt.tensor.F} holds {@code torch.nn.functional}: the fused cross-entropy, layer norm and causal
 * attention, each beside its readable composition, checked equal by the tests.
 *
 * <p>Random draws ({@code randn}, {@code randint}, {@code multinomial}, dropout, layer initialisation) come from
 * {@link io.buildgpt.random.TorchGenerator}, so one seed gives PyTorch's numbers.
 */
package io.buildgpt.tensor;
