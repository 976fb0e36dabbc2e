#!/usr/bin/env bash
# The kill test at length: a seeded funcapprox run (2 threads) is killed at random moments
# (70 % kill -9, 15 % SIGINT, 15 % SIGTERM, 20-600 ms after each start or resume) ROUNDS
# times and resumed each time. After every kill: PRAGMA integrity_check is ok, the
# committed candidates are contiguous, and every candidate committed before the kill is
# still there, unchanged. At the end the run's candidates must equal those of the same run
# uninterrupted. It is the test suite's EvoKill test with more rounds.
#
#   bash bench/kill_test.sh [ROUNDS] [BUDGET] [SCHEDULE_SEED]     (defaults 60, 40000, 1)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tests="$here/build/tests/evo_e2e_tests"
[[ -x $tests ]] || { echo "build first: cmake --build build (no $tests)" >&2; exit 2; }
export EVO_KILL_ROUNDS="${1:-60}" EVO_KILL_BUDGET="${2:-40000}" EVO_KILL_SEED="${3:-1}"
echo "\$ EVO_KILL_ROUNDS=$EVO_KILL_ROUNDS EVO_KILL_BUDGET=$EVO_KILL_BUDGET EVO_KILL_SEED=$EVO_KILL_SEED $tests --gtest_filter=EvoKill.*" >&2
/usr/bin/time -f "%e s wall" "$tests" --gtest_filter='EvoKill.*' --gtest_brief=1
