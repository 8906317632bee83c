#!/usr/bin/env bash
# The engine GPT's training curve beside the lecture's PyTorch gpt.py on the same seed and batches
# (small: 64/4/4, block 32, batch 16, lr 1e-3, dropout 0, seed 1337), and the largest difference.
#
#   bash src/bench/gpt_curve.sh [steps] [eval_interval] [eval_iters]     # default 500 100 20
#
# The corpus comes from $BUILDGPT_CORPUS_DIR, else ../shared/data beside the repository, else data/.
set -euo pipefail
steps=${1:-500}; interval=${2:-100}; iters=${3:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
corpus=""
for dir in "${BUILDGPT_CORPUS_DIR:-}" "$root/../shared/data" "$root/data"; do
  if [ -n "$dir" ] && [ -f "$dir/tinyshakespeare.txt" ]; then corpus="$dir/tinyshakespeare.txt"; break; fi
done
[ -n "$corpus" ] || { echo "tinyshakespeare.txt not found: run notebook 01 once or set BUILDGPT_CORPUS_DIR" >&2; exit 1; }
if [ ! -d target/classes/io ] || [ ! -d target/lib ]; then mvn -q -B -DskipTests package; fi
mkdir -p target/bench-classes target/gpt-curve
javac -d target/bench-classes -cp "target/classes:target/lib/*" src/bench/java/io/buildgpt/bench/*.java
java -cp "target/bench-classes:target/classes:target/lib/*" io.buildgpt.bench.GptCurve "$corpus" "$steps" "$interval" "$iters" \
  > target/gpt-curve/java.txt
OMP_NUM_THREADS=1 python3 src/bench/gpt_curve.py "$corpus" "$steps" "$interval" "$iters" > target/gpt-curve/torch.txt
python3 - target/gpt-curve/java.txt target/gpt-curve/torch.txt <<'PY'
import sys
def read(p):
    steps, evals = {}, {}
    for line in open(p):
        f = line.split()
        if f[0] == "step": steps[int(f[1])] = float(f[2])
        elif f[0] == "eval": evals[int(f[1])] = (float(f[2]), float(f[3]))
    return steps, evals
(js, je), (ts, te) = read(sys.argv[1]), read(sys.argv[2])
d = [(abs(js[i] - ts[i]), i) for i in sorted(ts)]
for i in sorted(te):
    print(f"eval {i:4d}: java train {je[i][0]:.4f} val {je[i][1]:.4f} | torch train {te[i][0]:.4f} val {te[i][1]:.4f}")
first = next((i for diff, i in d if diff > 1e-4), None)
worst = max(d)
ev = max(max(abs(je[i][0] - te[i][0]), abs(je[i][1] - te[i][1])) for i in te)
print(f"CURVE steps={len(d)} first_step_loss java={js[0]:.6f} torch={ts[0]:.6f} max_step_diff={worst[0]:.6f} at step {worst[1]}"
      f" max_eval_diff={ev:.6f} first_step_over_1e-4={first}")
PY
