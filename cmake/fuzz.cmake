# fuzz.cmake -- libFuzzer targets for the trace parser, the C ABI, precopy_xen_policy and replay
# (tests/fuzz/, run by tests/fuzz/run.sh). Included from the top-level CMakeLists.txt after the library
# targets exist; does nothing unless -DPRECOPY_FUZZ=ON.
#
# A fuzzing build needs clang (libFuzzer ships with it: Debian's clang-14 and libclang-rt-14-dev) and
# sanitizers, so that undefined behaviour and memory errors abort the run instead of passing silently:
#   CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -DPRECOPY_FUZZ=ON \
#     -DPRECOPY_SANITIZE=address,undefined
# tests/fuzz/run.sh does exactly that.

option(PRECOPY_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang and PRECOPY_SANITIZE)" OFF)

if(PRECOPY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PRECOPY_FUZZ needs clang's libFuzzer: configure with CXX=clang++-14 CC=clang-14")
  endif()
  if(NOT PRECOPY_SANITIZE MATCHES "address")
    message(FATAL_ERROR "PRECOPY_FUZZ needs sanitizers to see memory errors and undefined behaviour: "
                        "add -DPRECOPY_SANITIZE=address,undefined")
  endif()

  # Coverage feedback must reach into the library itself, not only the fuzz drivers, or libFuzzer
  # cannot tell which inputs explore new paths of the parser and the policies.
  target_compile_options(precopy_objects PRIVATE -fsanitize=fuzzer-no-link)

  set(PRECOPY_FUZZ_TARGETS fuzz_trace_parser fuzz_c_api fuzz_xen_policy fuzz_replay)
  foreach(fuzz_target ${PRECOPY_FUZZ_TARGETS})
    add_executable(${fuzz_target} tests/fuzz/${fuzz_target}.cc)
    target_compile_options(${fuzz_target} PRIVATE -fsanitize=fuzzer)
    target_link_options(${fuzz_target} PRIVATE -fsanitize=fuzzer)
    target_include_directories(${fuzz_target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests/fuzz)
    target_link_libraries(${fuzz_target} PRIVATE precopy_static PkgConfig::XENGUEST PkgConfig::XENCTRL)
  endforeach()
  add_custom_target(fuzz_all DEPENDS ${PRECOPY_FUZZ_TARGETS})
endif()
