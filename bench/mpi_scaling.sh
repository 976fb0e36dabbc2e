#!/usr/bin/env bash
# Throughput of one seeded search in one process and over 1, 2 and 3 MPI ranks on this
# machine, and what dispatching costs per batch (the "mpi:" line evo prints).
#
#   bash bench/mpi_scaling.sh funcapprox [BUDGET]   exp2 on [0, 1], cheap evaluations (default 20000)
#   bash bench/mpi_scaling.sh optimizer [BUDGET]    the first stage's tasks, costly evaluations (default 1000;
#                                                   population 100, the start population are AdamW copies)
#   bash bench/mpi_scaling.sh compression [BUDGET]  an elitist search with screening on a model
#                                                   trained here (12 residual blocks of width 64;
#                                                   default 6401 = 100 generations)
#
# Every configuration must give the same candidates; the script checks that too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evo="${EVO:-$here/build/tools/evo}"
what="${1:?usage: mpi_scaling.sh funcapprox|optimizer|compression [BUDGET]}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
root=()
[[ $(id -u) -eq 0 ]] && root=(--allow-run-as-root)

case "$what" in
  funcapprox) budget="${2:-20000}"; args=(--domain funcapprox --set target=exp2 --set interval=0:1 --set max_ops=10) ;;
  optimizer) budget="${2:-1000}"; args=(--domain optimizer --set funnel_tasks=none --set population=100) ;;
  compression)
    budget="${2:-6401}"
    echo "\$ evo model train --out $out/m.safetensors --width 64 --blocks 12 --epochs 1 -q" >&2
    "$evo" model train --out "$out/m.safetensors" --width 64 --blocks 12 --epochs 1 -q > /dev/null
    args=(--domain compression --set "model=$out/m.safetensors")
    # The per-layer level database is built once beside the model; build it before timing.
    "$evo" run "${args[@]}" --budget 1 --db "$out/warm.db" -q > /dev/null
    rm -f "$out/warm.db" ;;
  *) echo "usage: mpi_scaling.sh funcapprox|optimizer|compression [BUDGET]" >&2; exit 2 ;;
esac

measure() {  # LABEL DB LAUNCHER... -- EVO-ARGS...
  local label="$1" db="$2"; shift 2
  local launcher=()
  while [[ "$1" != "--" ]]; do launcher+=("$1"); shift; done
  shift
  local cmd=("${launcher[@]}" "$evo" run "${args[@]}" --budget "$budget" --seed 1 --db "$db" -q "$@")
  echo "\$ ${cmd[*]}" >&2
  local t0 t1 log
  t0=$(date +%s.%N)
  log=$("${cmd[@]}")
  t1=$(date +%s.%N)
  python3 -c "import sys; w = $t1 - $t0; print('%-28s %8.2f s wall  %8.1f candidates/s' % (sys.argv[1], w, $budget / w))" "$label"
  grep '^mpi:' <<<"$log" | sed 's/^/    /' || true
}

mpi=(mpirun --oversubscribe --bind-to none "${root[@]}")
measure "1 process, 1 thread" "$out/p1.db" -- --threads 1
measure "1 process, 2 threads" "$out/p2.db" -- --threads 2
for n in 1 2 3; do
  measure "$n rank(s), 1 thread each" "$out/mpi$n.db" "${mpi[@]}" -np "$n" -- --threads 1 --mpi
done
measure "3 ranks, 2 threads each" "$out/mpi3t2.db" "${mpi[@]}" -np 3 -- --threads 2 --mpi

# The same candidates everywhere (the time-independent columns).
q="select id, birth, program, objectives, valid, functional_hash from candidates order by id"
ref=$(sqlite3 "$out/p1.db" "$q" | md5sum)
for db in "$out"/*.db; do
  [[ $(sqlite3 "$db" "$q" | md5sum) == "$ref" ]] || { echo "DIFFERENT candidates in $(basename "$db")" >&2; exit 1; }
done
echo "all configurations: identical candidates"
