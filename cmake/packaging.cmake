# packaging.cmake -- Debian packages with CPack (`cpack -G DEB` in the build directory).
#
# Included at the very end of the top-level CMakeLists.txt, after every install() rule. It adds
# the man pages (cmake/man.cmake), the docs, the example trace and environment file, and the
# Debian metadata, and configures CPack to build two packages from install components:
#
#   component  package          contents
#   runtime    libprecopy0      libprecopy.so.0*, /usr/bin/precopy, libprecopy_preload.so,
#                               /usr/libexec/precopy/precopy-save-helper, precopy(1), docs,
#                               examples (trace, precopy.env)
#   dev        libprecopy-dev   headers, libprecopy.a, libprecopy.so (the link-time name),
#                               CMake package files, precopy.pc, precopy(3)
#
# install() rules without a COMPONENT land in CMake's default component "Unspecified"; it is put in
# the runtime package's group, so a file nobody assigned is shipped rather than lost. Development
# files must therefore say COMPONENT dev explicitly (tests/package/test_deb.sh checks the split).
#
# Build a package (the prefix is baked into precopy.pc, the CMake files and the wrapper, so it must
# be /usr at configure time):
#     cmake -S . -B build/pkg -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo
#     cmake --build build/pkg -j2 && (cd build/pkg && cpack -G DEB)

include_guard(GLOBAL)

set(PRECOPY_DEB_MAINTAINER "precopy maintainers <maintainers@precopy.invalid>" CACHE STRING
  "Maintainer field of the Debian packages")
set(PRECOPY_DEB_RELEASE "1" CACHE STRING "Debian revision of the packages (the part after '-')")

set(PRECOPY_RUNTIME_PACKAGE "libprecopy${PROJECT_VERSION_MAJOR}")
set(PRECOPY_DEV_PACKAGE "libprecopy-dev")
set(PRECOPY_DOCDIR "${CMAKE_INSTALL_DATADIR}/doc/${PRECOPY_RUNTIME_PACKAGE}")
set(PRECOPY_DEV_DOCDIR "${CMAKE_INSTALL_DATADIR}/doc/${PRECOPY_DEV_PACKAGE}")
set(PRECOPY_DATADIR "${CMAKE_INSTALL_DATADIR}/precopy")

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "precopy: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; `cpack -G DEB` needs "
    "-DCMAKE_INSTALL_PREFIX=/usr (the prefix is baked into precopy.pc and the wrapper)")
endif()

find_program(PRECOPY_GZIP gzip)

# Debian wants files under /usr/share/doc and /usr/share/man compressed with gzip -9n
# (no name or time stamp, so the output is reproducible).
function(precopy_gzip_file input output)
  add_custom_command(OUTPUT "${output}"
    COMMAND sh -c "\"$0\" -9n -c \"$1\" > \"$2\"" "${PRECOPY_GZIP}" "${input}" "${output}"
    DEPENDS "${input}" VERBATIM)
endfunction()

# ---- man pages ---------------------------------------------------------------------------------
include("${CMAKE_CURRENT_LIST_DIR}/man.cmake")

# ---- docs, examples, Debian files ------------------------------------------------------------
set(_pkg_dir "${PROJECT_BINARY_DIR}/packaging")
file(MAKE_DIRECTORY "${_pkg_dir}")

