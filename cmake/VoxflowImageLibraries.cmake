# The NIfTI C library, GDCM, libdeflate and ISA-L, found by path: by the library build (VoxflowDependencies.cmake) and by the fuzz
# harnesses (fuzz/CMakeLists.txt), which compile the readers again with clang.
# Debian's NIFTIConfig.cmake points at files that do not exist (DEPS.md P4): find the C library by hand. Plain paths
# (not imported targets) so that the installed package config needs nothing to re-find them.
find_path(VOXFLOW_NIFTI_INCLUDE_DIR nifti2_io.h PATH_SUFFIXES nifti REQUIRED)
find_library(VOXFLOW_NIFTI2_LIBRARY nifti2 REQUIRED)
find_library(VOXFLOW_NIFTICDF_LIBRARY nifticdf)
find_library(VOXFLOW_ZNZ_LIBRARY znz REQUIRED)
# DICOM through GDCM, by path for the same reason (Debian's GDCMConfig also drags in missing tool targets, DEPS.md P12).
find_path(VOXFLOW_GDCM_INCLUDE_DIR gdcmReader.h PATH_SUFFIXES gdcm-3.0 REQUIRED)
set(VOXFLOW_GDCM_LIBRARIES "")
foreach(component MSFF DSED DICT IOD Common)
  find_library(VOXFLOW_GDCM_${component}_LIBRARY gdcm${component} REQUIRED)
  list(APPEND VOXFLOW_GDCM_LIBRARIES ${VOXFLOW_GDCM_${component}_LIBRARY})
endforeach()
# libdeflate: whole-buffer gzip for .nii.gz inputs and maps (several times zlib's speed); Debian libdeflate-dev.
find_path(VOXFLOW_LIBDEFLATE_INCLUDE_DIR libdeflate.h)
find_library(VOXFLOW_LIBDEFLATE_LIBRARY NAMES deflate)
if(NOT VOXFLOW_LIBDEFLATE_INCLUDE_DIR OR NOT VOXFLOW_LIBDEFLATE_LIBRARY)
  message(FATAL_ERROR "voxflow needs libdeflate (libdeflate.h and libdeflate.so) for .nii.gz files: install the "
                      "Debian package libdeflate-dev (scripts/bootstrap-deps.sh does), or set "
                      "VOXFLOW_LIBDEFLATE_INCLUDE_DIR and VOXFLOW_LIBDEFLATE_LIBRARY")
endif()
# ISA-L's igzip: streaming inflate of .nii.gz inputs at libdeflate's speed (zlib's is half of it); Debian libisal-dev.
find_path(VOXFLOW_ISAL_INCLUDE_DIR isa-l/igzip_lib.h)
find_library(VOXFLOW_ISAL_LIBRARY NAMES isal)
if(NOT VOXFLOW_ISAL_INCLUDE_DIR OR NOT VOXFLOW_ISAL_LIBRARY)
  message(FATAL_ERROR "voxflow needs ISA-L (isa-l/igzip_lib.h and libisal.so) for .nii.gz files: install the "
                      "Debian package libisal-dev (scripts/bootstrap-deps.sh does), or set "
                      "VOXFLOW_ISAL_INCLUDE_DIR and VOXFLOW_ISAL_LIBRARY")
endif()
