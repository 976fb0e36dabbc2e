#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and UBSan in
# build-fuzz/, then fuzzes each for SECONDS (default 60) from its seed corpus in
# tests/fuzz/corpus/<target>. New inputs the fuzzer finds go to build-fuzz/corpus/<target>
# (the seed corpus is never written). A crash, a sanitizer report, a leak, a 10 s input or
# more than 2 GB of memory fails the run; the input is kept in build-fuzz/findings/.
#   tools/fuzz.sh [SECONDS] [TARGET...]      targets: program_text checkpoint safetensors npy idx answer run_config
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${EVO_FUZZ_BUILD_DIR:-$here/build-fuzz}"
seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2; }
shift || true
all=(program_text checkpoint safetensors npy idx answer run_config)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (one of: ${all[*]})" >&2; exit 2; }
done

bash "$here/tools/bootstrap.sh" deps clang-14 libclang-rt-14-dev
# -O1: clang takes 16 minutes over the interpreter's instantiations at -O2 with the
# sanitizers, 70 s at -O1; the fuzzers lose little speed.
cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
  -DEVO_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

mkdir -p "$build_dir/findings"
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"
  mkdir -p "$corpus"
  dict=()
  [[ -f "$here/tests/fuzz/$t.dict" ]] && dict=(-dict="$here/tests/fuzz/$t.dict")
  log="$build_dir/fuzz_$t.log"
  if ! "$build_dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build_dir/findings/$t-" "${dict[@]}" \
      "$corpus" "$here/tests/fuzz/corpus/$t" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz.sh: fuzz_$t found a problem (log: $log; input in $build_dir/findings/)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz_$t: ${runs:-?} inputs in ${seconds} s, no findings ($(ls "$corpus" | wc -l) corpus entries)"
done