string(TIMESTAMP _changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(_deb_version "${PROJECT_VERSION}-${PRECOPY_DEB_RELEASE}")
file(WRITE "${_pkg_dir}/changelog.Debian"
  "precopy (${_deb_version}) unstable; urgency=medium\n\n"
  "  * Built with CPack from the precopy source tree (cmake/packaging.cmake).\n\n"
  " -- ${PRECOPY_DEB_MAINTAINER}  ${_changelog_date}\n")

set(_pkg_outputs)
if(PRECOPY_GZIP)
  precopy_gzip_file("${_pkg_dir}/changelog.Debian" "${_pkg_dir}/changelog.Debian.gz")
  list(APPEND _pkg_outputs "${_pkg_dir}/changelog.Debian.gz")
  # Docs: every Markdown file in docs/ (others add theirs as they land), compressed when large.
  file(MAKE_DIRECTORY "${_pkg_dir}/doc")
  file(GLOB _precopy_docs CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md")
  set(_precopy_doc_outputs)
  foreach(_doc IN LISTS _precopy_docs)
    get_filename_component(_name "${_doc}" NAME)
    file(SIZE "${_doc}" _size)
    if(_size GREATER 4096)
      precopy_gzip_file("${_doc}" "${_pkg_dir}/doc/${_name}.gz")
      list(APPEND _precopy_doc_outputs "${_pkg_dir}/doc/${_name}.gz")
    else()
      list(APPEND _precopy_doc_outputs "${_doc}")
    endif()
  endforeach()
  list(APPEND _pkg_outputs ${_precopy_doc_outputs})
  add_custom_target(precopy_packaging_files ALL DEPENDS ${_pkg_outputs})

  # Debian-only files are EXCLUDE_FROM_ALL: CPack installs them (it asks for each component by
  # name), a plain `cmake --install` does not.
  install(FILES "${_pkg_dir}/changelog.Debian.gz" "${PROJECT_SOURCE_DIR}/packaging/copyright"
    DESTINATION "${PRECOPY_DOCDIR}" COMPONENT runtime EXCLUDE_FROM_ALL)
  install(FILES "${_pkg_dir}/changelog.Debian.gz" "${PROJECT_SOURCE_DIR}/packaging/copyright"
    DESTINATION "${PRECOPY_DEV_DOCDIR}" COMPONENT dev EXCLUDE_FROM_ALL)
  install(FILES ${_precopy_doc_outputs} DESTINATION "${PRECOPY_DOCDIR}" COMPONENT runtime)
else()
  message(STATUS "precopy: gzip not found; docs and changelog are left out of the install")
endif()

# Lintian overrides, each with its reason in the file.
install(FILES "${PROJECT_SOURCE_DIR}/packaging/lintian/${PRECOPY_RUNTIME_PACKAGE}"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides" COMPONENT runtime EXCLUDE_FROM_ALL)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/lintian/${PRECOPY_DEV_PACKAGE}"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides" COMPONENT dev EXCLUDE_FROM_ALL)

install(FILES "${PROJECT_SOURCE_DIR}/packaging/precopy.env"
  DESTINATION "${PRECOPY_DOCDIR}/examples" COMPONENT runtime)
# The example trace lives outside /usr/share/doc (which minimal systems may drop) so that
# `precopy replay /usr/share/precopy/traces/example.csv` always works after installing.
file(GLOB _precopy_example_traces CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/data/traces/example*.csv")
if(_precopy_example_traces)
  install(FILES ${_precopy_example_traces} DESTINATION "${PRECOPY_DATADIR}/traces" COMPONENT runtime)
else()
  message(STATUS "precopy: data/traces/example.csv not found; the package ships no example trace")
endif()

# Debian strips debugging information from static libraries too (lintian: unstripped-static-library);
# CPACK_STRIP_FILES only strips executables and shared libraries.
install(CODE "
  set(_a \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:precopy_static>\")
  if(CMAKE_INSTALL_DO_STRIP AND EXISTS \"\${_a}\")
    execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug --remove-section=.comment --remove-section=.note
      --enable-deterministic-archives \"\${_a}\" COMMAND_ERROR_IS_FATAL ANY)
  endif()" COMPONENT dev)

# ---- CPack -------------------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME "precopy")
set(CPACK_PACKAGE_VENDOR "precopy")
set(CPACK_PACKAGE_CONTACT "${PRECOPY_DEB_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# At cpack time: refuses a DEB from a build not configured for /usr, and unsets the summary so the
# DEB generator does not prepend it to the descriptions below.
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/packaging/cpack_project_config.cmake")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/;/build/;/build-[^/]*/")
if(NOT CPACK_GENERATOR)
  set(CPACK_GENERATOR "DEB")
endif()
set(CPACK_OUTPUT_FILE_PREFIX "${PROJECT_BINARY_DIR}/packages")

# One package per group; "Unspecified" (install rules without COMPONENT) goes with runtime.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_COMPONENT_UNSPECIFIED_GROUP runtime)
set(CPACK_COMPONENT_RUNTIME_GROUP runtime)
set(CPACK_COMPONENT_DEV_GROUP dev)
set(CPACK_COMPONENT_DEV_DEPENDS runtime)

set(CPACK_DEBIAN_PACKAGE_SOURCE "precopy")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${PRECOPY_DEB_RELEASE}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # NAME_VERSION-RELEASE_ARCH.deb, as dpkg names them
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the sonames (libspdlog1.10-fmt9, libfmt9, libc6...)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)  # DEBIAN/shlibs for libprecopy.so.0
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "${PRECOPY_RUNTIME_PACKAGE}")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# An ldconfig trigger instead of CPack's postinst/postrm that call ldconfig (lintian:
# lacks-ldconfig-trigger, maintscript-calls-ldconfig); the scripts supplied here do nothing.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/packaging/deb/libprecopy0/triggers"
  "${PROJECT_SOURCE_DIR}/packaging/deb/libprecopy0/postinst"
  "${PROJECT_SOURCE_DIR}/packaging/deb/libprecopy0/postrm")
# The preload interposes libxenguest 4.17's xc_domain_save inside xen-utils' libxl-save-helper and
# finds Xen's function there (dlvsym); it links nothing from Xen, so Xen is a suggestion, not a
# dependency (the CLI and the library are useful without it).
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "xen-utils-4.17")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
  "decide when a Xen live migration should stop pre-copy
libprecopy decides, after each pre-copy round of a live migration, whether to
send another round or to pause the guest and enter stop-and-copy. It predicts
the next round from the guest's dirty-page curve and stops when another round
no longer pays for itself or when the predicted downtime fits a budget. The
seed paper's predictor and Xen's and QEMU's own rules are included as
policies.
.
This package holds the shared library, the precopy command-line tool (replay
recorded traces under each policy, simulate migrations, forecast and evaluate
policies), and precopy-save-helper: a LIBXL_SAVE_HELPER wrapper that enables
the policy on stock `xl migrate` (Xen 4.17) without rebuilding Xen.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME "${PRECOPY_DEV_PACKAGE}")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF)  # no dynamic objects: the .so is a symlink
# The static library and the CMake/pkg-config files need spdlog (and through it fmt) to link.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "${PRECOPY_RUNTIME_PACKAGE} (= ${_deb_version}), libspdlog-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "decide when a Xen live migration should stop pre-copy (development files)
libprecopy decides, after each pre-copy round of a live migration, whether to
send another round or to pause the guest and enter stop-and-copy.
.
This package holds the C header precopy/precopy.h (whose precopy_xen_policy
plugs into libxenguest's struct save_callbacks), the C++ headers, the static
library, the CMake package (find_package(precopy), target precopy::precopy),
the pkg-config file precopy.pc and the precopy(3) manual page.")

include(CPack)
cpack_add_component_group(runtime DISPLAY_NAME "libprecopy runtime")
cpack_add_component_group(dev DISPLAY_NAME "libprecopy development files")
cpack_add_component(runtime GROUP runtime)
cpack_add_component(Unspecified GROUP runtime)
cpack_add_component(dev GROUP dev DEPENDS runtime)
