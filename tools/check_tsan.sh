#!/usr/bin/env bash
# Builds evo and its tests with ThreadSanitizer in build-tsan/ and runs the whole test suite
# there. Any report fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${EVO_TSAN_BUILD_DIR:-$here/build-tsan}"
bash "$here/tools/bootstrap.sh" deps chromium  # chromium: the report test
cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVO_SANITIZE=thread >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target evo evo_unit_tests evo_e2e_tests
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$here/tools/tsan.supp"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
