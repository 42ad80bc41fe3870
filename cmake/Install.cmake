# `cmake --install BUILD --prefix PREFIX`: the `caplnet` command, the static libraries of the runtime,
# the public headers, and a package config so that another project can
#   find_package(caplnet REQUIRED)
#   target_link_libraries(my_node PRIVATE caplnet::capl)   # a node in your own executable
#   caplnet_add_program(my_program my_program.cpp)         # a node program for `caplnet node --program`
# (examples/standalone_node). The build tree's targets are not exported: their usage requirements
# carry build-tree include dirs, warnings and sanitizer flags. caplnetConfig.cmake builds clean
# imported targets instead.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CAPLNET_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/caplnet)

install(TARGETS caplnet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS caplnet_capl caplnet_stack caplnet_netif caplnet_wire
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# The ready-made programs (tools/programs), for `caplnet node --program` without building anything.
install(TARGETS receiver sender LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/caplnet/programs)

# The public headers, and what they include from the source root (caplnet/capl/types.hpp includes
# netif/wire/ipv4.hpp, ipv6.hpp; those include the rest of netif/wire/). tests/tools/install_test.cpp
# builds examples/standalone_node against the installed tree alone, so a public header that starts
# including anything else fails there.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/capl_api/include/caplnet
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/netif/wire
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/netif FILES_MATCHING PATTERN "*.hpp")

# What the config file needs to know about this build.
set(CAPLNET_CONFIG_WITH_VDEPLUG ${CAPLNET_WITH_VDEPLUG})
set(CAPLNET_CONFIG_SANITIZE ${CAPLNET_SANITIZE})
configure_package_config_file(
    ${CMAKE_SOURCE_DIR}/cmake/caplnetConfig.cmake.in
    ${CMAKE_BINARY_DIR}/cmake/caplnetConfig.cmake
    INSTALL_DESTINATION ${CAPLNET_INSTALL_CMAKEDIR}
    PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(
    ${CMAKE_BINARY_DIR}/cmake/caplnetConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/caplnetConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/caplnetConfigVersion.cmake
              ${CMAKE_SOURCE_DIR}/cmake/CaplnetProgram.cmake
        DESTINATION ${CAPLNET_INSTALL_CMAKEDIR})
