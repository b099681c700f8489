#!/usr/bin/env bash
# Configures and builds voxflow, installing whatever is missing first (scripts/bootstrap-deps.sh).
#   scripts/build.sh              host build (Serial + OpenMP) in build/, binaries in build/bin
#   scripts/build.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#   scripts/build.sh --cuda       CUDA build in build-cuda/ (compiles and links; running needs a GPU), device code for
#                                 VOXFLOW_CUDA_ARCH (default HOPPER90: sm_90 SASS + compute_90 PTX; see
#                                 docs/gpu-runbook.md, also for a site's Kokkos 4.x with Kokkos_ARCH_HOPPER90)
# Environment: BUILD_DIR overrides the build folder, JOBS the parallelism, VOXFLOW_DEPS the dependency cache,
# VOXFLOW_ARCH_NATIVE=OFF builds portable binaries (default: for this machine's CPU),
# Kokkos_ROOT a Kokkos of your own (e.g. a site's Kokkos 4.x; then no Kokkos is built), CI=true turns warnings into
# errors, TARGETS (space-separated) builds only those targets.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
variant=host
for arg in "$@"; do
  case "$arg" in
    --sanitize) variant=asan ;;
    --cuda) variant=cuda ;;
    *) echo "build.sh: unknown argument '$arg' (expected --sanitize or --cuda)" >&2; exit 2 ;;
  esac
done
JOBS=${JOBS:-$(nproc)}

flags=()
bootstrap=()
[ -n "${Kokkos_ROOT:-}" ] && bootstrap+=(--packages-only)
if [ "$variant" = cuda ]; then
  bootstrap+=(--cuda)
  # The reference LAPACK (Debian's liblapack3) rather than OpenBLAS: the device build calls only dgesvd (DSC, on
  # the host), and the device bundle (scripts/device-bundle.sh) then carries 8 MB instead of OpenBLAS' 36 MB.
  flags+=(-DVOXFLOW_ENABLE_CUDA=ON -DBLA_VENDOR=Generic)
  export PATH=/usr/local/cuda/bin:$PATH
fi
prefix=$("$root/scripts/bootstrap-deps.sh" "${bootstrap[@]}" | tail -n 1)
[ "$variant" = host ] && flags+=(-DVOXFLOW_ARCH_NATIVE=${VOXFLOW_ARCH_NATIVE:-ON})
[ "$variant" = asan ] && flags+=(-DVOXFLOW_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
[ "${CI:-}" = true ] && flags+=(-DVOXFLOW_WARNINGS_AS_ERRORS=ON)

case "$variant" in
  host) build=${BUILD_DIR:-$root/build} ;;
  asan) build=${BUILD_DIR:-$root/build-asan} ;;
  cuda) build=${BUILD_DIR:-$root/build-cuda} ;;
esac
# Kokkos is found afresh from $prefix at every configure: a Kokkos_DIR cached by an earlier configure (another
# architecture's prefix, an older Kokkos) would otherwise win over Kokkos_ROOT and keep building for it.
cmake -S "$root" -B "$build" -UKokkos_DIR -UKokkosKernels_DIR "-DKokkos_ROOT=$prefix" "-DCMAKE_PREFIX_PATH=$prefix" \
  "${flags[@]}" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log" >&2; exit 1; }
rm -f "$build.configure.log"
targets=()
for t in ${TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j"$JOBS" "${targets[@]}"
echo "$build"
