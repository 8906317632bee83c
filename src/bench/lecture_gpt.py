"""The lecture's final gpt.py model (Karpathy, "Let's build GPT"), as a module: the classes in the
lecture's construction order, with its `_init_weights`, and its generation loop; then the lecture's data
split, get_batch, estimate_loss and training step as functions. The one definition that every script
here uses: reference.py (compare.sh), gpt_parity.py, torch_step.py, torch_random.py (initial weights),
gpt_curve.py (training curve), stages.py (notebook 07) and lecture_values.py (get_batch). This module
imports no other script here. PyTorch is the yardstick, not part of the product."""
import torch
import torch.nn as nn
from torch.nn import functional as F


class Head(nn.Module):
    def __init__(self, n_embd, head_size, block_size, dropout):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        k = self.key(x)    # (B,T,hs)
        q = self.query(x)  # (B,T,hs)
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5  # (B,T,T)
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        wei = F.softmax(wei, dim=-1)
        wei = self.dropout(wei)
        v = self.value(x)  # (B,T,hs)
        return wei @ v     # (B,T,hs)


class MultiHeadAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.heads = nn.ModuleList([Head(n_embd, n_embd // n_head, block_size, dropout) for _ in range(n_head)])
        self.proj = nn.Linear(n_embd, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = torch.cat([h(x) for h in self.heads], dim=-1)
        return self.dropout(self.proj(out))


class FeedForward(nn.Module):
    def __init__(self, n_embd, dropout):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.sa = MultiHeadAttention(n_embd, n_head, block_size, dropout)
        self.ffwd = FeedForward(n_embd, dropout)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))


class GPTLanguageModel(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd, n_head, n_layer, dropout=0.0):
        super().__init__()
        self.block_size = block_size
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

    def forward(self, idx, targets=None):
        B, T = idx.shape
        tok_emb = self.token_embedding_table(idx)                       # (B,T,C)
        pos_emb = self.position_embedding_table(torch.arange(T))        # (T,C)
        x = self.blocks(tok_emb + pos_emb)                              # (B,T,C)
        logits = self.lm_head(self.ln_f(x))                             # (B,T,V)
        if targets is None:
            return logits, None
        B, T, C = logits.shape
        return logits, F.cross_entropy(logits.view(B * T, C), targets.view(B * T))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens):
        # the lecture's loop: the whole (cropped) context is recomputed for every new token
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.block_size:])
            probs = F.softmax(logits[:, -1, :], dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
        return idx


def lecture_splits(text):
    """The lecture's data: the sorted characters of `text` as the vocabulary, the text as their ids, the
    first 90% to train on and the rest to validate. Returns (chars, train_data, val_data)."""
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    return chars, data[:n], data[n:]


def get_batch_from(data, block_size, batch_size, generator=None):
    """The lecture's get_batch on one split's ids: batch_size windows at offsets drawn from `generator`
    (torch's global generator when None), the inputs (B,T) and the targets one token later (B,T)."""
    ix = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i:i + block_size] for i in ix])          # (B,T)
    y = torch.stack([data[i + 1:i + block_size + 1] for i in ix])  # (B,T)
    return x, y


def make_get_batch(train_data, val_data, block_size, batch_size, generator=None):
    """The lecture's get_batch(split) over these two splits, `split` being "train" or "val"."""
    return lambda split: get_batch_from(train_data if split == "train" else val_data, block_size, batch_size, generator)


@torch.no_grad()
def estimate_loss(model, get_batch, eval_iters):
    """The lecture's estimate_loss: in eval mode, the mean loss of eval_iters batches get_batch(split) for
    "train", then "val", summed as Python floats (bigram.py's float32 tensor mean, in lecture_values.py,
    can differ in the last digits). Returns {"train": float, "val": float}."""
    model.eval()
    out = {s: sum(model(*get_batch(s))[1].item() for _ in range(eval_iters)) / eval_iters for s in ("train", "val")}
    model.train()
    return out


def train_step(model, optimizer, xb, yb):
    """One step of the lecture's loop on the batch (xb, yb): the loss, its gradients, an optimiser step.
    Returns the loss (a tensor)."""
    _, loss = model(xb, yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss
