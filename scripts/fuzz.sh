#!/usr/bin/env bash
# Builds the libFuzzer harnesses of voxflow's readers (fuzz/, with clang, under ASan + UBSan) when missing or
# stale, writes their seed corpora, and runs one target for a bounded time.
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]
#   scripts/fuzz.sh --list            the targets
#   scripts/fuzz.sh --build           builds every target and the seeds, runs nothing
# TARGET: nifti, config, csv, number_list, aslcontext, bids_sidecar, dicom (the harness fuzz/fuzz_TARGET.cpp).
# The growing corpus lives in build-fuzz/corpus/TARGET (kept between runs), crashes in build-fuzz/artifacts/.
# A crash, leak, timeout or out-of-memory ends the run with a non-zero status, and the reproducer is printed
# as its path, its size and its bytes in base64 (rerun with: build-fuzz/fuzz_TARGET REPRODUCER).
# Environment: FUZZ_BUILD_DIR (default build-fuzz), JOBS, CC/CXX (default clang/clang++).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=(nifti config csv number_list aslcontext bids_sidecar dicom)
if [ "${1:-}" = --list ]; then printf '%s\n' "${targets[@]}"; exit 0; fi

# Builds `fuzz_<name>...` (one at a time: CI runs two targets in parallel) and writes the seeds once.
build_targets() {
  mkdir -p "$build"
  exec 9>"$build/.lock"
  flock 9
  if [ ! -f "$build/CMakeCache.txt" ]; then
    # The packages and the host Kokkos (its headers only) from the bootstrap, which skips what is already there.
    local kokkos
    kokkos=$("$root/scripts/bootstrap-deps.sh" --openmp | tail -n 1)
    CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$root/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DVOXFLOW_KOKKOS_ROOT="$kokkos" \
      >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
    rm -f "$build/configure.log"
  fi
  cmake --build "$build" -j"${JOBS:-2}" --target "$@" write_seeds >"$build/build.log" 2>&1 ||
    { cat "$build/build.log" >&2; exit 1; }
  if [ ! -d "$build/seeds" ]; then
    rm -rf "$build/seeds.new"
    ASAN_OPTIONS=detect_leaks=0 "$build/write_seeds" "$build/seeds.new"
    mv "$build/seeds.new" "$build/seeds"
  fi
  flock -u 9
}
if [ "${1:-}" = --build ]; then build_targets "${targets[@]/#/fuzz_}"; exit 0; fi

if [ $# -lt 2 ]; then echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer options] (targets: ${targets[*]})" >&2; exit 2; fi
target=$1 seconds=$2
shift 2
[[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target '$target' (${targets[*]})" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, found '$seconds'" >&2; exit 2; }
build_targets "fuzz_$target"

corpus=$build/corpus/$target artifacts=$build/artifacts/$target
mkdir -p "$corpus" "$artifacts"
log=$build/fuzz-$target.log
echo "fuzz $target: ${seconds} s, corpus $corpus (seeds $build/seeds/$target)"
status=0
started=$build/started-$target
touch "$started"
# Leaks are real findings here (no Kokkos runtime in the harnesses), except those fuzz/lsan-suppressions.txt
# names inside third-party codecs; -rss_limit_mb bounds what a header may make a reader allocate, -timeout
# what one input may take.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/fuzz/lsan-suppressions.txt:print_suppressions=0} \
  "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$@" "$corpus" "$build/seeds/$target" >"$log" 2>&1 || status=$?
grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' \
  "$log" | sed "s/^/fuzz $target: /" || true
if [ "$status" -ne 0 ]; then
  tail -n 60 "$log"
  for reproducer in "$artifacts"/*; do
    [ -f "$reproducer" ] && [ "$reproducer" -nt "$started" ] || continue  # this run's, not an earlier one's
    echo "fuzz $target: reproducer $reproducer ($(stat -c %s "$reproducer") bytes), base64:"
    head -c 65536 "$reproducer" | base64 -w 100
  done
  echo "fuzz $target: FAILED (status $status); rerun with $build/fuzz_$target REPRODUCER"
  exit 1
fi
echo "fuzz $target: no crash, leak or timeout"
