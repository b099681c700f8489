# ctest script: cmake --install into SCRATCH/prefix, configure + build CONSUMER_SOURCE against it, run the consumer.
file(REMOVE_RECURSE "${SCRATCH}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message("${out}")
endfunction()
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${SCRATCH}/prefix")
run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE}" -B "${SCRATCH}/build" -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER=${CXX} "-DCMAKE_PREFIX_PATH=${SCRATCH}/prefix" "-DKokkos_DIR=${KOKKOS_DIR}")
run(${CMAKE_COMMAND} --build "${SCRATCH}/build")
run("${SCRATCH}/build/voxflow_consumer")
