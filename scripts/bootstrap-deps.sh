#!/usr/bin/env bash
# Installs everything voxflow needs that a fresh Debian 12 machine lacks, and skips what is already there:
#   1. Debian packages (MPI, HDF5, yaml-cpp, GoogleTest, NIfTI, DICOM, JSON, OpenBLAS, CLI11, libpng, libdeflate,
#      ISA-L; Slurm and munge for the cluster test);
#   2. Kokkos 3.4.01 + KokkosKernels 3.4.01 (Serial + OpenMP) built from Debian's Trilinos 13.2 source
#      into a cache prefix outside the build tree;
#   3. with --cuda, a second prefix with CUDA enabled (nvcc 13 under /usr/local/cuda) for one GPU architecture,
#      VOXFLOW_CUDA_ARCH (a Kokkos_ARCH_* name; default HOPPER90, the H200's sm_90). Kokkos 3.4.01 predates Hopper:
#      scripts/patches/kokkos-3.4.01-hopper90.patch teaches it HOPPER90 (-arch=sm_90: native sm_90 SASS plus
#      compute_90 PTX), and kokkos-3.4.01-cuda13.patch makes it build with CUDA 13. Kokkos 3.4 aborts at start-up
#      when the compiled major capability differs from the device's, so an AMPERE80 build cannot run on Hopper.
# With --packages-only, only step 1 runs (for builds against a Kokkos of the user's own, Kokkos_ROOT).
#
# Environment: VOXFLOW_DEPS (default ~/.cache/voxflow) holds the source tarball and the prefixes;
#              JOBS (default nproc); VOXFLOW_SKIP_APT=1 skips step 1.
# Prints the prefix of the requested flavour on its last line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPS=${VOXFLOW_DEPS:-$HOME/.cache/voxflow}
JOBS=${JOBS:-$(nproc)}
flavour=openmp
packages_only=0
for arg in "$@"; do
  case "$arg" in
    --cuda) flavour=cuda ;;
    --openmp) flavour=openmp ;;
    --packages-only) packages_only=1 ;;
    *) echo "bootstrap-deps: unknown argument '$arg' (expected --cuda, --openmp or --packages-only)" >&2; exit 2 ;;
  esac
done

TRILINOS_VERSION=13.2.0-4
TARBALL=trilinos_13.2.0.orig.tar.gz
SHA256=0ddb47784ba7b8a6b9a07a4822b33be508feb4ccd54301b2a5d10c9e54524b90
TOP=Trilinos-trilinos-release-13-2-0
CUDA_ARCH=${VOXFLOW_CUDA_ARCH:-HOPPER90}
case "$CUDA_ARCH" in
  AMPERE80 | AMPERE86 | HOPPER90) ;;
  *) echo "bootstrap-deps: VOXFLOW_CUDA_ARCH='$CUDA_ARCH' (expected AMPERE80, AMPERE86 or HOPPER90)" >&2; exit 2 ;;
esac
PREFIX=$DEPS/kokkos-3.4.01-$flavour
[ "$flavour" = cuda ] && PREFIX=$PREFIX-${CUDA_ARCH,,}

log() { echo "bootstrap-deps: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_PACKAGES=(
  ca-certificates cmake g++ make pkg-config patch
  libopenmpi-dev openmpi-bin libhdf5-dev libyaml-cpp-dev libgtest-dev libgmock-dev googletest
  libnifti2-dev libgdcm-dev nlohmann-json3-dev libopenblas-dev liblapack-dev libcli11-dev libpng-dev zlib1g-dev libdeflate-dev
  libisal-dev
  # Real files for the DICOM tests (the test data these packages ship) and dcm2niix to compare against.
  python3-nibabel python3-pydicom dcm2niix
  # clang with libFuzzer for the readers' fuzz harnesses (scripts/fuzz.sh).
  clang
  # A single-node Slurm for the cluster/ templates' test (scripts/slurm-local.sh; ctest -L slurm).
  slurm-wlm munge
)

