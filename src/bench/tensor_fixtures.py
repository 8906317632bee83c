"""Prints the PyTorch values that io.buildgpt.tensor's tests pin: for each op, its inputs, the output, and the
gradients of sum(out * w) for a random w; a few AdamW steps; and str() of some tensors.

    python3 src/bench/tensor_fixtures.py > src/test/resources/tensor_fixtures.json

Each case's name is the key the Java test (TensorOpsTorchTest) maps to the same computation on its side.
"""
import json
import math
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
cases = {}


def flat(t):
    """Values as JSON numbers; -inf, inf and nan (not JSON) as strings."""
    return [v if math.isfinite(v) else str(v) for v in t.detach().double().flatten().tolist()]


def case(name, fn, *inputs):
    """inputs: float tensors (gradients checked) or int64 tensors (ids)."""
    ins = [t.clone().requires_grad_(t.dtype == torch.float32) for t in inputs]
    out = fn(*ins)
    w = torch.randn(out.shape)
    (out * w).sum().backward()
    cases[name] = {
        "inputs": [{"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": flat(t)} for t in inputs],
        "w": flat(w),
        "out": {"shape": list(out.shape), "data": flat(out)},
        "grads": [flat(t.grad) if t.grad is not None else None for t in ins],
    }


r = torch.randn
pos = lambda *s: torch.rand(*s) + 0.5
case("add_broadcast", lambda a, b: a + b, r(2, 3, 4), r(3, 1))
case("sub_broadcast", lambda a, b: a - b, r(4, 3), r(3))
case("mul_broadcast", lambda a, b: a * b, r(2, 1, 4), r(3, 1))
case("div_broadcast", lambda a, b: a / b, r(3, 4), pos(4))
case("scalar_ops", lambda a: (a * 0.5 + 1.0) / 3.0 - 2.0, r(3, 4))
case("pow2", lambda a: a ** 2, r(3, 4))
case("exp", torch.exp, r(3, 4))
case("log", torch.log, pos(3, 4))
case("tanh", torch.tanh, r(3, 4))
case("relu", torch.relu, r(3, 4))
case("sqrt", torch.sqrt, pos(3, 4))
case("matmul_2d", lambda a, b: a @ b, r(3, 4), r(4, 5))
case("matmul_batched_2d", lambda a, b: a @ b, r(2, 3, 4), r(4, 5))
case("matmul_batched", lambda a, b: a @ b, r(2, 2, 3, 4), r(2, 2, 4, 3))
case("matmul_broadcast_left", lambda a, b: a @ b, r(3, 3), r(2, 3, 4))
case("matmul_broadcast_batch", lambda a, b: a @ b, r(2, 1, 3, 4), r(3, 4, 2))
case("matmul_transposed", lambda q, k: q @ k.transpose(-2, -1), r(2, 3, 4), r(2, 3, 4))
case("matmul_vec_mat", lambda a, b: a @ b, r(4), r(4, 3))
case("matmul_mat_vec", lambda a, b: a @ b, r(3, 4), r(4))
case("linear_weight_t", lambda x, w, b: x @ w.T + b, r(2, 3, 4), r(5, 4), r(5))
case("transpose_slice", lambda x: x.transpose(0, 2)[1:, :, -2] * 2.0, r(3, 4, 5))
case("select_last", lambda x: x[:, -1, :], r(2, 5, 3))
case("slice_tail", lambda x: x[:, -3:], r(2, 5, 3))
case("reshape_noncontiguous", lambda x: x.transpose(1, 2).reshape(6, 4), r(2, 3, 4))
case("view", lambda x: x.view(4, -1), r(2, 3, 4))
case("cat_dim1", lambda a, b: torch.cat((a, b), dim=1), r(2, 3), r(2, 2))
case("stack_dim0", lambda a, b: torch.stack((a, b), dim=0), r(2, 3), r(2, 3))
case("sum_all", lambda x: x.sum(), r(3, 4))
case("sum_dim_keepdim", lambda x: x.sum(1, keepdim=True), r(2, 3, 4))
case("mean_dim", lambda x: x.mean(-1), r(2, 3, 4))
case("mean_all", lambda x: x.mean(), r(3, 4))
case("var_dim", lambda x: x.var(1, keepdim=True), r(3, 5))
case("var_all", lambda x: x.var(), r(3, 5))
case("var_biased", lambda x: x.var(-1, unbiased=False, keepdim=True), r(3, 5))
case("max_dim", lambda x: x.max(1, keepdim=True).values, r(3, 5))
case("softmax_last", lambda x: F.softmax(x, dim=-1), r(2, 3, 4))
case("softmax_dim0", lambda x: F.softmax(x, dim=0), r(3, 4))
tril = torch.tril(torch.ones(4, 4))
case("masked_softmax", lambda x: F.softmax(x.masked_fill(tril == 0, float("-inf")), dim=-1), r(2, 4, 4))
case("cross_entropy", lambda x, t: F.cross_entropy(x, t), r(6, 5), torch.tensor([0, 4, 2, 2, 1, 3]))
case("embedding", lambda w, ids: w[ids], r(5, 3), torch.tensor([[0, 4, 1, 4], [2, 2, 3, 0]]))
case("layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b, 1e-5), r(2, 3, 4), r(4), r(4))
case("attention", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), r(2, 2, 4, 3), r(2, 2, 4, 3), r(2, 2, 4, 3))

