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
