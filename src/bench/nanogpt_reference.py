"""nanoGPT-style PyTorch reference for src/bench/compare.sh: the lecture's GPT written the way nanoGPT
writes it (one fused c_attn projection, all heads batched as (B, nh, T, hs), F.scaled_dot_product_attention
with is_causal=True), same parameter count and initialisation rules as reference.py's lecture-style model.
PyTorch is only a yardstick here, never part of the product.

Usage: python3 nanogpt_reference.py <gpt-small|gpt-lecture> <corpus.txt> [--threads N] [--steps N] [--warmup N]
  gpt-small    the small GPT (64/4/4, block 32, batch 16, lr 1e-3, dropout 0), reference.py's training loop
               with its evaluations; RESULT workload=gpt-small-nanogpt
  gpt-lecture  the lecture's full GPT (384/6/6, block 256, batch 64, lr 3e-4, dropout 0.2): --warmup steps,
               then --steps timed steps, no evaluation; RESULT workload=gpt-lecture
Imports reference.py (data and training loop) and lecture_gpt.py (the training step); neither imports
anything from here.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

from lecture_gpt import train_step
from reference import lecture_data, rss_mb, train_loop


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)  # q, k, v of all heads in one product
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.dropout = dropout
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)                                   # (B,T,C) each
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)              # (B,nh,T,hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)  # (B,nh,T,hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)                            # (B,T,C)
        return self.resid_dropout(self.c_proj(y))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd, n_head, n_layer, dropout):
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(T))                               # (B,T,C)
        logits = self.lm_head(self.ln_f(self.blocks(x)))                             # (B,T,V)
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


def gpt_small(text, max_iters):
    torch.manual_seed(1337)
    vocab, get_batch = lecture_data(text, 32, 16)
    model = GPT(vocab, 32, 64, 4, 4, 0.0)
    print(f"{sum(p.numel() for p in model.parameters())} parameters (nanoGPT style)", flush=True)
    train_loop(model, get_batch, 1e-3, max_iters, 500, 200, "gpt-small-nanogpt")


def gpt_lecture(text, warmup, steps):
    """The lecture's full configuration; timed training steps only (an evaluation would take minutes on a CPU)."""
    torch.manual_seed(1337)
    vocab, get_batch = lecture_data(text, 256, 64)
    model = GPT(vocab, 256, 384, 6, 6, 0.2)
    print(f"{sum(p.numel() for p in model.parameters())} parameters (nanoGPT style)", flush=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    times = []
    for it in range(warmup + steps):
        t0 = time.perf_counter()
        loss = train_step(model, optimizer, *get_batch("train"))
        dt = time.perf_counter() - t0
        print(f"step {it}: loss {loss.item():.4f}, {dt * 1000:.0f} ms{' (warm-up)' if it < warmup else ''}, rss {rss_mb()} MB", flush=True)
        if it >= warmup:
            times.append(dt)
    print(f"RESULT framework=torch-nanogpt workload=gpt-lecture ms_per_step={statistics.mean(times) * 1000:.1f} "
          f"median_ms={statistics.median(times) * 1000:.1f} steps={steps} loss={loss.item():.4f} rss_end_mb={rss_mb()}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["gpt-small", "gpt-lecture"])
    ap.add_argument("corpus")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=None, help="gpt-small: training steps (5000); gpt-lecture: timed steps (5)")
    ap.add_argument("--warmup", type=int, default=2, help="gpt-lecture: untimed steps first")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    if args.workload == "gpt-small":
        gpt_small(text, args.steps or 5000)
    else:
        gpt_lecture(text, args.warmup, args.steps or 5)


if __name__ == "__main__":
    main()
