"""The PyTorch + PEFT side of `compare.sh lora-gpt2`.

  python3 src/bench/lora_gpt2.py make FOLDER      # GPT-2 124M's shape, random weights (seed 0), dropout 0, saved
                                                  #   with save_pretrained (config.json + model.safetensors)
  python3 src/bench/lora_gpt2.py train FOLDER --threads 2 --steps 3 --warmup 1 [--batch 4 --block 256]

`train` loads FOLDER, adds PEFT's LoRA (r=8, lora_alpha=16, dropout 0, target_modules=["c_attn"]), and times
AdamW steps (no weight decay) on random token ids (B, T) with the cross-entropy of every position against
random targets, as LoraGpt2Bench does in Java. Prints one RESULT line that compare.sh parses.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["make", "train"])
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--block", type=int, default=256)
    a = ap.parse_args()
    if a.what == "make":
        make(a.folder)
    else:
        train(a.folder, a.threads, a.steps, a.warmup, a.batch, a.block)


if __name__ == "__main__":
    main()
