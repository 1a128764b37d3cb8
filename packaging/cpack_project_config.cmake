# Read by cpack (CPACK_PROJECT_CONFIG_FILE, set in cmake/packaging.cmake) before it builds packages.

if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  # precopy.pc, the CMake package and precopy-save-helper carry the configure-time prefix.
  message(FATAL_ERROR "precopy: a Debian package installs into /usr, but this build directory was "
    "configured with CMAKE_INSTALL_PREFIX=${CPACK_PACKAGING_INSTALL_PREFIX}; reconfigure with "
    "-DCMAKE_INSTALL_PREFIX=/usr")
endif()

# CPack's DEB generator prepends CPACK_PACKAGE_DESCRIPTION_SUMMARY to every component's
# description; ours carry their own synopsis line (CPACK_DEBIAN_<COMPONENT>_DESCRIPTION).
unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)
