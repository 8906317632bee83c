"""PyTorch reference for src/bench/compare.sh: the same workloads as the Java side (Bench.java),
written the way the lecture writes them. PyTorch is only a yardstick here, never part of the product.

Usage: python3 reference.py <workload> <corpus.txt> [--threads N] [--steps N]
(lora reads target/bench-lora/, written by Bench.java's lora run just before.)
Prints progress lines and one RESULT line that compare.sh parses.
"""
import argparse
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

from lecture_gpt import (GPTLanguageModel,  # the lecture's final gpt.py model, with dropout 0 here
                         estimate_loss, lecture_splits, make_get_batch, train_step)


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


class BigramLanguageModel(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)

    def forward(self, idx, targets):
        logits = self.token_embedding_table(idx)  # (B,T,V)
        B, T, C = logits.shape
        return logits, F.cross_entropy(logits.view(B * T, C), targets.view(B * T))


def bigram(text, workload="bigram"):
    batch_size, block_size, max_iters, eval_interval, eval_iters, lr = 32, 8, 3000, 300, 200, 1e-2
    torch.manual_seed(1337)
    vocab_size, get_batch = lecture_data(text, block_size, batch_size)
    train_loop(BigramLanguageModel(vocab_size), get_batch, lr, max_iters, eval_interval, eval_iters, workload)


def lecture_data(text, block_size, batch_size):
    """The vocabulary size and the lecture's get_batch(split) (batches from torch's global generator)."""
    chars, train_data, val_data = lecture_splits(text)
    return len(chars), make_get_batch(train_data, val_data, block_size, batch_size)


def train_loop(model, get_batch, lr, max_iters, eval_interval, eval_iters, workload):
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    rss, step_time, start = [0, 0], 0.0, time.perf_counter()
    for it in range(max_iters):
        if it % eval_interval == 0 or it == max_iters - 1:
            losses = estimate_loss(model, get_batch, eval_iters)
            rss[0 if it == 0 else 1] = rss_mb()
            print(f"step {it:4d}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}, rss {rss_mb()} MB", flush=True)
        t0 = time.perf_counter()
        train_step(model, optimizer, *get_batch("train"))
        step_time += time.perf_counter() - t0
    total = time.perf_counter() - start
    print(f"RESULT framework=torch workload={workload} ms_per_step={step_time / max_iters * 1000:.4f} total_s={total:.2f} "
          f"train={losses['train']:.4f} val={losses['val']:.4f} rss_start_mb={rss[0]} rss_end_mb={rss[1]}", flush=True)


def gpt_small(text, max_iters=5000, new_tokens=500, workload="gpt-small"):
    """n_embd 64, n_head 4, n_layer 4, block 32, batch 16, AdamW lr 1e-3, dropout 0; then generation (none when
    new_tokens is 0: cells-gpt-small times the training only).
    The lecture's order of draws from one generator: manual_seed, the model's construction (defaults, then
    _init_weights), then every batch of evaluation and training in turn; Bench.java's gpt-small draws the same."""
    torch.manual_seed(1337)
    vocab, get_batch = lecture_data(text, 32, 16)
    model = GPTLanguageModel(vocab, 32, 64, 4, 4)
    print(f"{sum(p.numel() for p in model.parameters())} parameters", flush=True)
    train_loop(model, get_batch, 1e-3, max_iters, 500, 200, workload)
    if new_tokens == 0:
        return
    model.eval()
    context = torch.zeros((1, 1), dtype=torch.long)
    for _ in range(3):  # warm-up: the same run three times, untimed, as the Java side does
        model.generate(context, new_tokens)
    seconds = float("inf")
    for _ in range(3):  # the best of three timed runs, as the Java side does
        t0 = time.perf_counter()
        model.generate(context, new_tokens)
        seconds = min(seconds, time.perf_counter() - t0)
    print(f"RESULT framework=torch workload=generate tokens_per_s={new_tokens / seconds:.1f} new_tokens={new_tokens}")


