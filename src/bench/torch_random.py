"""Prints the PyTorch values that TorchGeneratorTest and TorchInitTest pin (PyTorch 2.x, CPU).

Usage: python3 src/bench/torch_random.py
Each line is `name: values`; the float values are printed with 9 significant digits, which is
enough to tell float32 values apart, so a test can compare them exactly after parsing to float.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def show(name, t):
    vals = t.flatten().tolist()
    if t.dtype.is_floating_point:
        print(f"{name}: " + ", ".join(f"{v:.9g}f" for v in vals))
    else:
        print(f"{name}: " + ", ".join(f"{v}L" for v in vals))


torch.manual_seed(1337)
show("randint 1003846 seed 1337", torch.randint(1003846, (4,)))
torch.manual_seed(7)
show("randint 2^40 seed 7", torch.randint(2 ** 40, (3,)))
torch.manual_seed(7)
show("randint 65 seed 7", torch.randint(65, (5,)))
torch.manual_seed(5)
show("rand 6 seed 5", torch.rand(6))
torch.manual_seed(5)
show("uniform -0.3 0.7 seed 5", torch.empty(6).uniform_(-0.3, 0.7))
torch.manual_seed(9)
show("randn 15 seed 9", torch.randn(15))          # scalar path, pairs cached in the generator
torch.manual_seed(9)
a, b = torch.randn(1), torch.randn(3)
show("randn 1 then 3 seed 9", torch.cat([a, b]))  # the cached second value crosses calls
torch.manual_seed(42)
show("randn 16 seed 42", torch.randn(16))          # one block of 16
torch.manual_seed(1337)
t = torch.randn(37)                                # two blocks, then the last 16 redrawn
show("randn 37 seed 1337 first 3", t[:3])
show("randn 37 seed 1337 last 8", t[-8:])
print(f"randn 37 seed 1337 sum: {t.double().sum().item():.9g}")
torch.manual_seed(3)
t = torch.empty(5000).normal_(1.5, 3.0)
show("normal 1.5 3 n5000 seed 3 at 0 1 4999", t[[0, 1, 4999]])
print(f"normal 1.5 3 n5000 seed 3 sum: {t.double().sum().item():.9g}")
torch.manual_seed(11)
show("exponential 5 seed 11", torch.empty(5).exponential_())
torch.manual_seed(1337)
probs = F.softmax(torch.randn(65), dim=-1)
torch.manual_seed(2024)
show("multinomial 65-way seed 2024 x8", torch.stack([torch.multinomial(probs, 1) for _ in range(8)]))
torch.manual_seed(3)
show("dropout 0.2 ones 24 seed 3", F.dropout(torch.ones(24), 0.2, training=True))
torch.manual_seed(42)
show("Embedding(3,2) seed 42", nn.Embedding(3, 2).weight.detach())
torch.manual_seed(1337)
lin = nn.Linear(5, 3)
show("Linear(5,3) weight seed 1337", lin.weight.detach())
show("Linear(5,3) bias seed 1337", lin.bias.detach())
torch.manual_seed(0)
lin = nn.Linear(64, 256)
print(f"Linear(64,256) seed 0 weight sum: {lin.weight.detach().double().sum().item():.9g}")
show("Linear(64,256) seed 0 weight at 0 16383 bias at 255", torch.cat([lin.weight.detach().flatten()[[0, 16383]], lin.bias.detach()[[255]]]))


# The lecture's final gpt.py model (dropout layers included: they draw nothing at construction),
# built after torch.manual_seed(1337) with vocab 65, block 32, n_embd 64, 4 heads, 4 layers.
class Head(nn.Module):
    def __init__(self, n_embd, head_size, block_size, dropout):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
        self.dropout = nn.Dropout(dropout)


class MultiHeadAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.heads = nn.ModuleList([Head(n_embd, n_embd // n_head, block_size, dropout) for _ in range(n_head)])
        self.proj = nn.Linear(n_embd, n_embd)
        self.dropout = nn.Dropout(dropout)


class FeedForward(nn.Module):
    def __init__(self, n_embd, dropout):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.sa = MultiHeadAttention(n_embd, n_head, block_size, dropout)
        self.ffwd = FeedForward(n_embd, dropout)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)


class GPTLanguageModel(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd, n_head, n_layer, dropout):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)


torch.manual_seed(1337)
gpt = GPTLanguageModel(65, 32, 64, 4, 4, 0.0)
for name, p in gpt.state_dict().items():
    if name.endswith("tril"):
        continue
    flat = p.flatten()
    print(f"gpt {name} {list(p.shape)} first {flat[0].item():.9g}f last {flat[-1].item():.9g}f sum {p.double().sum().item():.9g}")
show("gpt next randint 1000 after init", torch.randint(1000, (3,)))
torch.manual_seed(7)
show("randperm 10 seed 7", torch.randperm(10))
torch.manual_seed(1337)
show("randperm 25 seed 1337", torch.randperm(25))
