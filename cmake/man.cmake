# man.cmake -- precopy(1) and precopy(3) from their scdoc sources (docs/man/*.scd).
# Included by cmake/packaging.cmake. Needs scdoc (Debian package scdoc) and gzip; without scdoc
# the man pages are skipped with a message. tests/package/check_man.sh keeps precopy(1) in step
# with `precopy SUBCOMMAND --help` (a ctest test when tests are built).

include_guard(GLOBAL)

find_program(PRECOPY_SCDOC scdoc)
set(_man_sources
  "${PROJECT_SOURCE_DIR}/docs/man/precopy.1.scd|1|runtime"
  "${PROJECT_SOURCE_DIR}/docs/man/precopy.3.scd|3|dev")

if(PRECOPY_SCDOC AND PRECOPY_GZIP)
  set(_man_dir "${PROJECT_BINARY_DIR}/man")
  file(MAKE_DIRECTORY "${_man_dir}")
  set(_man_outputs)
  foreach(_entry IN LISTS _man_sources)
    string(REPLACE "|" ";" _entry "${_entry}")
    list(GET _entry 0 _src)
    list(GET _entry 1 _section)
    list(GET _entry 2 _component)
    get_filename_component(_page "${_src}" NAME_WLE)  # precopy.1
    # @PROJECT_VERSION@ in the source becomes the version in the page's footer.
    configure_file("${_src}" "${_man_dir}/${_page}.scd" @ONLY)
    add_custom_command(OUTPUT "${_man_dir}/${_page}" "${_man_dir}/${_page}.gz"
      COMMAND sh -c "\"$0\" < \"$1\" > \"$2\" && \"$3\" -9n -c \"$2\" > \"$2.gz\""
              "${PRECOPY_SCDOC}" "${_man_dir}/${_page}.scd" "${_man_dir}/${_page}" "${PRECOPY_GZIP}"
      DEPENDS "${_man_dir}/${_page}.scd"
      COMMENT "scdoc ${_page}"
      VERBATIM)
    list(APPEND _man_outputs "${_man_dir}/${_page}" "${_man_dir}/${_page}.gz")
    install(FILES "${_man_dir}/${_page}.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${_section}"
      COMPONENT ${_component})
  endforeach()
  add_custom_target(precopy_man ALL DEPENDS ${_man_outputs})
else()
  message(STATUS "precopy: scdoc not found (apt-get install scdoc); man pages are not built")
endif()

if(PRECOPY_BUILD_TESTS)
  # No scdoc needed: it reads the sources. precopy(1) and docs/cli.md name exactly the subcommands
  # and long flags that `precopy ... --help` prints.
  add_test(NAME precopy_man_matches_help
    COMMAND bash "${PROJECT_SOURCE_DIR}/tests/package/check_man.sh" "$<TARGET_FILE:precopy_cli>"
            "${PROJECT_SOURCE_DIR}/docs/man/precopy.1.scd" "${PROJECT_SOURCE_DIR}/docs/cli.md")
  # precopy(3) names every function and macro that precopy.h exports, and no others.
  add_test(NAME precopy_man3_matches_header
    COMMAND bash "${PROJECT_SOURCE_DIR}/tests/package/check_man3.sh"
            "${PROJECT_SOURCE_DIR}/include/precopy/precopy.h" "${PROJECT_SOURCE_DIR}/docs/man/precopy.3.scd")
endif()
