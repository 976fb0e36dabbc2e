#!/usr/bin/env bash
# Database size and memory of long runs: funcapprox with fit=none (so that nearly every
# candidate is a new function and the FEC cache fills), 2 threads, one fresh database per
# line. Prints one Markdown table row per run: the settings, candidates, database bytes,
# bytes per candidate, FEC entries stored, programs stored, max RSS and wall time.
#
#   bash bench/long_runs.sh [BUDGETS] [EXTRA_SETTINGS...]
#   e.g. bash bench/long_runs.sh "1000000 3000000" "" cache_size=100000 keep_programs=100
# Each EXTRA_SETTINGS word is one run configuration ("" for the defaults; key=value,key=value).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evo="$here/build/tools/evo"
[[ -x $evo ]] || { echo "build first: cmake --build build (no $evo)" >&2; exit 2; }
budgets="${1:-100000 1000000}"
shift || true
configs=("$@")
((${#configs[@]})) || configs=("")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "| settings | candidates | database | bytes per candidate | FEC entries | programs kept | max RSS | wall |"
echo "|---|---|---|---|---|---|---|---|"
for cfg in "${configs[@]}"; do
  sets=(--set fit=none)
  IFS=',' read -ra pairs <<< "$cfg"
  for p in "${pairs[@]}"; do [[ -n $p ]] && sets+=(--set "$p"); done
  for n in $budgets; do
    db="$work/r.db"
    rm -f "$db" "$db-wal" "$db-shm"
    echo "\$ evo run --domain funcapprox ${sets[*]} --budget $n --seed 1 --threads 2 --db r.db -q" >&2
    /usr/bin/time -o "$work/time" -f "%M %e" "$evo" run --domain funcapprox "${sets[@]}" --budget "$n" --seed 1 \
      --threads 2 --db "$db" -q >/dev/null
    read -r rss_kb wall < "$work/time"
    sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    bytes=$(stat -c %s "$db")
    entries=$(sqlite3 "$db" "select count(*) from fec_cache")
    kept=$(sqlite3 "$db" "select (select count(*) from candidates where program != '') + (select count(*) from kept_programs)")
    printf '| %s | %s | %.1f MB | %d | %s | %s | %d MB | %s s |\n' "${cfg:-defaults}" "$n" \
      "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" $((bytes / n)) "$entries" "$kept" $((rss_kb / 1024)) "$wall"
  done
done
