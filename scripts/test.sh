#!/usr/bin/env bash
# Builds whatever is missing (dependencies, voxflow, the tests) and runs the test suite with ctest.
#   scripts/test.sh               host build, all tests
#   scripts/test.sh --sanitize    the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   extra arguments after -- go to ctest, e.g. scripts/test.sh -- -L fit
# Tests read the OSIPI reference cases from ../shared/reference unless VOXFLOW_REFERENCE_DIR says otherwise.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    *) build_args+=("$1"); shift ;;
  esac
done
build=$("$root/scripts/build.sh" "${build_args[@]}" | tail -n 1)
cd "$build"
# ASan's leak checker cannot follow memory that Kokkos' OpenMP runtime keeps until exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
ctest --output-on-failure -j"${JOBS:-$(nproc)}" "$@"
