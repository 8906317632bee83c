"""PyTorch's side of io.buildgpt.nn.CellsSpeed: ms per training step of the bigram (B32 T8 V65, the lecture's
get_batch) and the lecture's GPT with separate heads (B16 T32, C64, 4 heads, 4 layers), second half of the run.

    python3 src/bench/cells_speed.py [steps] [threads]
"""
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lecture_gpt import GPTLanguageModel  # noqa: E402

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)


def timed(n, step):
    for s in range(n):
        if s == n // 2:
            start = time.perf_counter()
        step()
    return (time.perf_counter() - start) * 1e3 / (n - n // 2)


torch.manual_seed(1337)
V, B, T = 65, 32, 8
data = torch.randint(V, (1_000_000,))
table = nn.Embedding(V, V)
opt = torch.optim.AdamW(table.parameters(), lr=1e-2)


def bigram_step():
    ix = torch.randint(len(data) - T, (B,))
    x = torch.stack([data[i:i + T] for i in ix])
    y = torch.stack([data[i + 1:i + T + 1] for i in ix])
    loss = F.cross_entropy(table(x).view(B * T, V), y.view(B * T))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


print("bigram: %.3f ms/step" % timed(steps * 10, bigram_step))

torch.manual_seed(1337)
model = GPTLanguageModel(65, 32, 64, 4, 4, 0.0)
gopt = torch.optim.AdamW(model.parameters(), lr=1e-3)


def gpt_step():
    xb, yb = torch.randint(65, (16, 32)), torch.randint(65, (16, 32))  # a new batch each step, as training
    _, loss = model(xb, yb)
    gopt.zero_grad(set_to_none=True)
    loss.backward()
    gopt.step()


print("gpt B16 T32 C64 h4 L4: %.2f ms/step" % timed(steps, gpt_step))
