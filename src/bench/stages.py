"""PyTorch reference for notebook 07 (building the GPT step by step): the lecture's model after each
addition, trained with the lecture's small settings (batch 32, block 8, n_embd 32, 4 heads, 3 blocks,
AdamW lr 1e-3), every stage for the same number of steps. PyTorch is a yardstick here, never part of
the product.

Usage: python3 stages.py <tinyshakespeare.txt> [--steps 5000] [--eval-interval 500] [--eval-iters 200]
                         [--threads 1] [--csv out.csv] [--stages blocks,residual] [--float64]
Seeds as the notebook: torch.manual_seed(1337) before each stage's model is built (so its initial
weights are PyTorch's defaults in construction order), batches from their own generator seeded 1337
(the notebook's BatchSampler), dropout from the global generator. Prints one line per evaluation and
one RESULT line per stage; --csv writes stage,steps,eval_interval,eval_iters,params,train,val.
"""
import argparse
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

from lecture_gpt import Head, estimate_loss, lecture_splits, make_get_batch, train_step

N_EMBD, N_HEAD, N_LAYER, BLOCK, BATCH, LR, SEED = 32, 4, 3, 8, 32, 1e-3, 1337


class MultiHeadAttention(nn.Module):
    def __init__(self, num_heads, head_size, proj, dropout):
        super().__init__()
        self.heads = nn.ModuleList([Head(N_EMBD, head_size, BLOCK, dropout) for _ in range(num_heads)])
        self.proj = nn.Linear(N_EMBD, N_EMBD) if proj else None
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = torch.cat([h(x) for h in self.heads], dim=-1)            # (B,T,C)
        return out if self.proj is None else self.dropout(self.proj(out))


class FeedForward(nn.Module):
    def __init__(self, wide, dropout):
        super().__init__()
        if wide:  # 01:26:48: 4x inner width and a projection back into the residual stream
            self.net = nn.Sequential(nn.Linear(N_EMBD, 4 * N_EMBD), nn.ReLU(), nn.Linear(4 * N_EMBD, N_EMBD), nn.Dropout(dropout))
        else:     # 01:24:25: one linear layer and a ReLU
            self.net = nn.Sequential(nn.Linear(N_EMBD, N_EMBD), nn.ReLU())

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    def __init__(self, residual, layernorm, dropout):
        super().__init__()
        self.residual, self.layernorm = residual, layernorm
        self.sa = MultiHeadAttention(N_HEAD, N_EMBD // N_HEAD, residual, dropout)
        self.ffwd = FeedForward(residual, dropout)
        if layernorm:
            self.ln1, self.ln2 = nn.LayerNorm(N_EMBD), nn.LayerNorm(N_EMBD)

    def forward(self, x):
        if self.layernorm:
            x = x + self.sa(self.ln1(x))
            return x + self.ffwd(self.ln2(x))
        if self.residual:
            x = x + self.sa(x)
            return x + self.ffwd(x)
        return self.ffwd(self.sa(x))


class Model(nn.Module):
    """The lecture's BigramLanguageModel as it grows; built in the order the lecture's __init__ builds it."""

    def __init__(self, vocab_size, stage):
        super().__init__()
        self.stage = stage
        self.token_embedding_table = nn.Embedding(vocab_size, N_EMBD)
        self.position_embedding_table = nn.Embedding(BLOCK, N_EMBD)
        if stage == 'one head':
            self.sa_head = Head(N_EMBD, N_EMBD, BLOCK, 0.0)
        elif stage in ('multi-head', 'feed-forward'):
            self.sa_heads = MultiHeadAttention(N_HEAD, N_EMBD // N_HEAD, False, 0.0)
            if stage == 'feed-forward':
                self.ffwd = FeedForward(False, 0.0)
        elif stage != 'embeddings':
            residual = stage != 'blocks'
            layernorm = stage in ('layernorm', 'dropout')
            dropout = 0.2 if stage == 'dropout' else 0.0
            self.blocks = nn.Sequential(*[Block(residual, layernorm, dropout) for _ in range(N_LAYER)])
            if layernorm:
                self.ln_f = nn.LayerNorm(N_EMBD)
        self.lm_head = nn.Linear(N_EMBD, vocab_size)

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.token_embedding_table(idx) + self.position_embedding_table(torch.arange(T))  # (B,T,C)
        if hasattr(self, 'sa_head'):
            x = self.sa_head(x)
        if hasattr(self, 'sa_heads'):
            x = self.sa_heads(x)
        if hasattr(self, 'ffwd'):
            x = self.ffwd(x)
        if hasattr(self, 'blocks'):
            x = self.blocks(x)
        if hasattr(self, 'ln_f'):
            x = self.ln_f(x)
        logits = self.lm_head(x)                                                             # (B,T,V)
        return logits, F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


STAGES = ['embeddings', 'one head', 'multi-head', 'feed-forward', 'blocks', 'residual', 'layernorm', 'dropout']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('corpus')
    ap.add_argument('--steps', type=int, default=5000)
    ap.add_argument('--eval-interval', type=int, default=500)
    ap.add_argument('--eval-iters', type=int, default=200)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--csv')
    ap.add_argument('--stages', help='comma-separated subset of the stages (default: all)')
    ap.add_argument('--float64', action='store_true',
                    help='train in float64 after the float32 initialisation (same weights, batches and masks '
                         'for the dropout-free stages): how far float32 rounding alone moves a stage\'s result')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    text = open(a.corpus, encoding='utf-8').read()
    chars, train_data, val_data = lecture_splits(text)
    rows = []
    for stage in (a.stages.split(',') if a.stages else STAGES):
        torch.manual_seed(SEED)
        model = Model(len(chars), stage)
        if a.float64:
            model = model.double()
        batches = torch.Generator().manual_seed(SEED)

        get_batch = make_get_batch(train_data, val_data, BLOCK, BATCH, batches)
        optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
        params = sum(p.numel() for p in model.parameters())
        t0 = time.perf_counter()
        for it in range(a.steps):
            if it % a.eval_interval == 0 or it == a.steps - 1:
                losses = estimate_loss(model, get_batch, a.eval_iters)
                print(f"{stage:>12} step {it:5d}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}", flush=True)
            train_step(model, optimizer, *get_batch('train'))
        print(f"RESULT {stage} params={params} train={losses['train']:.4f} val={losses['val']:.4f} "
              f"seconds={time.perf_counter() - t0:.1f}", flush=True)
        rows.append((stage, a.steps, a.eval_iters, params, losses['train'], losses['val']))
    if a.csv:
        with open(a.csv, 'w') as f:
            f.write('stage,steps,eval_interval,eval_iters,params,train,val\n')
            for r in rows:
                f.write(f'{r[0]},{r[1]},{a.eval_interval},{r[2]},{r[3]},{r[4]:.4f},{r[5]:.4f}\n')


if __name__ == '__main__':
    main()
