"""Prints what PyTorch computes for the lecture's GPT (lecture_gpt.py) at a small size with weights set by a
formula both sides can compute (no weight file): the loss and, per parameter in named_parameters() order,
the gradient's sum of squares and its dot product with a fixed pattern. The Java side (LectureGptCellTest)
writes the same model on io.buildgpt.tensor, sets the same weights by the same names, and compares.

    python3 src/bench/tensor_gpt_fixture.py > src/test/resources/tensor_gpt_fixture.json
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lecture_gpt import GPTLanguageModel  # noqa: E402

V, BLOCK, C, HEADS, LAYERS, B, T = 65, 8, 16, 4, 2, 3, 8


def pattern(j, n, scale):
    """Parameter j's values: scale * sin(0.7 i + 1.3 j), computed in double then rounded to float32."""
    return torch.tensor([scale * math.sin(0.7 * i + 1.3 * j) for i in range(n)], dtype=torch.float64).float()


model = GPTLanguageModel(V, BLOCK, C, HEADS, LAYERS, dropout=0.0)
with torch.no_grad():
    for j, (name, p) in enumerate(model.named_parameters()):
        p.copy_(pattern(j, p.numel(), 0.2).view(p.shape) + (1.0 if name.endswith("ln1.weight") or name.endswith("ln2.weight") or name == "ln_f.weight" else 0.0))
x = torch.tensor([[(7 * (b * T + t) + 3) % V for t in range(T)] for b in range(B)])
y = torch.tensor([[(5 * (b * T + t) + 1) % V for t in range(T)] for b in range(B)])
logits, loss = model(x, y)
loss.backward()
params = []
for j, (name, p) in enumerate(model.named_parameters()):
    g = p.grad.double().flatten()
    params.append({"name": name, "shape": list(p.shape), "sumsq": float((g * g).sum()),
                   "dot": float((g * pattern(j + 100, g.numel(), 1.0).double()).sum())})
print(json.dumps({"torch": torch.__version__, "config": {"V": V, "block": BLOCK, "C": C, "heads": HEADS, "layers": LAYERS, "B": B, "T": T},
                  "loss": loss.item(), "logits00": logits[0, 0].tolist(), "params": params}))
