#!/usr/bin/env bash
# The function-approximation goal runs of bench/RESULTS.md, reproducible: each prints the
# commands it runs, then the best programs, the Pareto fronts and the baselines.
#
#   bash bench/funcapprox_goals.sh exp2  [BUDGET] [SEEDS...]   2^x on [0,1], precision=real
#   bash bench/funcapprox_goals.sh exp2-fma1 [BUDGET] [SEEDS...] the same with an fma counted as one op (NSGA-II)
#   bash bench/funcapprox_goals.sh exp2-series [BUDGET] [SEEDS...] 2^x at 10 ops as searched now: NSGA-II,
#                                                               fit_start=series, 2 threads; the best at cost <= 10
#   bash bench/funcapprox_goals.sh exp2-polynomials [BUDGET] [SEEDS...] the same from init=polynomials
#   bash bench/funcapprox_goals.sh front [BUDGET] [SEED]       2^x fronts from 2 to 16 ops (NSGA-II)
#   bash bench/funcapprox_goals.sh front-series [BUDGET] [SEED] the same with fit_start=series, 2 threads
#   bash bench/funcapprox_goals.sh front-polynomials [BUDGET] [SEED] the same from init=polynomials
#   bash bench/funcapprox_goals.sh front-islands|exp2-islands [BUDGET] [SEED]   the same at max_ops 16
#                                                               or 10, 8 islands of 500 (longer runs)
#   bash bench/funcapprox_goals.sh expf  [BUDGET] [SEED]       float32 e^x, whole range (scaffold=exp)
#   bash bench/funcapprox_goals.sh expf-time [SECONDS] [SEED]   the same, searched on measured speed
#                                                               under 1 ULP on the grid (cost=time)
#   bash bench/funcapprox_goals.sh expf-poly [SECONDS] [SEED]   the same without div (polynomial-like cores),
#                                                               on op cost; then every finite float and speed
#   bash bench/funcapprox_goals.sh expf-speed [ROUNDS]          the best float32 e^x core so far
#                                                               (bench/programs/expf_poly_82601.txt): its
#                                                               error over every finite float, then evo speed
#                                                               ROUNDS times (default 5) beside the libraries
#   bash bench/funcapprox_goals.sh log2|tanh [BUDGET] [SEED]   the same pipeline on other targets
#
# Databases go to ${EVO_BENCH_DIR:-bench-out}/. CPU time is the user+sys time of each run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evo="${EVO:-$here/build/tools/evo}"
out="${EVO_BENCH_DIR:-bench-out}"
mkdir -p "$out"
what="${1:?usage: funcapprox_goals.sh exp2|exp2-series|exp2-polynomials|exp2-fma1|front|front-series|front-polynomials|front-islands|exp2-islands|expf|expf-time|expf-poly|expf-speed|log2|tanh [BUDGET] [SEEDS...]}"
budget="${2:-100000}"
given="${2:-}"  # as given, for modes whose default differs (expf-speed: rounds)
shift $(( $# >= 2 ? 2 : $# ))
seeds=("${@:-1}")

run() {  # prints the command, runs it, prints its CPU time
  echo "\$ evo $*" >&2
  /usr/bin/time -f "cpu %U s user + %S s sys, %e s wall" "$evo" "$@"
}

case "$what" in
  exp2)
    db="$out/exp2.db"; rm -f "$db"
    for s in "${seeds[@]}"; do
      run run --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --set max_ops=10 \
        --budget "$budget" --seed "$s" --db "$db" --name "seed$s" -q | grep -E "^(best|run)"
    done
    "$evo" runs --db "$db"
    run baselines --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --degrees 1:8 ;;
  exp2-fma1)
    db="$out/exp2-fma1.db"; rm -f "$db"
    for s in "${seeds[@]}"; do
      run run --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --set max_ops=10 \
        --set fma_cost=1 --set selection=nsga2 --budget "$budget" --seed "$s" --db "$db" --name "seed$s" -q |
        grep -E "^(best|run)"
    done
    "$evo" runs --db "$db"
    run baselines --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --set fma_cost=1 \
      --degrees 1:10 ;;
  exp2-series|exp2-polynomials)
    init=random; [[ $what == exp2-polynomials ]] && init=polynomials
    for s in "${seeds[@]}"; do
      db="$out/$what-$s.db"; rm -f "$db"
      run run --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --set max_ops=10 \
        --set selection=nsga2 --set fit_start=series --set init="$init" --budget "$budget" --seed "$s" --threads 2 \
        --db "$db" -q |
        grep -E "^(best|run)"
      echo "seed $s: best at cost <= 10: $(sqlite3 "$db" "SELECT min(json_extract(objectives, '\$.error')) FROM candidates
        WHERE valid AND json_extract(objectives, '\$.cost') <= 10")"
    done ;;
  front-series|front-polynomials)
    init=random; [[ $what == front-polynomials ]] && init=polynomials
    db="$out/$what.db"; rm -f "$db"
    run run --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --set max_ops=16 \
      --set selection=nsga2 --set fit_start=series --set init="$init" --budget "$budget" --seed "${seeds[0]}" \
      --threads 2 --db "$db" --name "$what" -q | grep -E "^(best|run)"
    "$evo" pareto --db "$db" --run 1
    run baselines --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --degrees 1:8 ;;
  front)
    db="$out/front.db"; rm -f "$db"
    run run --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --set max_ops=16 \
      --set selection=nsga2 --budget "$budget" --seed "${seeds[0]}" --db "$db" --name front -q | grep -E "^(best|run)"
    "$evo" pareto --db "$db" --run 1
    run baselines --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --degrees 1:8 ;;
  front-islands|exp2-islands)
    max_ops=16; [[ $what == exp2-islands ]] && max_ops=10
    db="$out/$what.db"; rm -f "$db"
    run run --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --set max_ops="$max_ops" \
      --set selection=nsga2 --set islands=8 --set population=4000 --set migrate_every=50 --set keep_programs=5000 \
      --budget "$budget" --seed "${seeds[0]}" --db "$db" --name "$what" -q | grep -E "^(best|run)"
    "$evo" pareto --db "$db" --run 1
    run baselines --domain funcapprox --set target=exp2 --set interval=0:1 --set precision=real --degrees 1:8 ;;
  expf)
    db="$out/expf.db"; rm -f "$db"
    run run --domain funcapprox --set scaffold=exp --set precision=float32 --set max_ops=14 \
      --budget "$budget" --seed "${seeds[0]}" --db "$db" --name expf -q --no-measure | grep -E "^(best|run)"
    "$evo" pareto --db "$db" --run 1
    # Every finite float through the whole-range kernels of the front's cheapest programs
    # under 1e-6 relative core error (the others cannot reach 1 ULP).
    ids=$("$evo" best --db "$db" --run 1 --where error\<=1e-6 --top 5 --format json |
          python3 -c 'import json,sys; print(" ".join("--candidate %d" % c["candidate"] for c in json.load(sys.stdin)))')
    [[ -n "$ids" ]] && run measure --db "$db" $ids
    best=$("$evo" best --db "$db" --run 1 --top 1 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["candidate"])')
    run speed --db "$db" --candidate "$best" ;;
  expf-time)
    db="$out/expf-time.db"; rm -f "$db"
    run run --domain funcapprox --set scaffold=exp --set precision=float32 --set cost=time --set error=ulp \
      --set error_bound=1 --set selection=nsga2 --set max_ops=14 --budget 10000000 --time-limit "$budget" \
      --seed "${seeds[0]}" --db "$db" --name expf-time -q --no-measure | grep -E "^(best|run)"
    "$evo" pareto --db "$db" --run 1
    # Every finite float through the front's kernels; then the fastest within 1 ULP, timed
    # beside the libraries.
    run measure --db "$db" --run 1 --format json > "$out/expf-time-measure.json"
    "$evo" measure --db "$db" --run 1
    best=$(python3 -c '
import json, sys
ok = [c for c in json.load(open(sys.argv[1]))
      if c["measurements"]["ulp_exhaustive"]["value"] is not None and c["measurements"]["ulp_exhaustive"]["value"] <= 1
      and c["objectives"]["time"] is not None]
print(min(ok, key=lambda c: c["objectives"]["time"])["candidate"] if ok else "")' "$out/expf-time-measure.json")
    [[ -n "$best" ]] && run speed --db "$db" --candidate "$best" ;;
  expf-poly)
    db="$out/expf-poly.db"; rm -f "$db"
    run run --domain funcapprox --set scaffold=exp --set precision=float32 --set error=ulp --set points=16384 \
      --set ops=add,sub,mul,fma --set selection=nsga2 --set max_ops=14 --budget 10000000 --time-limit "$budget" \
      --seed "${seeds[0]}" --db "$db" --name expf-poly -q --no-measure | grep -E "^(best|run)"
    "$evo" pareto --db "$db" --run 1
    # Every finite float through the kernels of the run's five best candidates within 1.1 ULP on the
    # grid (the grid error includes the argument's rounding); then the best of them, timed
    # beside the libraries.
    ids=$("$evo" best --db "$db" --run 1 --where error\<=1.1 --top 5 --format json |
          python3 -c 'import json,sys; print(" ".join("--candidate %d" % c["candidate"] for c in json.load(sys.stdin)))')
    [[ -n "$ids" ]] || exit 0
    run measure --db "$db" $ids --format json > "$out/expf-poly-measure.json"
    "$evo" measure --db "$db" $ids
    best=$(python3 -c '
import json, sys
c = min(json.load(open(sys.argv[1])), key=lambda c: c["measurements"]["ulp_exhaustive"]["value"])
print(c["candidate"])' "$out/expf-poly-measure.json")
    run speed --db "$db" --candidate "$best" ;;
  expf-speed)
    core="$here/bench/programs/expf_poly_82601.txt"
    settings=(--domain funcapprox --set scaffold=exp --set precision=float32 --set error=ulp --set points=16384)
    run eval "${settings[@]}" --program "$core" --measure
    for ((k = 1; k <= ${given:-5}; ++k)); do run speed "${settings[@]}" --program "$core"; done ;;
  log2|tanh)
    db="$out/$what.db"; rm -f "$db"
    interval=$([[ $what == log2 ]] && echo "1:2" || echo "0:4")
    run run --domain funcapprox --set target="$what" --set interval="$interval" --set precision=real --set max_ops=16 \
      --set selection=nsga2 --budget "$budget" --seed "${seeds[0]}" --db "$db" --name "$what" -q | grep -E "^(best|run)"
    "$evo" pareto --db "$db" --run 1
    run baselines --domain funcapprox --set target="$what" --set interval="$interval" --set precision=real --degrees 1:8 ;;
  *) echo "unknown goal '$what'" >&2; exit 2 ;;
esac
