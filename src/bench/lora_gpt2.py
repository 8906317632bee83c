"""The PyTorch + PEFT side of `compare.sh lora-gpt2`.

  python3 src/bench/lora_gpt2.py make FOLDER      # GPT-2 124M's shape, random weights (seed 0), dropout 0, saved
                                                  #   with save_pretrained (config.json + model.safetensors)
  python3 src/bench/lora_gpt2.py train FOLDER --threads 2 --steps 3 --warmup 1 [--batch 4 --block 256]
  python3 src/bench/lora_gpt2.py generate FOLDER --threads 2 --tokens 100

`train` loads FOLDER, adds PEFT's LoRA (r=8, lora_alpha=16, dropout 0, target_modules=["c_attn"]), and times
AdamW steps (no weight decay) on random token ids (B, T) with the cross-entropy of every position against
random targets, as LoraGpt2Bench does in Java. Prints one RESULT line that compare.sh parses.
`generate` times transformers' `generate` (the base alone, key/value cache on, sampling at temperature 1 from all
tokens, exactly --tokens new tokens from one token): one untimed run, then the best of 3, as
`LoraGpt2Bench --generate` does.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from reference import rss_mb   # the process's resident memory, read as the other references read it


def make(folder):
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    config = GPT2Config(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)   # 12 layers, 768 channels, 12 heads, 1024 positions
    GPT2LMHeadModel(config).save_pretrained(folder, safe_serialization=True)
    print(f"wrote {folder}")


def train(folder, threads, steps, warmup, batch, block):
    from peft import LoraConfig, get_peft_model
    from transformers import GPT2LMHeadModel
    torch.set_num_threads(threads)
    model = GPT2LMHeadModel.from_pretrained(folder)
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["c_attn"],
                                             fan_in_fan_out=True))
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    g = torch.Generator().manual_seed(0)
    vocab = model.config.vocab_size
    x = torch.randint(vocab, (batch, block), generator=g)
    y = torch.randint(vocab, (batch, block), generator=g)
    times = []
    loss = None
    for s in range(warmup + steps):
        t0 = time.perf_counter()
        logits = model(input_ids=x).logits                                    # (B,T,V)
        loss = F.cross_entropy(logits.view(-1, vocab), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        took = (time.perf_counter() - t0) * 1000
        print(f"step {s}: {took:.0f} ms, loss {loss.item():.4f}", flush=True)
        if s >= warmup:
            times.append(took)
    print(f"RESULT framework=torch workload=lora-gpt2 quant=none ms_per_step={sum(times) / len(times):.1f} "
          f"median_ms={statistics.median(times):.1f} steps={steps} loss={loss.item():.4f} rss_end_mb={rss_mb()}")


def generate(folder, threads, tokens):
    from transformers import GPT2LMHeadModel
    torch.set_num_threads(threads)
    model = GPT2LMHeadModel.from_pretrained(folder).eval()
    start = torch.zeros((1, 1), dtype=torch.long)
    def run(seed):
        torch.manual_seed(seed)
        with torch.no_grad():
            out = model.generate(start, attention_mask=torch.ones_like(start), max_new_tokens=tokens,
                                 min_new_tokens=tokens, do_sample=True, top_k=0, temperature=1.0, use_cache=True,
                                 pad_token_id=model.config.eos_token_id)
        assert out.shape[1] == 1 + tokens, out.shape
    run(0)
    best = float("inf")
    for r in range(3):
        t0 = time.perf_counter()
        run(r + 1)
        took = time.perf_counter() - t0
        print(f"generation run {r}: {tokens} tokens in {took:.2f} s", flush=True)
        best = min(best, took)
    print(f"RESULT framework=torch workload=gpt2-generate tokens={tokens} best_s={best:.3f} tokps={tokens / best:.1f} "
          f"rss_end_mb={rss_mb()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["make", "train", "generate"])
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--block", type=int, default=256)
    ap.add_argument("--tokens", type=int, default=100)
    a = ap.parse_args()
    if a.what == "make":
        make(a.folder)
    elif a.what == "generate":
        generate(a.folder, a.threads, a.tokens)
    else:
        train(a.folder, a.threads, a.steps, a.warmup, a.batch, a.block)


if __name__ == "__main__":
    main()
