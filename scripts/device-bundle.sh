#!/usr/bin/env bash
# Packs voxflow's CUDA build for a GPU machine that has the NVIDIA driver, glibc and Python but none of Debian's
# libraries (the device tool's H200; docs/gpu-runbook.md): the programs, the test executables, exactly the shared
# libraries they need (by ldd), the OSIPI reference cases the tests read, and the runner, into one folder small
# enough to carry (64 MiB with the working tree).
#   scripts/device-bundle.sh      builds what is missing in build-cuda/ (scripts/build.sh --cuda), writes
#                                 build-cuda/device-bundle/{run-on-device.sh,payload.tar.xz,...}
# Environment: BUILD_DIR (default build-cuda/; a host build/ too, to rehearse the runner), VOXFLOW_BUNDLE_DIR,
# VOXFLOW_BUNDLE_TESTS (test executables, default every numerical area and the pipeline suite),
# VOXFLOW_BUNDLE_LIMIT_MIB (60), VOXFLOW_BUNDLE_NO_BUILD=1 packs the build as it is (builds nothing), JOBS.
#
# Libraries left out, because the device machine has its own and they must be its own: glibc's (libc, libm,
# libpthread, libdl, librt, libresolv, libutil, ld-linux: they must match that machine's dynamic loader, and its
# glibc is newer than Debian 12's 2.36), the NVIDIA driver's (libcuda, libnvidia-*: they must match its kernel
# module) and the CUDA toolkit's (cuBLAS and friends: see below). Carried: everything else, the GCC runtime too
# (libstdc++, libgcc_s, libgomp), so that the programs find at least the versions they were linked against.
# CUDA's runtime is linked statically by nvcc.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-cuda}
bundle=${VOXFLOW_BUNDLE_DIR:-$build/device-bundle}
limit_mib=${VOXFLOW_BUNDLE_LIMIT_MIB:-60}
read -r -a tests <<<"${VOXFLOW_BUNDLE_TESTS:-test_core test_signal test_fit test_aif test_t1 test_dce test_dsc test_asl test_ivim test_pipeline}"
log() { echo "device-bundle: $*" >&2; }

# test_pipeline starts these by their compiled-in paths (tests/CMakeLists.txt).
helpers=()
[[ " ${tests[*]} " == *" test_pipeline "* ]] && helpers+=(ledger_test_child)
targets="voxflow-cli voxflow-bench ${tests[*]} ${helpers[*]}"
if [ "${VOXFLOW_BUNDLE_NO_BUILD:-0}" = 1 ]; then
  :
elif [ -f "$build/CMakeCache.txt" ]; then
  cmake --build "$build" -j"${JOBS:-2}" $(for t in $targets; do echo --target "$t"; done) >&2
else
  BUILD_DIR=$build TARGETS=$targets "$root/scripts/build.sh" --cuda >&2
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
# The programs are in bin/, the test executables and their helpers in tests/; the bundle has them all in bin/.
for p in bin/voxflow bin/voxflow-bench "${tests[@]/#/tests/}" "${helpers[@]/#/tests/}"; do
  [ -x "$build/$p" ] || { log "missing $build/$p"; exit 1; }
  cp "$build/$p" "$stage/bin/"
done

# Shared libraries, closed under ldd. LAPACK and BLAS are Debian's alternatives: the reference ones are staged
# first (8 MB; OpenBLAS behind the alternatives is 36 MB), so that ldd resolves them, and what they need, there.
multiarch=/usr/lib/$(gcc -print-multiarch)
for reference_lib in lapack/liblapack.so.3 blas/libblas.so.3; do
  [ -f "$multiarch/$reference_lib" ] && cp -L "$multiarch/$reference_lib" "$stage/lib/"
done
# CUDA's toolkit libraries (cuBLAS alone is 570 MB, linked by KokkosKernels) are left out too: the device
# machine has the CUDA toolkit (nvcc 13 and its libraries), which run-on-device.sh puts on the library path.
excluded='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so|libresolv\.so|libutil\.so|libcuda\.so|libnvidia-|libcublas|libcublasLt|libcusparse|libcusolver|libcurand|libcufft|libcudart|libnvJitLink|libnvrtc)'
cuda_libraries='^(libcublas|libcublasLt|libcusparse|libcusolver|libcurand|libcufft|libcudart|libnvJitLink|libnvrtc)'
closure() { LD_LIBRARY_PATH=$stage/lib ldd "$stage"/bin/* "$stage"/lib/* 2>/dev/null; }
closure | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u | while read -r soname path; do
  [[ "$soname" =~ $excluded ]] && continue
  [ -e "$stage/lib/$soname" ] || cp -L "$path" "$stage/lib/$soname"
done
missing=$(closure | grep 'not found' | grep -Ev "^[[:space:]]*${cuda_libraries#^}" | sort -u || true)
[ -z "$missing" ] || { log "libraries not found on this machine:"$'\n'"$missing"; exit 1; }
strip --strip-unneeded "$stage"/bin/* "$stage"/lib/* 2>/dev/null || true

reference=$(sed -n 's/^VOXFLOW_REFERENCE_DIR:PATH=//p' "$build/CMakeCache.txt")
[ -d "$reference" ] && cp -r "$reference" "$stage/reference"
echo "$build" >"$stage/BUILD_ORIGIN"
{
  echo "voxflow device bundle, $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown), built $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "build: $build ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt"), Kokkos $(sed -n 's/^Kokkos_DIR:PATH=//p' "$build/CMakeCache.txt"))"
  (cd "$stage" && du -b bin/* lib/* | sort -k2)
} >"$stage/MANIFEST"

rm -rf "$bundle"
mkdir -p "$bundle"
log "packing $(du -sh "$stage" | cut -f1) (stripped) into $bundle/payload.tar.xz"
tar -cf - -C "$stage" . | nice -n 10 xz -6 -T"${JOBS:-2}" >"$bundle/payload.tar.xz"
cp "$root/scripts/device/run-on-device.sh" "$root/scripts/device/compare_maps.py" \
  "$root/scripts/device/fatbin_contents.py" "$stage/MANIFEST" "$bundle/"
size=$(du -sb "$bundle" | cut -f1)
log "bundle: $((size / 1024 / 1024)) MiB in $bundle (limit $limit_mib MiB)"
if [ "$size" -gt $((limit_mib * 1024 * 1024)) ]; then
  log "the bundle is over $limit_mib MiB: carry fewer test executables (VOXFLOW_BUNDLE_TESTS)"
  exit 1
fi
echo "$bundle"
