#!/usr/bin/env bash
# What an external evaluator costs evo per candidate, beyond the evaluator's own work: runs
# of the external domain whose evaluators answer at once, in process mode (a new process
# per candidate) and server mode (one long-lived process per thread).
#
#   bash bench/external_overhead.sh [CANDIDATES] [THREADS]     (defaults 2000, 1)
#
# Prints, per configuration, the wall time and the wall time per candidate.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evo="${EVO:-$here/build/tools/evo}"
n="${1:-2000}"
threads="${2:-1}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
py="python3 $here/tests/data/misbehaving_evaluator.py ok"
sh_answer="read line; echo '{\"score\": 1}'"

measure() {  # NAME MODE COMMAND
  local db="$out/$1-$2.db"
  local cmd=("$evo" run --domain external --set "command=$3" --set genome=reals --set length=4 --set "mode=$2"
             --budget "$n" --seed 1 --threads "$threads" --db "$db" -q)
  echo "\$ evo ${cmd[*]:1}" >&2
  local t0 t1
  t0=$(date +%s.%N)
  "${cmd[@]}" > /dev/null
  t1=$(date +%s.%N)
  python3 -c "import sys; w = $t1 - $t0; print('%-32s %7.2f s wall  %9.3f ms per candidate' % (sys.argv[1], w, 1000 * w / $n))" \
    "$1 ($2)"
}

echo "$n candidates, $threads thread(s)"
measure "sh: read; echo" process "$sh_answer"
measure "python3 evaluator" process "$py"
measure "sh: read; echo (loop)" server "while read line; do echo '{\"score\": 1}'; done"
measure "python3 evaluator" server "$py"
