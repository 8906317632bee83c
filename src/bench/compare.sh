#!/usr/bin/env bash
# Runs one workload in Java (this project) and in PyTorch (reference.py), one after the other, on the
# same cores with the same thread count, and prints a table and one RATIO line per measured workload.
#
#   bash src/bench/compare.sh bigram                 # the bigram run of notebook 05, 2 threads (default)
#   bash src/bench/compare.sh gpt-small              # the small GPT, 5000 steps, then 500 generated tokens; against
#                                                    #   the lecture-style (reference.py) and nanoGPT-style PyTorch
#   bash src/bench/compare.sh gpt-lecture            # the lecture's full GPT (384/6/6, block 256, batch 64, dropout
#                                                    #   0.2): WARMUP (2) untimed then STEPS (5) timed steps, against
#                                                    #   the nanoGPT-style PyTorch (nanogpt_reference.py)
#   bash src/bench/compare.sh generate               # the same run, reporting generation speed only
#   bash src/bench/compare.sh lora                   # notebook 08's LoRA fine-tune on src/main/java (400 steps; Java
#                                                    #   pretrains first, PyTorch starts from Java's weights and bytes)
#   bash src/bench/compare.sh cells-bigram           # the bigram as notebook 05's cells write it on the tensor library,
#                                                    #   against bigram.py (reference.py bigram)
#   bash src/bench/compare.sh cells-gpt-small        # the lecture's GPT with separate heads as notebook 08's cells write
#                                                    #   it on the tensor library (B16 T32), against gpt.py; no generation
#   bash src/bench/compare.sh lora-gpt2              # GPT-2 124M's shape (random weights made by transformers), B4 T256,
#                                                    #   LoRA r=8 on c_attn: WARMUP (1) + STEPS (3) Java training steps
#                                                    #   against PyTorch + PEFT, then Java's QLoRA (NF4 + double-quant base
#                                                    #   with gradient checkpointing, as PEFT's prepare_model_for_kbit_training
#                                                    #   sets it up) and the same base without checkpointing, then generation
#                                                    #   (TOKENS=100) against transformers' generate
#   THREADS=1 bash src/bench/compare.sh bigram       # another thread count
#   STEPS=500 bash src/bench/compare.sh gpt-small    # a quicker, shorter GPT run (not the benchmark)
#
# The corpus comes from $BUILDGPT_CORPUS_DIR, else ../shared/data beside the repository, else data/.
# Needs python3 with torch (pip install torch): PyTorch is the yardstick, not part of the product.
set -euo pipefail
workload=${1:?usage: bash src/bench/compare.sh bigram|gpt-small|gpt-lecture|generate|lora|lora-gpt2|cells-bigram|cells-gpt-small}
threads=${THREADS:-2}
warmup=${WARMUP:-2}
case "${1:-}" in lora) steps=${STEPS:-400} ;; gpt-lecture) steps=${STEPS:-5} ;; *) steps=${STEPS:-5000} ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

bench=Bench   # the Java entry point; CellsBench runs the cell models on the tensor library
case "$workload" in
  bigram) run=bigram; report="bigram" ;;
  cells-bigram|cells-gpt-small) run=$workload; report=$workload; bench=CellsBench ;;
  gpt-small) run=gpt-small; report="generate gpt-small gpt-small-nanogpt" ;;
  gpt-lecture) run=gpt-lecture; report="gpt-lecture" ;;
  generate) run=gpt-small; report="generate" ;;
  lora) run=lora; report="lora" ;;
  lora-gpt2) run=lora-gpt2; report="lora-gpt2" ;;
  *) echo "unknown workload '$workload': known workloads are: bigram, gpt-small, gpt-lecture, generate, lora, lora-gpt2, cells-bigram, cells-gpt-small" >&2; exit 2 ;;
esac

corpus=""
for dir in "${BUILDGPT_CORPUS_DIR:-}" "$root/../shared/data" "$root/data"; do
  if [ -n "$dir" ] && [ -f "$dir/tinyshakespeare.txt" ]; then corpus="$dir/tinyshakespeare.txt"; break; fi
done
if [ -z "$corpus" ] && [ "$run" != lora-gpt2 ]; then
  echo "tinyshakespeare.txt not found: run notebook 01 once (it downloads it to data/) or set BUILDGPT_CORPUS_DIR" >&2
  exit 1
fi
python3 -c "import torch" 2>/dev/null || { echo "PyTorch is missing: pip install torch" >&2; exit 1; }