install_packages() {
  [ "${VOXFLOW_SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The archive URI is read from the machine's own apt configuration; a private apt state folder holds a temporary
# deb-src entry so the system's apt setup is left untouched.
archive_uri() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { log "cannot find a Debian archive URI in /etc/apt"; exit 3; }
  echo "$uri"
}

fetch_source() {
  local apt_dir=$DEPS/apt
  mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial"
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$(archive_uri)" >"$apt_dir/parts/src.sources"
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/parts" -o "Dir::State::Lists=$apt_dir/lists")
  apt-get "${opts[@]}" -o APT::Sandbox::User=root update -qq
  (cd "$DEPS" && apt-get "${opts[@]}" -o APT::Sandbox::User=root source --download-only -qq "trilinos=$TRILINOS_VERSION")
}

have_tarball() { [ -f "$DEPS/$TARBALL" ] && (cd "$DEPS" && echo "$SHA256  $TARBALL" | sha256sum -c --quiet - >/dev/null 2>&1); }

# On failure, show the end of the log of the step that failed.
show_log_on_failure() {
  local rc=$?
  for f in "$DEPS"/build-"$flavour".*.log; do [ -f "$f" ] && { log "last lines of $f:"; tail -n 30 "$f" >&2; }; done
  exit $rc
}

build_kokkos() {
  local src=$DEPS/src-$flavour build=$DEPS/build-$flavour
  rm -f "$build".*.log
  trap show_log_on_failure ERR
  rm -rf "$src" "$build"
  mkdir -p "$src"
  log "extracting Kokkos and KokkosKernels from $TARBALL"
  tar xzf "$DEPS/$TARBALL" -C "$src" --strip-components=2 --wildcards \
    "$TOP/packages/kokkos/*" "$TOP/packages/kokkos-kernels/*"
  local common=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_EXTENSIONS=OFF
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON "-DCMAKE_INSTALL_PREFIX=$PREFIX")
  local kokkos_opts=(-DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_TESTS=OFF
    -DKokkos_ENABLE_EXAMPLES=OFF)
  local cxx=g++ kk_cxx=g++ kk_opts=(-DKokkosKernels_ENABLE_TPL_BLAS=ON -DKokkosKernels_ENABLE_TPL_LAPACK=ON)
  if [ "$flavour" = cuda ]; then
    export PATH=/usr/local/cuda/bin:$PATH
    local p
    for p in kokkos-3.4.01-cuda13.patch kokkos-3.4.01-hopper90.patch; do
      (cd "$src/kokkos" && patch -p1 -s <"$here/patches/$p")
    done
    cxx=$src/kokkos/bin/nvcc_wrapper
    kk_cxx=$PREFIX/bin/nvcc_wrapper
    kokkos_opts+=(-DKokkos_ENABLE_CUDA=ON -DKokkos_ENABLE_CUDA_LAMBDA=ON "-DKokkos_ARCH_$CUDA_ARCH=ON")
    kk_opts=()
  fi
  log "building Kokkos ($flavour) into $PREFIX"
  cmake -S "$src/kokkos" -B "$build/kokkos" "${common[@]}" -DCMAKE_CXX_COMPILER="$cxx" "${kokkos_opts[@]}" >"$build.kokkos.log" 2>&1
  cmake --build "$build/kokkos" -j"$JOBS" >>"$build.kokkos.log" 2>&1
  cmake --install "$build/kokkos" >>"$build.kokkos.log" 2>&1
  log "building KokkosKernels ($flavour)"
  cmake -S "$src/kokkos-kernels" -B "$build/kokkos-kernels" "${common[@]}" -DCMAKE_CXX_COMPILER="$kk_cxx" \
    "-DKokkos_ROOT=$PREFIX" -DKokkosKernels_ENABLE_TESTS=OFF -DKokkosKernels_ENABLE_EXAMPLES=OFF \
    -DKokkosKernels_ADD_DEFAULT_ETI=OFF "${kk_opts[@]}" >"$build.kk.log" 2>&1
  cmake --build "$build/kokkos-kernels" -j"$JOBS" >>"$build.kk.log" 2>&1
  cmake --install "$build/kokkos-kernels" >>"$build.kk.log" 2>&1
  trap - ERR
  rm -rf "$src" "$build" "$build".*.log
}

install_packages
if [ "$packages_only" = 1 ]; then
  echo "${Kokkos_ROOT:-}"
  exit 0
fi
mkdir -p "$DEPS"
if [ -f "$PREFIX/lib/cmake/KokkosKernels/KokkosKernelsConfig.cmake" ]; then
  log "Kokkos ($flavour) already installed in $PREFIX"
else
  if ! have_tarball; then
    log "fetching Debian's trilinos $TRILINOS_VERSION source"
    fetch_source
    have_tarball || { log "checksum mismatch for $DEPS/$TARBALL"; exit 3; }
  fi
  build_kokkos
fi
echo "$PREFIX"
