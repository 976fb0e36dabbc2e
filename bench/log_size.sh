#!/usr/bin/env bash
# The write-ahead log beside a run's database: its largest size while the run writes
# (sampled every 0.2 s), with the run's wall time, max RSS and the database's final size.
#
#   bash bench/log_size.sh BUDGET [EVO] [SETTINGS...]
#   e.g. bash bench/log_size.sh 50000                       # the default funcapprox search
#        bash bench/log_size.sh 1000000 build/tools/evo fit=none   # the writer at full speed
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
budget="${1:?usage: log_size.sh BUDGET [EVO] [SETTINGS...]}"
evo="${2:-$here/build/tools/evo}"
shift 2 || shift $#
[[ -x $evo ]] || { echo "build first: cmake --build build (no $evo)" >&2; exit 2; }
sets=()
for s in "$@"; do sets+=(--set "$s"); done
work="$(mktemp -d)"
db="$work/r.db"
sampler=""
trap '[[ -n $sampler ]] && kill $sampler 2>/dev/null; rm -rf "$work"' EXIT
echo 0 > "$work/peak"
(
  peak=0
  while true; do
    s=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
    if ((s > peak)); then peak=$s; echo $peak > "$work/peak"; fi
    sleep 0.2
  done
) &
sampler=$!
/usr/bin/time -o "$work/time" -f "%e %M" "$evo" run --domain funcapprox "${sets[@]}" --budget "$budget" --seed 1 \
  --threads 2 --db "$db" -q >/dev/null
kill $sampler; sampler=""
read -r wall rss_kb < "$work/time"
printf '| %s | %s | %.0f MB | %.0f MB | %d MB | %s s |\n' "${*:-defaults}" "$budget" \
  "$(awk -v b="$(cat "$work/peak")" 'BEGIN { print b / 1e6 }')" "$(awk -v b="$(stat -c %s "$db")" 'BEGIN { print b / 1e6 }')" \
  $((rss_kb / 1024)) "$wall"
