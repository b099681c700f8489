# install() rules and a package config so a downstream project can find_package(voxflow).
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)
install(TARGETS voxflow EXPORT voxflowTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS voxflow-cli voxflow-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/voxflow" "${PROJECT_BINARY_DIR}/include/voxflow"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT voxflowTargets NAMESPACE voxflow:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/voxflow)
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/voxflowConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/voxflowConfig.cmake"
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/voxflow)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/voxflowConfigVersion.cmake"
                                 COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/voxflowConfig.cmake" "${PROJECT_BINARY_DIR}/voxflowConfigVersion.cmake"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/voxflow)
