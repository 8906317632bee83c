"""PyTorch side of GptStepBenchmark / GptGenerationBenchmark: same model (reference.py's GPTLanguageModel),
same shapes, random tokens, untrained weights (speed does not depend on them).

  python3 src/bench/torch_step.py step     --threads 2 [--steps 200]   ms/step of forward+backward+AdamW, B16 T32
  python3 src/bench/torch_step.py profile  --threads 2                 torch.profiler table, ms per step per op
  python3 src/bench/torch_step.py generate --threads 2                 tokens/s of the lecture's naive generate, 500 tokens
"""
import argparse, os, statistics, sys, time
import torch
sys.path.insert(0, os.path.dirname(__file__))
from lecture_gpt import GPTLanguageModel

ap = argparse.ArgumentParser()
ap.add_argument("what", choices=["step", "profile", "generate"])
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=200)
ap.add_argument("--repeats", type=int, default=3)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1337)
model = GPTLanguageModel(65, 32, 64, 4, 4)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)


def step():
    x, y = torch.randint(65, (16, 32)), torch.randint(65, (16, 32))
    _, loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


if a.what == "step":
    for _ in range(50): step()
    ms = []
    for _ in range(a.steps):
        t0 = time.perf_counter(); step(); ms.append((time.perf_counter() - t0) * 1e3)
    print(f"torch GPT small B16 T32: median {statistics.median(ms):.2f} ms/step, mean {statistics.mean(ms):.2f}, "
          f"min {min(ms):.2f} ({a.steps} steps, {a.threads} threads)")
elif a.what == "profile":
    from torch.profiler import profile, ProfilerActivity
    for _ in range(50): step()
    n = 50
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(n): step()
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    print(f"{'op':45s} {'self ms/step':>12s} {'calls/step':>10s}")
    for e in rows[:25]:
        print(f"{e.key[:45]:45s} {e.self_cpu_time_total / 1e3 / n:12.3f} {e.count / n:10.1f}")
    print(f"{'total':45s} {sum(e.self_cpu_time_total for e in rows) / 1e3 / n:12.3f}")
else:
    model.eval()
    ctx = torch.zeros((1, 1), dtype=torch.long)
    model.generate(ctx, 20)
    for _ in range(a.repeats):
        t0 = time.perf_counter(); model.generate(ctx, 500); s = time.perf_counter() - t0
        print(f"torch naive generate: {500 / s:.1f} tokens/s (500 tokens, {a.threads} threads)")
