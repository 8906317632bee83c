"""The lecture's gpt.py training on tiny Shakespeare, small: n_embd 64, 4 heads, 4 layers, block 32,
batch 16, AdamW lr 1e-3, dropout 0, seed 1337; prints the loss of every step and every evaluation,
for gpt_curve.sh to compare with GptCurve.java (the engine GPT on the same seed and batches).

Usage: python3 src/bench/gpt_curve.py <tinyshakespeare.txt> [steps] [eval_interval] [eval_iters]
"""
import sys

import torch

from lecture_gpt import GPTLanguageModel, estimate_loss, lecture_splits, make_get_batch, train_step

steps = int(sys.argv[2]) if len(sys.argv) > 2 else 500
eval_interval = int(sys.argv[3]) if len(sys.argv) > 3 else 100
eval_iters = int(sys.argv[4]) if len(sys.argv) > 4 else 20
batch_size, block_size = 16, 32
torch.set_num_threads(1)
torch.manual_seed(1337)  # gpt.py: first, before anything draws
with open(sys.argv[1], "r", encoding="utf-8") as f:
    text = f.read()
chars, train_data, val_data = lecture_splits(text)
get_batch = make_get_batch(train_data, val_data, block_size, batch_size)  # batches from the global generator
model = GPTLanguageModel(len(chars), block_size, 64, 4, 4, 0.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for it in range(steps):
    if it % eval_interval == 0 or it == steps - 1:
        losses = estimate_loss(model, get_batch, eval_iters)
        print(f"eval {it} {losses['train']:.6f} {losses['val']:.6f}", flush=True)
    loss = train_step(model, optimizer, *get_batch("train"))
    print(f"step {it} {loss.item():.6f}", flush=True)
