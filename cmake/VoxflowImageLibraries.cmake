# The NIfTI C library and GDCM, found by path: by the library build (VoxflowDependencies.cmake) and by the fuzz
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
