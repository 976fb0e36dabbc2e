#!/usr/bin/env bash
# The compression-layout goal runs of bench/RESULTS.md, reproducible: each prints the
# commands it runs and their CPU and wall time.
#
#   bash bench/compression_goals.sh sparsity [GENERATIONS] [SEED] [SETTINGS...]
#        trains the default model (evo model train: 14 layers, Fashion-MNIST), searches a
#        SparseGPT layout at 70 % average sparsity with the elitist engine (64 children a
#        generation, screened on 256 then 2,048 fresh images, 2 finalists on the 8,192-image selection
#        set), then prints the uniform, error-sum DP and OWL-style baselines beside the
#        run's best, with KL and accuracy on the test split (evo baselines --report)
#   bash bench/compression_goals.sh bits [GENERATIONS] [SEED] [SETTINGS...]
#        the same with GPTQ at 3 bits per weight on average
#   bash bench/compression_goals.sh sparsity-seeds|bits-seeds [GENERATIONS] [SEEDS] [SETTINGS...]
#        the same searches for several seeds (SEEDS: comma-separated, default 1,2,3,4,5), each
#        followed by `evo eval` of its best: one line per seed with KL and test accuracy (the
#        baselines do not depend on the seed; the plain goals above print them)
#   bash bench/compression_goals.sh ranking [SEED]   after `sparsity`: does the sum of
#        per-layer errors rank the run's finalists as KL does? (bench/compression_ranking)
#
# Extra SETTINGS are passed as --set items (e.g. samples=2048 step=1024).
# Models and databases go to ${EVO_BENCH_DIR:-bench-out}/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evo="${EVO:-$here/build/tools/evo}"
out="${EVO_BENCH_DIR:-bench-out}"
mkdir -p "$out"
what="${1:?usage: compression_goals.sh sparsity|bits|sparsity-seeds|bits-seeds|ranking [GENERATIONS] [SEED] [SETTINGS...]}"

run() {  # prints the command, runs it, prints its CPU and wall time
  echo "\$ evo $*" >&2
  /usr/bin/time -f "cpu %U s user + %S s sys, %e s wall" "$evo" "$@"
}

model="$out/fmnist-resmlp.safetensors"
[[ -f $model ]] || run model train --out "$model"

# The search of the sparsity and bits goals: GENERATIONS and SEED or SEEDS come first in the
# arguments, then --set items; search SEED DB runs one search into DB.
if [[ $what != ranking ]]; then
  generations="${2:-400}"
  seeds_arg="${3:-}"
  shift $(( $# < 3 ? $# : 3 ))
  extra=()
  for s in "$@"; do extra+=(--set "$s"); done
  if [[ $what == sparsity* ]]; then method=(--set method=sparsegpt --set sparsity=0.7)
  else method=(--set method=gptq --set bits=3); fi
fi
search() {
  rm -f "$2"
  run run --domain compression --set model="$model" "${method[@]}" "${extra[@]}" --set selection=elitist \
    --set batch=64 --budget $((1 + 64 * generations)) --seed "$1" --threads 2 --db "$2" -q
}

case "$what" in
  sparsity|bits)
    db="$out/compression-$what-${seeds_arg:-1}.db"
    search "${seeds_arg:-1}" "$db"
    run runs --db "$db"
    run baselines --domain compression --set model="$model" "${method[@]}" "${extra[@]}" --db "$db" --run 1 --report
    ;;
  sparsity-seeds|bits-seeds)
    IFS=, read -ra seeds <<< "${seeds_arg:-1,2,3,4,5}"
    rows=()
    for seed in "${seeds[@]}"; do
      db="$out/compression-$what-$seed.db"
      search "$seed" "$db" >/dev/null
      best=$("$evo" best --db "$db" --top 1 --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["candidate"])')
      echo "\$ evo eval --db $db --candidate $best" >&2
      rows+=("$seed $best $("$evo" eval --db "$db" --candidate "$best" --format json | python3 -c '
import json, sys
r = {p["part"]: p for p in json.load(sys.stdin)["report"]}
sel, test = r["selection set (training images)"], r["test: this layout"]
print("%.6f %.6f %.2f" % (sel["kl"], test["kl"], 100 * test["accuracy"]))')")
    done
    printf '%-6s %-10s %-12s %-12s %s\n' seed candidate "kl (sel.)" "kl (test)" "test acc %"
    for r in "${rows[@]}"; do printf '%-6s %-10s %-12s %-12s %s\n' $r; done
    ;;
  ranking)
    seed="${2:-1}"
    db="$out/compression-sparsity-$seed.db"
    echo "\$ compression_ranking $db" >&2
    "$here/build/bench/compression_ranking" "$model" "$db"
    ;;
  *) echo "unknown goal '$what'" >&2; exit 2 ;;
esac
