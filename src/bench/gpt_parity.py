"""PyTorch side of GptParityTest: the lecture's GPT, loaded with the Java model's weights.

Reads a buildgpt parameter file (one JSON header line, then little-endian float32 tensors in header
order; see ParameterFile.java), builds the same architecture, runs one batch (dropout 0), writes the
logits (B, T, V) as raw little-endian float32 to --logits-out, the gradients of the loss (autograd) as
a buildgpt parameter file to --grads-out, and prints "LOSS <value>".

  python3 gpt_parity.py --params p.bin --vocab 65 --block 32 --embd 64 --head 4 --layer 4 \
      --batch 2 --time 8 --idx 1,2,... --targets 2,3,... --logits-out logits.bin --grads-out grads.bin
"""
import argparse
import json

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F


class Head(nn.Module):
    def __init__(self, n_embd, head_size, block_size):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer('tril', torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        B, T, C = x.shape
        k = self.key(x)
        q = self.query(x)
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float('-inf'))
        wei = F.softmax(wei, dim=-1)
        return wei @ self.value(x)


class MultiHeadAttention(nn.Module):
    def __init__(self, n_embd, num_heads, head_size, block_size):
        super().__init__()
        self.heads = nn.ModuleList([Head(n_embd, head_size, block_size) for _ in range(num_heads)])
        self.proj = nn.Linear(head_size * num_heads, n_embd)

    def forward(self, x):
        return self.proj(torch.cat([h(x) for h in self.heads], dim=-1))


class FeedFoward(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd), nn.Dropout(0.0))

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.sa = MultiHeadAttention(n_embd, n_head, n_embd // n_head, block_size)
        self.ffwd = FeedFoward(n_embd)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))


class GPTLanguageModel(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd, n_head, n_layer):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.token_embedding_table(idx) + self.position_embedding_table(torch.arange(T))
        logits = self.lm_head(self.ln_f(self.blocks(x)))
        loss = F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))
        return logits, loss


def read_parameters(path):
    with open(path, 'rb') as f:
        header = json.loads(f.readline().decode('utf-8'))
        assert header['format'] == 'buildgpt-parameters' and header['dtype'] == 'float32' and header['byte_order'] == 'little'
        out = {}
        for t in header['tensors']:
            n = int(np.prod(t['shape']))
            out[t['name']] = torch.from_numpy(np.frombuffer(f.read(4 * n), dtype='<f4').reshape(t['shape']).copy())
        return out


def write_parameters(path, named):
    tensors = [{'name': n, 'shape': list(t.shape)} for n, t in named]
    header = {'format': 'buildgpt-parameters', 'version': 1, 'dtype': 'float32', 'byte_order': 'little', 'tensors': tensors}
    with open(path, 'wb') as f:
        f.write((json.dumps(header) + '\n').encode('utf-8'))
        for _, t in named:
            f.write(t.detach().numpy().astype('<f4').tobytes())


def main():
    ap = argparse.ArgumentParser()
    for name in ['vocab', 'block', 'embd', 'head', 'layer', 'batch', 'time']:
        ap.add_argument('--' + name, type=int, required=True)
    ap.add_argument('--params', required=True)
    ap.add_argument('--idx', required=True)
    ap.add_argument('--targets', required=True)
    ap.add_argument('--logits-out', required=True)
    ap.add_argument('--grads-out', required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = GPTLanguageModel(a.vocab, a.block, a.embd, a.head, a.layer)
    params = read_parameters(a.params)
    expected = {name for name, _ in model.named_parameters()}
    missing, extra = expected - params.keys(), params.keys() - expected
    if missing or extra:
        raise SystemExit(f'parameter names differ: missing {sorted(missing)}, unexpected {sorted(extra)}')
    model.load_state_dict(params, strict=False)  # strict=False only because the tril buffers are not parameters
    model.eval()
    idx = torch.tensor([int(v) for v in a.idx.split(',')]).view(a.batch, a.time)
    targets = torch.tensor([int(v) for v in a.targets.split(',')]).view(a.batch, a.time)
    logits, loss = model(idx, targets)
    loss.backward()
    logits.detach().numpy().astype('<f4').tofile(a.logits_out)
    write_parameters(a.grads_out, [(n, p.grad) for n, p in model.named_parameters()])
    print('PARAMS', sum(p.numel() for p in model.parameters()))
    print('LOSS', repr(loss.item()))


if __name__ == '__main__':
    main()
