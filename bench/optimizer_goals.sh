#!/usr/bin/env bash
# The optimizer-discovery goal runs of bench/RESULTS.md, reproducible: each prints the
# commands it runs and their CPU and wall time.
#
#   bash bench/optimizer_goals.sh fashion [SECONDS] [SEED]   search from AdamW on the small
#        Fashion-MNIST tasks, funnel to the largest task (the deep MLP on full images); then
#        evo eval (test split) of the best rule by the second stage, on the run's tasks and on
#        the CNN the search never saw, and its simplified form
#   bash bench/optimizer_goals.sh fec [BUDGET] [SEED] [default|fashion|random]   the same seeded
#        search twice, without the funnel: with the cache as it is, and with every cache hit
#        evaluated anyway (collision_check=1), which costs what a search without the cache
#        would; the ratio of wall times is what the cache saves. `default`: the default first
#        stage from AdamW; `fashion`: the first stage of the fashion goal; `random`: the default
#        first stage from a random start (seed_program=random)
#   bash bench/optimizer_goals.sh fec-quality [BUDGET] [SEED] [default|random]   what the functional hash saves
#        as a whole (cache and re-mutation until a child differs from its parent): a search
#        without it (retries=0, every child evaluated) runs BUDGET candidates; the search with it
#        is then run just long enough to reach the same best fitness; the ratio of wall times is
#        the saving in time to equal quality
#   bash bench/optimizer_goals.sh throughput [BUDGET] [SEED] first-stage candidates per second
#        on the default small tasks, 1 thread
#
# Databases go to ${EVO_BENCH_DIR:-bench-out}/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evo="${EVO:-$here/build/tools/evo}"
out="${EVO_BENCH_DIR:-bench-out}"
mkdir -p "$out"
what="${1:?usage: optimizer_goals.sh fashion|fec|fec-quality|throughput [SECONDS|BUDGET] [SEED]}"
seed="${3:-1}"

run() {  # prints the command, runs it, prints its CPU and wall time
  echo "\$ evo $*" >&2
  /usr/bin/time -f "cpu %U s user + %S s sys, %e s wall" "$evo" "$@"
}

case "$what" in
  fashion)
    seconds="${2:-5400}"
    db="$out/opt-fashion-$seed.db"
    grid=0.00003,0.0001,0.0003,0.001,0.003,0.01
    rm -f "$db"
    run run --domain optimizer --db "$db" --seed "$seed" --threads 1 --budget 200000 --time-limit "$seconds" -q \
      --set tasks=fmnist_logreg,fmnist_mlp --set lr_grid=0.0003,0.001,0.003,0.01,0.03,0.1 \
      --set funnel_tasks=fmnist_mlp_deep --set funnel_lr_grid="$grid" --set funnel_hurdle=0.97 --set hash_bits=40
    run runs --db "$db"
    run best --db "$db" --objective funnel --top 5
    id=$("$evo" best --db "$db" --objective funnel --top 1 --format json | sed -n 's/.*"candidate": \([0-9]*\).*/\1/p' | head -1)
    run eval --db "$db" --candidate "$id"
    # the convolutional net was never seen by the search: does the rule carry over?
    run eval --db "$db" --candidate "$id" --set tasks=fmnist_cnn --set lr_grid="$grid" --set funnel_tasks=none
    run simplify --db "$db" --candidate "$id"
    ;;
  fec)
    budget="${2:-3000}"
    config="${4:-default}"
    stage=()
    [[ $config == fashion ]] && stage=(--set tasks=fmnist_logreg,fmnist_mlp --set lr_grid=0.0003,0.001,0.003,0.01,0.03,0.1)
    [[ $config == random ]] && stage=(--set seed_program=random)
    for check in 0.01 1; do
      db="$out/opt-fec-$config-$check-$seed.db"
      rm -f "$db"
      run run --domain optimizer --db "$db" --seed "$seed" --threads 1 --budget "$budget" -q --no-measure \
        --set funnel_tasks=none --set collision_check="$check" "${stage[@]}"
    done
    ;;
  fec-quality)
    budget="${2:-3000}"
    config="${4:-default}"
    common=(--domain optimizer --seed "$seed" --threads 1 -q --no-measure --set funnel_tasks=none)
    [[ $config == random ]] && common+=(--set seed_program=random)
    without="$out/opt-fecq-without-$config-$seed.db"
    rm -f "$without"
    run run "${common[@]}" --db "$without" --budget "$budget" --set retries=0 --set collision_check=1
    best=$(sqlite3 "$without" "SELECT printf('%.17g', MIN(json_extract(objectives, '\$.fitness'))) FROM candidates WHERE valid = 1")
    echo "without the hash: best fitness $best after $budget candidates" >&2
    probe="$out/opt-fecq-probe-$config-$seed.db"
    rm -f "$probe"
    "$evo" run "${common[@]}" --db "$probe" --budget "$((2 * budget))" >/dev/null
    first=$(sqlite3 "$probe" "SELECT MIN(birth) FROM candidates WHERE valid = 1 AND json_extract(objectives, '\$.fitness') <= $best")
    if [[ -z $first ]]; then
      echo "with the hash: fitness $best not reached in $((2 * budget)) candidates" >&2
      exit 0
    fi
    echo "with the hash: fitness $best first reached by candidate birth $first" >&2
    with="$out/opt-fecq-with-$config-$seed.db"
    rm -f "$with"
    run run "${common[@]}" --db "$with" --budget "$((first + 1))"
    ;;
  throughput)
    budget="${2:-2000}"
    db="$out/opt-throughput-$seed.db"
    rm -f "$db"
    run run --domain optimizer --db "$db" --seed "$seed" --threads 1 --budget "$budget" -q --no-measure --set funnel_tasks=none
    ;;
  *)
    echo "unknown goal '$what'" >&2
    exit 2
    ;;
esac