class LoraGPT(nn.Module):
    """GPTLanguageModel with LoRA on query and value, as Java's Lora.enable (io.buildgpt.finetune): per block one
    A (r, C) and B (C, r) per role over all heads' weights stacked (head h owns rows h*hs..(h+1)*hs),
    y = x W^T + (alpha/r) x A^T B^T; every base weight frozen."""

    def __init__(self, base, n_layer, n_embd, rank, alpha):
        super().__init__()
        self.base, self.scale = base, alpha / rank
        self.A = nn.ParameterDict()
        self.B = nn.ParameterDict()
        for p in base.parameters():
            p.requires_grad_(False)
        for i in range(n_layer):
            for role in ("query", "value"):
                self.A[f"{i}_{role}"] = nn.Parameter(torch.zeros(rank, n_embd))
                self.B[f"{i}_{role}"] = nn.Parameter(torch.zeros(n_embd, rank))
        for i, block in enumerate(base.blocks):
            block.sa.forward = self._attention(block.sa, i)

    def _attention(self, sa, i):
        def forward(x):
            B_, T, C = x.shape
            hs = C // len(sa.heads)
            dq = self.scale * (x @ self.A[f"{i}_query"].T @ self.B[f"{i}_query"].T)  # (B,T,C)
            dv = self.scale * (x @ self.A[f"{i}_value"].T @ self.B[f"{i}_value"].T)
            outs = []
            for h, head in enumerate(sa.heads):
                k = head.key(x)
                q = head.query(x) + dq[..., h * hs:(h + 1) * hs]
                v = head.value(x) + dv[..., h * hs:(h + 1) * hs]
                wei = q @ k.transpose(-2, -1) * hs ** -0.5
                wei = F.softmax(wei.masked_fill(head.tril[:T, :T] == 0, float("-inf")), dim=-1)
                outs.append(wei @ v)
            return sa.proj(torch.cat(outs, dim=-1))
        return forward

    def forward(self, idx, targets=None):
        return self.base(idx, targets)


def lora(max_iters=400, rank=8, folder="target/bench-lora"):
    """Starts from the Java run's pretrained weights and fresh adapters (start.params) and trains the adapters
    on the same train bytes (train.bin) as Bench.java's lora workload, measuring on the same held-out bytes (val.bin)."""
    import os
    from gpt_parity import read_parameters
    torch.manual_seed(1337)
    params = read_parameters(os.path.join(folder, "start.params"))
    base = GPTLanguageModel(256, 32, 64, 4, 4)
    missing, unexpected = base.load_state_dict({k: v for k, v in params.items() if "lora_" not in k}, strict=False)
    assert not unexpected and all(k.endswith(".tril") for k in missing), (missing, unexpected)  # tril: a buffer, not a weight
    model = LoraGPT(base, 4, 64, rank, 2.0 * rank)
    for i in range(4):
        for role in ("query", "value"):
            model.A[f"{i}_{role}"].data.copy_(params[f"blocks.{i}.sa.{role}.lora_A"])
            model.B[f"{i}_{role}"].data.copy_(params[f"blocks.{i}.sa.{role}.lora_B"])
    splits = {s: torch.tensor(list(open(os.path.join(folder, s + ".bin"), "rb").read()), dtype=torch.long) for s in ("train", "val")}
    print(f"{sum(p.numel() for p in model.parameters() if p.requires_grad)} trainable parameters; "
          f"train {len(splits['train'])} bytes, val {len(splits['val'])} bytes", flush=True)

    get_batch = make_get_batch(splits["train"], splits["val"], 32, 16)

    class Trainable(nn.Module):  # train_loop's optimizer must see the adapters only
        def __init__(self, m):
            super().__init__()
            self.m = m

        def parameters(self, recurse=True):
            return [p for p in self.m.parameters() if p.requires_grad]

        def forward(self, idx, targets=None):
            return self.m(idx, targets)

    train_loop(Trainable(model), get_batch, 1e-2, max_iters, max(1, max_iters // 4), 200, "lora")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["bigram", "gpt-small", "generate", "lora", "cells-bigram", "cells-gpt-small"],
                    help="cells-*: the same runs, tagged for the tensor-library side (CellsBench.java); no generation")
    ap.add_argument("--steps", type=int, default=5000, help="gpt-small/generate: training steps (5000 is the benchmark)")
    ap.add_argument("corpus")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    if args.workload in ("bigram", "cells-bigram"):
        bigram(text, args.workload)
    elif args.workload == "cells-gpt-small":
        gpt_small(text, max_iters=args.steps, new_tokens=0, workload=args.workload)
    elif args.workload == "lora":
        lora(max_iters=args.steps)
    else:  # "generate" needs the trained small GPT, so both run the same script
        gpt_small(text, max_iters=args.steps)


if __name__ == "__main__":
    main()