x = r(4, 6)
xd = x.clone().requires_grad_(True)
torch.manual_seed(7)
out = F.dropout(xd, 0.25, training=True)
w = torch.randn(out.shape)
(out * w).sum().backward()
cases["dropout_seed7"] = {"inputs": [{"shape": [4, 6], "dtype": "float32", "data": flat(x)}], "w": flat(w),
                          "out": {"shape": [4, 6], "data": flat(out)}, "grads": [flat(xd.grad)]}

# AdamW: three steps with given gradients, PyTorch defaults and lr 1e-2 with weight decay 0.1
adam = {}
for name, kw in [("defaults", {}), ("lr1e-2_wd0.1", {"lr": 1e-2, "weight_decay": 0.1})]:
    torch.manual_seed(5)
    p = torch.randn(3, 4).requires_grad_(True)
    start = flat(p)
    opt = torch.optim.AdamW([p], **kw)
    grads = []
    for _ in range(3):
        g = torch.randn(3, 4)
        grads.append(flat(g))
        p.grad = g
        opt.step()
    adam[name] = {"start": start, "grads": grads, "after": flat(p), "kw": kw}

# printing: (shape, dtype, data, requires_grad) -> str(tensor)
prints = []


def pr(t, requires_grad=False):
    t = t.detach().clone()
    if requires_grad:
        t.requires_grad_(True)
    prints.append({"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": flat(t),
                   "requires_grad": requires_grad, "str": str(t)})


torch.manual_seed(1337)
pr(torch.tril(torch.ones(3, 3)))
pr(torch.randn(2, 3))
pr(torch.randn(4, 8, 2))
pr(torch.tril(torch.ones(4, 4)).masked_fill(torch.tril(torch.ones(4, 4)) == 0, float("-inf")))
w8 = torch.tril(torch.ones(8, 8)).masked_fill(torch.tril(torch.ones(8, 8)) == 0, float("-inf"))
pr(F.softmax(w8, dim=-1))
pr(torch.arange(10))
pr(torch.tensor([[24, 43, 58, 5, 57, 1, 46, 43], [44, 53, 56, 1, 58, 46, 39, 58]]))
pr(torch.randn(20))
pr(torch.tensor([1e-5, 1.0, 250.0]))
pr(torch.tensor([0.5, -1.25, 3.0]), requires_grad=True)
pr(torch.tensor(4.87863493))
pr(torch.randn(3, 30))
pr(torch.randn(40, 40))
pr(torch.tensor([]))
pr(torch.randn(2, 8), requires_grad=True)
pr(torch.randn(2, 5), requires_grad=True)
pr(torch.tensor([[1.5, -2.0], [1e9, 3.0]]))

json.dump({"torch": torch.__version__, "cases": cases, "adamw": adam, "prints": prints}, __import__("sys").stdout)
