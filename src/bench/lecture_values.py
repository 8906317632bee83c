"""Prints what PyTorch prints for the lecture's notebook code and its bigram.py, so the Java
notebooks and their tests can show and assert the same numbers (same seed, same draws).

Usage: python3 src/bench/lecture_values.py <tinyshakespeare.txt>
Everything below is the lecture's code, in the lecture's order; only the printing is added, and its
get_batch and training step call the same lines in lecture_gpt.py (bigram.py's estimate_loss stays here:
its float32 mean differs in the last digits from the Python-float mean that the other scripts print).
"""
import sys

import torch
import torch.nn as nn
from torch.nn import functional as F

from lecture_gpt import get_batch_from, train_step

with open(sys.argv[1], "r", encoding="utf-8") as f:
    text = f.read()
chars = sorted(list(set(text)))
vocab_size = len(chars)
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for i, ch in enumerate(chars)}
encode = lambda s: [stoi[c] for c in s]
decode = lambda l: "".join([itos[i] for i in l])
data = torch.tensor(encode(text), dtype=torch.long)
n = int(0.9 * len(data))
train_data = data[:n]
val_data = data[n:]

# notebook: the data loader (00:13:44 onwards)
torch.manual_seed(1337)
batch_size = 4
block_size = 8


def get_batch(split):  # block_size and batch_size as they are at the call: bigram.py changes them below
    return get_batch_from(train_data if split == "train" else val_data, block_size, batch_size)


xb, yb = get_batch("train")
print("xb", list(xb.shape), xb.tolist())
print("yb", list(yb.shape), yb.tolist())

# notebook 03's demo of nn.Embedding (a seeded 3 x 2 table)
torch.manual_seed(42)
print("Embedding(3,2) seed 42", [[f"{v:.4f}" for v in row] for row in nn.Embedding(3, 2).weight.tolist()])

# notebook: the bigram cell (00:22:11), seeded again at its top
torch.manual_seed(1337)


class BigramLanguageModel(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)

    def forward(self, idx, targets=None):
        logits = self.token_embedding_table(idx)  # (B,T,C)
        if targets is None:
            loss = None
        else:
            B, T, C = logits.shape
            logits = logits.view(B * T, C)
            targets = targets.view(B * T)
            loss = F.cross_entropy(logits, targets)
        return logits, loss

    def generate(self, idx, max_new_tokens):
        for _ in range(max_new_tokens):
            logits, loss = self(idx)
            logits = logits[:, -1, :]
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


m = BigramLanguageModel(vocab_size)
logits, loss = m(xb, yb)
print("untrained logits shape", list(logits.shape))
print(f"untrained loss {loss.item():.4f} ({loss.item():.9g})")
print("untrained generate 100:", repr(decode(m.generate(idx=torch.zeros((1, 1), dtype=torch.long), max_new_tokens=100)[0].tolist())))

# notebook: the self-attention trick's toy input (00:42:13)
torch.manual_seed(1337)
B, T, C = 4, 8, 2
x = torch.randn(B, T, C)
print("trick x[0]", [[f"{v:.4f}" for v in row] for row in x[0].tolist()])

# notebook: version 4, self-attention (01:02:00): one head on x of (4, 8, 32)
torch.manual_seed(1337)
B, T, C = 4, 8, 32
x = torch.randn(B, T, C)
head_size = 16
key = nn.Linear(C, head_size, bias=False)
query = nn.Linear(C, head_size, bias=False)
value = nn.Linear(C, head_size, bias=False)
k = key(x)    # (B, T, 16)
q = query(x)  # (B, T, 16)
wei = q @ k.transpose(-2, -1)  # (B, T, 16) @ (B, 16, T) ---> (B, T, T)
tril = torch.tril(torch.ones(T, T))
wei = wei.masked_fill(tril == 0, float("-inf"))
wei = F.softmax(wei, dim=-1)
out = wei @ value(x)
print("attention wei[0] row 7", [f"{v:.4f}" for v in wei[0, 7].tolist()])
print("attention out shape", list(out.shape))

# bigram.py: hyperparameters, seed at the top, then data, model, training with estimate_loss
batch_size, block_size, max_iters, eval_interval, learning_rate, eval_iters = 32, 8, 3000, 300, 1e-2, 200
torch.manual_seed(1337)


@torch.no_grad()
def estimate_loss():
    out = {}
    model.eval()
    for split in ["train", "val"]:
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(split)
            logits, loss = model(X, Y)
            losses[k] = loss.item()
        out[split] = losses.mean()
    model.train()
    return out


model = BigramLanguageModel(vocab_size)
m = model
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
for iter in range(max_iters):
    if iter % eval_interval == 0:
        losses = estimate_loss()
        print(f"step {iter}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}"
              f" ({losses['train'].item():.9g}, {losses['val'].item():.9g})")
    train_step(model, optimizer, *get_batch("train"))
context = torch.zeros((1, 1), dtype=torch.long)
print("trained generate 500:", repr(decode(m.generate(context, max_new_tokens=500)[0].tolist())))
