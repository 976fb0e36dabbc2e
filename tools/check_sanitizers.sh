#!/usr/bin/env bash
# Builds evo and its tests with AddressSanitizer + UndefinedBehaviorSanitizer in
# build-asan/ and runs the whole test suite there. Any finding fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${EVO_ASAN_BUILD_DIR:-$here/build-asan}"
bash "$here/tools/bootstrap.sh" deps chromium  # chromium: the report test
cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVO_SANITIZE=address,undefined >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target evo evo_unit_tests evo_e2e_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