# Build the module if needed, then the benchmark entry point against it.
if [ ! -d target/classes/io ] || [ ! -d target/lib ]; then mvn -q -B -DskipTests package; fi
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "target/classes:target/lib/*" src/bench/java/io/buildgpt/bench/*.java

cpus="0-$((threads - 1))"
# The CPU and the BLAS kernel belong with every figure: times compare only within one CPU model and kernel.
cpu_model=$(awk -F': *' '/^model name/ {m=$2} /^vendor_id/ {v=$2} /^cpu family/ {f=$2} /^model\t/ {n=$2} /^$/ {exit}
  END {print (m ? m : "unknown CPU") (v ? " (" v " family " f " model " n ")" : "")}' /proc/cpuinfo 2>/dev/null || echo "unknown CPU")
echo "CPU: $cpu_model, $(nproc) cores online"
export OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
if [ "$run" = lora-gpt2 ]; then
  # Needs no corpus. Each run is its own process, so its resident memory is its own; the heap is let shrink
  # after a collection (Max/MinHeapFreeRatio), so the JVM's figure follows what is alive, not what was once.
  folder=target/lora-gpt2
  [ -f "$folder/model.safetensors" ] || python3 src/bench/lora_gpt2.py make "$folder"
  steps=${STEPS:-3} warmup=${WARMUP:-1}
  jvm=(taskset -c "$cpus" java -Xmx"${JAVA_HEAP:-6g}" -XX:MaxHeapFreeRatio=10 -XX:MinHeapFreeRatio=5
       -cp "target/bench-classes:target/classes:target/lib/*" io.buildgpt.bench.LoraGpt2Bench "$folder"
       --threads "$threads" --steps "$steps" --warmup "$warmup")
  echo "== lora-gpt2: Java, float32 base (cores $cpus, $threads threads) =="
  java_out=$("${jvm[@]}" --quant none | tee -a /dev/stderr | grep -E '^(RESULT|BLAS)')
  echo "== lora-gpt2: PyTorch + PEFT, float32 base (cores $cpus, torch.set_num_threads($threads)) =="
  torch_out=$(taskset -c "$cpus" python3 src/bench/lora_gpt2.py train "$folder" --threads "$threads" --steps "$steps" \
    --warmup "$warmup" | tee -a /dev/stderr | grep '^RESULT')
  echo "== lora-gpt2: Java, QLoRA: NF4 + double-quant base, gradient checkpointing =="
  q_out=$("${jvm[@]}" --quant nf4dq --checkpointing | tee -a /dev/stderr | grep '^RESULT')
  echo "== lora-gpt2: Java, NF4 + double-quant base, every activation kept =="
  qk_out=$("${jvm[@]}" --quant nf4dq | tee -a /dev/stderr | grep '^RESULT')
  tokens=${TOKENS:-100}
  echo "== gpt2-generate: Java generateCached, $tokens tokens, float32 base =="
  jg_out=$("${jvm[@]}" --generate "$tokens" | tee -a /dev/stderr | grep '^RESULT')
  echo "== gpt2-generate: transformers generate, $tokens tokens (cores $cpus, torch.set_num_threads($threads)) =="
  tg_out=$(taskset -c "$cpus" python3 src/bench/lora_gpt2.py generate "$folder" --threads "$threads" --tokens "$tokens" \
    | tee -a /dev/stderr | grep '^RESULT')
  get() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
  echo
  echo "CPU: $cpu_model"
  echo "Java $(grep '^BLAS' <<<"$java_out")"
  # resident memory: at the end, and the largest of the run (VmHWM; PyTorch's script reports the end only)
  printf '%-10s %-25s %10s %10s %10s %11s %12s\n' workload run ms/step median_ms loss rss_end_mb rss_peak_mb
  for r in java torch qlora kept; do
    case $r in java) o=$java_out; n="java float32" ;; torch) o=$torch_out; n="torch+peft" ;;
      qlora) o=$q_out; n="java qlora (nf4+dq+ckpt)" ;; *) o=$qk_out; n="java nf4+dq, no ckpt" ;; esac
    printf '%-10s %-25s %10s %10s %10s %11s %12s\n' lora-gpt2 "$n" "$(get "$o" ms_per_step)" "$(get "$o" median_ms)" \
      "$(get "$o" loss)" "$(get "$o" rss_end_mb)" "$(get "$o" rss_peak_mb)"
  done
  r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
  echo "RATIO lora-gpt2 java/torch=$(r "$(get "$java_out" ms_per_step)" "$(get "$torch_out" ms_per_step)")" \
    "qlora_rss/lora_rss=$(r "$(get "$q_out" rss_peak_mb)" "$(get "$java_out" rss_peak_mb)")" \
    "qlora_ms/lora_ms=$(r "$(get "$q_out" ms_per_step)" "$(get "$java_out" ms_per_step)")" \
    "nockpt_rss/lora_rss=$(r "$(get "$qk_out" rss_peak_mb)" "$(get "$java_out" rss_peak_mb)")"
  echo "RATIO gpt2-generate java_tokps/torch_tokps=$(r "$(get "$jg_out" tokps)" "$(get "$tg_out" tokps)")" \
    "java_tokps=$(get "$jg_out" tokps) torch_tokps=$(get "$tg_out" tokps)"
  exit 0
fi
echo "== $run: Java (cores $cpus, $threads threads) =="
# the full GPT keeps every layer's activations for its backward pass: Bench runs its batch of 64 as 4 x 16
if [ "$run" = gpt-lecture ]; then heap=${JAVA_HEAP:-4g}; else heap=${JAVA_HEAP:-2g}; fi
java_out=$(taskset -c "$cpus" java -Xmx"$heap" -cp "target/bench-classes:target/classes:target/lib/*" \
  io.buildgpt.bench.$bench "$run" "$corpus" --threads "$threads" --steps "$steps" --warmup "$warmup" | tee -a /dev/stderr | grep -E '^(RESULT|BLAS)')
torch_out="" nano_out=""
if [ "$run" != gpt-lecture ]; then
  echo "== $run: PyTorch, lecture style (cores $cpus, torch.set_num_threads($threads)) =="
  torch_out=$(taskset -c "$cpus" python3 src/bench/reference.py "$run" "$corpus" --threads "$threads" --steps "$steps" \
    | tee -a /dev/stderr | grep '^RESULT')
fi
if [ "$run" = gpt-small ] && [ "$workload" != generate ] || [ "$run" = gpt-lecture ]; then
  echo "== $run: PyTorch, nanoGPT style (cores $cpus, torch.set_num_threads($threads)) =="
  nano_out=$(taskset -c "$cpus" python3 src/bench/nanogpt_reference.py "$run" "$corpus" --threads "$threads" --steps "$steps" \
    --warmup "$warmup" | tee -a /dev/stderr | grep '^RESULT')
fi

# field <framework> <workload> <key>: one value from the RESULT lines (framework java, torch or nanogpt)
field() {
  local out
  case "$1" in java) out=$java_out ;; torch) out=$torch_out ;; *) out=$nano_out ;; esac
  grep " workload=$2 " <<<"$out" | sed -n "s/.* $3=\([^ ]*\).*/\1/p"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo
