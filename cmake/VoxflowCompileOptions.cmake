# Warning and sanitizer flags for voxflow's own targets (never for dependencies).
add_library(voxflow_compile_options INTERFACE)
target_compile_options(voxflow_compile_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wno-unknown-pragmas>)
if(VOXFLOW_WARNINGS_AS_ERRORS)
  target_compile_options(voxflow_compile_options INTERFACE $<$<CXX_COMPILER_ID:GNU,Clang>:-Werror>)
endif()
if(VOXFLOW_SANITIZE)
  target_compile_options(voxflow_compile_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                           -fno-sanitize-recover=undefined)
  target_link_options(voxflow_compile_options INTERFACE -fsanitize=address,undefined)
endif()

# Fused multiply-adds: ISO C++ mode (CMAKE_CXX_EXTENSIONS OFF) makes GCC keep a*b+c unfused, which costs the
# per-voxel kernels about a third of their speed; contraction changes results only at rounding level.
target_compile_options(voxflow_compile_options INTERFACE $<$<CXX_COMPILER_ID:GNU,Clang>:-ffp-contract=fast>)
# Code for the build machine's own CPU (AVX2/AVX-512, FMA). Off by default because cluster login and compute nodes
# can differ; scripts/build.sh turns it on for the machine it runs on.
option(VOXFLOW_ARCH_NATIVE "Compile for the build machine's CPU (-march=native)" OFF)
if(VOXFLOW_ARCH_NATIVE AND NOT VOXFLOW_ENABLE_CUDA)
  target_compile_options(voxflow_compile_options INTERFACE -march=native)
endif()
