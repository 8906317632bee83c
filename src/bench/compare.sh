#!/usr/bin/env bash
# Runs one workload in Java (this project) and in PyTorch (reference.py), one after the other, on the
# same cores with the same thread count, and prints a table and one RATIO line per measured workload.
#
#   bash src/bench/compare.sh bigram                 # the bigram run of notebook 05, 2 threads (default)
#   bash src/bench/compare.sh gpt-small              # the small GPT, 5000 steps, then 500 generated tokens
#   bash src/bench/compare.sh generate               # the same run, reporting generation speed only
#   bash src/bench/compare.sh lora                   # notebook 08's LoRA fine-tune on src/main/java (400 steps; Java
#                                                    #   pretrains first, PyTorch starts from Java's weights and bytes)
#   THREADS=1 bash src/bench/compare.sh bigram       # another thread count
#   STEPS=500 bash src/bench/compare.sh gpt-small    # a quicker, shorter GPT run (not the benchmark)
#
# The corpus comes from $BUILDGPT_CORPUS_DIR, else ../shared/data beside the repository, else data/.
# Needs python3 with torch (pip install torch): PyTorch is the yardstick, not part of the product.
set -euo pipefail
workload=${1:?usage: bash src/bench/compare.sh bigram|gpt-small|generate|lora}
threads=${THREADS:-2}
if [ "${1:-}" = lora ]; then steps=${STEPS:-400}; else steps=${STEPS:-5000}; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

case "$workload" in
  bigram) run=bigram; report="bigram" ;;
  gpt-small) run=gpt-small; report="gpt-small generate" ;;
  generate) run=gpt-small; report="generate" ;;
  lora) run=lora; report="lora" ;;
  *) echo "unknown workload '$workload': known workloads are: bigram, gpt-small, generate, lora" >&2; exit 2 ;;
esac

corpus=""
for dir in "${BUILDGPT_CORPUS_DIR:-}" "$root/../shared/data" "$root/data"; do
  if [ -n "$dir" ] && [ -f "$dir/tinyshakespeare.txt" ]; then corpus="$dir/tinyshakespeare.txt"; break; fi
done
if [ -z "$corpus" ]; then
  echo "tinyshakespeare.txt not found: run notebook 01 once (it downloads it to data/) or set BUILDGPT_CORPUS_DIR" >&2
  exit 1
fi
python3 -c "import torch" 2>/dev/null || { echo "PyTorch is missing: pip install torch" >&2; exit 1; }

# Build the module if needed, then the benchmark entry point against it.
if [ ! -d target/classes/io ] || [ ! -d target/lib ]; then mvn -q -B -DskipTests package; fi
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "target/classes:target/lib/*" src/bench/java/io/buildgpt/bench/*.java

cpus="0-$((threads - 1))"
export OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
echo "== $run: Java (cores $cpus, $threads threads) =="
java_out=$(taskset -c "$cpus" java -Xmx2g -cp "target/bench-classes:target/classes:target/lib/*" \
  io.buildgpt.bench.Bench "$run" "$corpus" --threads "$threads" --steps "$steps" | tee -a /dev/stderr | grep '^RESULT')
echo "== $run: PyTorch (cores $cpus, torch.set_num_threads($threads)) =="
torch_out=$(taskset -c "$cpus" python3 src/bench/reference.py "$run" "$corpus" --threads "$threads" --steps "$steps" \
  | tee -a /dev/stderr | grep '^RESULT')

# field <framework> <workload> <key>: one value from the RESULT lines
field() {
  local out; [ "$1" = java ] && out=$java_out || out=$torch_out
  grep " workload=$2 " <<<"$out" | sed -n "s/.* $3=\([^ ]*\).*/\1/p"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo
for w in $report; do
  if [ "$w" = generate ]; then
    printf '%-10s %-8s %12s\n' workload framework tokens/s
    for f in java torch; do printf '%-10s %-8s %12s\n' "$w" "$f" "$(field $f $w tokens_per_s)"; done
  else
    printf '%-10s %-8s %12s %10s %10s %16s\n' workload framework ms/step train val rss_mb_first/last
    for f in java torch; do
      printf '%-10s %-8s %12s %10s %10s %16s\n' "$w" "$f" "$(field $f $w ms_per_step)" "$(field $f $w train)" \
        "$(field $f $w val)" "$(field $f $w rss_start_mb)/$(field $f $w rss_end_mb)"
    done
  fi
done
for w in $report; do
  if [ "$w" = generate ]; then
    echo "RATIO generate java_tokps/torch_tokps=$(ratio "$(field java generate tokens_per_s)" "$(field torch generate tokens_per_s)")"
  else
    echo "RATIO $w java/torch=$(ratio "$(field java $w ms_per_step)" "$(field torch $w ms_per_step)") java_val=$(field java $w val) torch_val=$(field torch $w val)"
  fi
done
