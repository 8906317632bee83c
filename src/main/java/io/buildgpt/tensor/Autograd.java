package io.buildgpt.tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation, micrograd's way: each op that takes a tensor needing a gradient
 * records a {@link Node} on its output with its inputs and a closure that, given the output's gradient,
 * adds each input's gradient. {@link #backward} visits the graph in reverse topological order.
 */
final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {}

    /** The chain rule's step for one op: from the gradient of its output, add into its inputs' gradients. */
    interface Backward {
        void apply(Tensor gradOut);
    }

    /** How an output was made: PyTorch's {@code grad_fn}. */
    record Node(String name, Tensor[] inputs, Backward backward) {}

    static boolean enabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    static void enter() {
        NO_GRAD_DEPTH.get()[0]++;
    }

    static void exit() {
        NO_GRAD_DEPTH.get()[0]--;
    }

    /** Makes {@code out} remember how it was made, if gradients are on and some input needs one; returns {@code out}. */
    static Tensor record(Tensor out, String name, Backward backward, Tensor... inputs) {
        if (!enabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.requiresGrad = true;
                out.gradFn = new Node(name, inputs, backward);
                return out;
            }
        }
        return out;
    }

    /** {@code root.backward()}: seeds d(root)/d(root) = 1 and runs each node's backward once, outputs before inputs. */
    static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad) {
            throw new IllegalStateException("element 0 of tensors does not require grad and does not have a grad_fn:"
                    + " call requiresGrad_() on the leaves first, and do not compute the loss inside a no-grad scope");
        }
        List<Tensor> order = new ArrayList<>();
        topo(root, new IdentityHashMap<>(), order);
        try (var g = Tensor.noGrad()) {            // the backward passes build no graph of their own
            root.accumulateGrad(seed);
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                if (t.gradFn == null || t.grad == null) continue;
                Tensor gradOut = t.grad;
                t.grad = null;                         // non-leaf gradients are not kept, as in PyTorch
                t.gradFn.backward().apply(gradOut);
            }
        }
    }

    /** Depth-first post-order without recursion limits on deep graphs: an explicit stack. */
    private static void topo(Tensor root, Map<Tensor, Boolean> seen, List<Tensor> order) {
        List<Object[]> stack = new ArrayList<>();
        stack.add(new Object[]{root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.get(stack.size() - 1);
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] ins = t.gradFn == null ? new Tensor[0] : t.gradFn.inputs();
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad && seen.put(in, true) == null) stack.add(new Object[]{in, 0});
            } else {
                order.add(t);
                stack.remove(stack.size() - 1);
            }
        }
    }

    /** The gradient of a broadcast input: {@code grad} summed over the dims {@code shape} was broadcast along. */
    static Tensor sumTo(Tensor grad, int[] shape) {
        if (java.util.Arrays.equals(grad.shape, shape)) return grad;
        Tensor g = grad;
        int lead = g.shape.length - shape.length;
        for (int i = 0; i < lead; i++) g = g.sum(0, false);
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1 && g.shape[d] != 1) g = g.sum(d, true);
        }
        return g;
    }
}
