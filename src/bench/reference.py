"""PyTorch reference for src/bench/compare.sh: the same workloads as the Java side (Bench.java),
written the way the lecture writes them. PyTorch is only a yardstick here, never part of the product.

Usage: python3 reference.py <workload> <corpus.txt> [--threads N]
Prints progress lines and one RESULT line that compare.sh parses.
"""
import argparse
import time

import torch
import torch.nn as nn
from torch.nn import functional as F


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
        return F.cross_entropy(logits.view(B * T, C), targets.view(B * T))


def bigram(text):
    batch_size, block_size, max_iters, eval_interval, eval_iters, lr = 32, 8, 3000, 300, 200, 1e-2
    torch.manual_seed(1337)
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    splits = {"train": data[:n], "val": data[n:]}

    def get_batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - block_size, (batch_size,))
        x = torch.stack([d[i:i + block_size] for i in ix])
        y = torch.stack([d[i + 1:i + block_size + 1] for i in ix])
        return x, y

    model = BigramLanguageModel(len(chars))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)

    @torch.no_grad()
    def estimate_loss():
        model.eval()
        out = {}
        for split in ("train", "val"):
            out[split] = sum(model(*get_batch(split)).item() for _ in range(eval_iters)) / eval_iters
        model.train()
        return out

    init = estimate_loss()
    rss = [0, 0]
    step_time = 0.0
    start = time.perf_counter()
    for it in range(max_iters):
        if it % eval_interval == 0 or it == max_iters - 1:
            losses = estimate_loss()
            rss[0 if it == 0 else 1] = rss_mb()
            print(f"step {it:4d}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}, rss {rss_mb()} MB", flush=True)
        t0 = time.perf_counter()
        xb, yb = get_batch("train")
        loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step_time += time.perf_counter() - t0
    total = time.perf_counter() - start
    print(f"RESULT framework=torch workload=bigram ms_per_step={step_time / max_iters * 1000:.4f} total_s={total:.2f} "
          f"init_val={init['val']:.4f} train={losses['train']:.4f} val={losses['val']:.4f} "
          f"rss_start_mb={rss[0]} rss_end_mb={rss[1]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["bigram"])
    ap.add_argument("corpus")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    {"bigram": bigram}[args.workload](text)


if __name__ == "__main__":
    main()
