#!/usr/bin/env bash
# Runs one workload in Java (this project) and in PyTorch (reference.py), one after the other, on the
# same cores with the same thread count, and prints a table and one RATIO line.
#
#   bash src/bench/compare.sh bigram                 # 2 threads (default)
#   THREADS=1 bash src/bench/compare.sh bigram       # another thread count
#
# The corpus comes from $BUILDGPT_CORPUS_DIR, else ../shared/data beside the repository, else data/.
# Needs python3 with torch (pip install torch): PyTorch is the yardstick, not part of the product.
set -euo pipefail
workload=${1:?usage: bash src/bench/compare.sh bigram}
threads=${THREADS:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

case "$workload" in
  bigram) ;;
  *) echo "unknown workload '$workload': known workloads are: bigram" >&2; exit 2 ;;
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
echo "== $workload: Java (cores $cpus, OMP_NUM_THREADS=$threads) =="
java_out=$(taskset -c "$cpus" java -Xmx2g -cp "target/bench-classes:target/classes:target/lib/*" io.buildgpt.bench.Bench "$workload" "$corpus" | tee /dev/stderr | grep '^RESULT')
echo "== $workload: PyTorch (cores $cpus, torch.set_num_threads($threads)) =="
torch_out=$(taskset -c "$cpus" python3 src/bench/reference.py "$workload" "$corpus" --threads "$threads" | tee /dev/stderr | grep '^RESULT')

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
printf '\n%-8s %12s %10s %10s %10s %14s\n' framework ms/step init_val train val rss_mb_first/last
for out in "$java_out" "$torch_out"; do
  printf '%-8s %12s %10s %10s %10s %14s\n' "$(field "$out" framework)" "$(field "$out" ms_per_step)" \
    "$(field "$out" init_val)" "$(field "$out" train)" "$(field "$out" val)" \
    "$(field "$out" rss_start_mb)/$(field "$out" rss_end_mb)"
done
ratio=$(awk -v j="$(field "$java_out" ms_per_step)" -v t="$(field "$torch_out" ms_per_step)" 'BEGIN { printf "%.3f", j / t }')
echo "RATIO $workload java/torch=$ratio java_val=$(field "$java_out" val) torch_val=$(field "$torch_out" val)"
