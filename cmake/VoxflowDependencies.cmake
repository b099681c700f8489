# Finds every dependency and fails loudly when a required one is missing or unusable.

# --- Kokkos -------------------------------------------------------------------------------------------------
# Debian's libtrilinos-kokkos-dev is a Serial-only Kokkos 3.4.01 with a broken imported target, and it reports the
# same version as ours (DEPS.md P3); it must never be picked up silently.
set(_voxflow_default_kokkos "$ENV{HOME}/.cache/voxflow/kokkos-3.4.01-openmp")
if(DEFINED ENV{VOXFLOW_DEPS})
  set(_voxflow_default_kokkos "$ENV{VOXFLOW_DEPS}/kokkos-3.4.01-openmp")
endif()
if(VOXFLOW_ENABLE_CUDA)
  # scripts/bootstrap-deps.sh --cuda: one prefix per GPU architecture (VOXFLOW_CUDA_ARCH, default HOPPER90).
  set(_voxflow_cuda_arch "HOPPER90")
  if(DEFINED ENV{VOXFLOW_CUDA_ARCH})
    set(_voxflow_cuda_arch "$ENV{VOXFLOW_CUDA_ARCH}")
  endif()
  string(TOLOWER "-cuda-${_voxflow_cuda_arch}" _voxflow_cuda_suffix)
  string(REPLACE "-openmp" "${_voxflow_cuda_suffix}" _voxflow_default_kokkos "${_voxflow_default_kokkos}")
endif()
find_package(Kokkos CONFIG HINTS "${_voxflow_default_kokkos}")
if(NOT Kokkos_FOUND)
  message(FATAL_ERROR "voxflow: Kokkos not found. Run scripts/bootstrap-deps.sh (it installs Kokkos 3.4.01 with "
                      "OpenMP into ${_voxflow_default_kokkos}) or pass -DKokkos_ROOT=<your Kokkos install>.")
endif()
if(Kokkos_DIR MATCHES "^/usr/lib/" OR NOT "OPENMP" IN_LIST Kokkos_DEVICES)
  message(FATAL_ERROR "voxflow: the Kokkos found at ${Kokkos_DIR} (devices '${Kokkos_DEVICES}') lacks the OpenMP "
                      "backend; it is probably Debian's Serial-only Trilinos Kokkos. Run scripts/bootstrap-deps.sh "
                      "or pass -DKokkos_ROOT=<a Kokkos built with OpenMP>.")
endif()
if(VOXFLOW_ENABLE_CUDA AND NOT "CUDA" IN_LIST Kokkos_DEVICES)
  message(FATAL_ERROR "voxflow: VOXFLOW_ENABLE_CUDA=ON but the Kokkos at ${Kokkos_DIR} has no CUDA backend "
                      "(devices '${Kokkos_DEVICES}'). Run scripts/bootstrap-deps.sh --cuda.")
endif()
get_filename_component(_voxflow_kokkos_prefix "${Kokkos_DIR}/../../.." ABSOLUTE)
find_package(KokkosKernels CONFIG REQUIRED HINTS "${_voxflow_kokkos_prefix}")

# --- MPI and HDF5 (optional, explicit) --------------------------------------------------------------------------
set(VOXFLOW_HAVE_MPI OFF)
if(VOXFLOW_ENABLE_MPI)
  find_package(MPI REQUIRED COMPONENTS CXX)
  set(VOXFLOW_HAVE_MPI ON)
endif()
set(VOXFLOW_HAVE_HDF5 OFF)
if(VOXFLOW_ENABLE_HDF5)
  set(HDF5_PREFER_PARALLEL OFF)  # one file per subject, written by one rank: serial HDF5 (DEPS.md P8)
  find_package(HDF5 REQUIRED COMPONENTS C)
  set(VOXFLOW_HAVE_HDF5 ON)
  # Linked by path (HDF5_C_LIBRARIES) rather than imported target: re-finding HDF5 in a consumer needs the C language.
endif()

# --- Formats ------------------------------------------------------------------------------------------------------
find_package(nlohmann_json 3 CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)  # target `yaml-cpp` (0.7 has no namespaced target)
# dgesvd for the DSC deconvolution operators, linked directly: KokkosKernels brings LAPACK only when it was built
# with its TPLs (the host flavour here, not the CUDA one or every site's Kokkos 4.x).
find_package(LAPACK REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PNG REQUIRED)
include(VoxflowImageLibraries)  # NIfTI, GDCM and libdeflate, found by hand (shared with the fuzz harnesses, fuzz/)

# --- Command line ------------------------------------------------------------------------------------------------
find_package(CLI11 CONFIG REQUIRED)