echo "CPU: $cpu_model"
echo "Java $(grep '^BLAS' <<<"$java_out")"
for w in $report; do
  if [ "$w" = gpt-lecture ]; then
    printf '%-12s %-8s %12s %12s %10s\n' workload framework ms/step median_ms loss
    for f in java nanogpt; do
      printf '%-12s %-8s %12s %12s %10s\n' "$w" "$f" "$(field $f $w ms_per_step)" "$(field $f $w median_ms)" "$(field $f $w loss)"
    done
  elif [ "$w" = gpt-small-nanogpt ]; then
    printf '%-18s %-8s %12s %10s %10s\n' workload framework ms/step train val
    printf '%-18s %-8s %12s %10s %10s\n' "$w" nanogpt "$(field nanogpt $w ms_per_step)" "$(field nanogpt $w train)" "$(field nanogpt $w val)"
  elif [ "$w" = generate ]; then
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
  if [ "$w" = gpt-lecture ]; then
    echo "RATIO gpt-lecture java/torch=$(ratio "$(field java $w ms_per_step)" "$(field nanogpt $w ms_per_step)") java_median_ms=$(field java $w median_ms) torch_median_ms=$(field nanogpt $w median_ms)"
  elif [ "$w" = gpt-small-nanogpt ]; then
    echo "RATIO gpt-small-nanogpt java/torch=$(ratio "$(field java gpt-small ms_per_step)" "$(field nanogpt $w ms_per_step)") java_val=$(field java gpt-small val) torch_val=$(field nanogpt $w val)"
  elif [ "$w" = generate ]; then
    echo "RATIO generate java_tokps/torch_tokps=$(ratio "$(field java generate tokens_per_s)" "$(field torch generate tokens_per_s)")"
  else
    echo "RATIO $w java/torch=$(ratio "$(field java $w ms_per_step)" "$(field torch $w ms_per_step)") java_val=$(field java $w val) torch_val=$(field torch $w val)"
  fi
done
