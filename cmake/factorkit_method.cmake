# How a method plugs into factorkit.
#
# A method folder methods/<name>/ holds a CMakeLists.txt that calls
#
#   factorkit_add_method(<name>
#     SOURCES   <library sources>          # the method itself
#     CLI       <registration sources>     # subcommand + reproduce entry
#     TESTS     <gtest sources>            # label `unit`
#     DEPENDS   <factorkit layer targets>  # e.g. factorkit_linalg
#     [TORCH_FREE])                        # link factorkit_io, not factorkit_core
#
# A TORCH_FREE method library does not pull in LibTorch (nor its half-second
# start-up), so benchmarks and tools built on it alone start instantly.
#
# The registration sources define static Registrar objects (see
# include/factorkit/cli/registry.h). They are linked into the program as a whole
# archive, so their registrations survive the linker without any central list.

set_property(GLOBAL PROPERTY FACTORKIT_CLI_PARTS "")

function(factorkit_add_method name)
  cmake_parse_arguments(M "TORCH_FREE" "" "SOURCES;CLI;TESTS;DEPENDS" ${ARGN})
  set(lib factorkit_${name})
  set(base factorkit_core)
  if(M_TORCH_FREE)
    set(base factorkit_io)
  endif()
  if(M_SOURCES)
    add_library(${lib} STATIC ${M_SOURCES})
    target_link_libraries(${lib} PUBLIC ${base} ${M_DEPENDS})
    target_include_directories(${lib} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  else()
    add_library(${lib} INTERFACE)
    target_link_libraries(${lib} INTERFACE ${base} ${M_DEPENDS})
  endif()
  if(M_CLI)
    add_library(${lib}_cli STATIC ${M_CLI})
    target_link_libraries(${lib}_cli PUBLIC ${lib} factorkit_cli_registry)
    set_property(GLOBAL APPEND PROPERTY FACTORKIT_CLI_PARTS ${lib}_cli)
  endif()
  if(M_TESTS AND FACTORKIT_BUILD_TESTS)
    # Method tests may drive the program end to end (tests/test_util.h: run()),
    # so they see the shared test helpers, the program's path and the sources.
    add_executable(test_${name} ${M_TESTS})
    target_link_libraries(test_${name} PRIVATE ${lib} GTest::gtest_main)
    target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
    target_compile_definitions(test_${name} PRIVATE
      FACTORKIT_BIN="$<TARGET_FILE:factorkit>"
      FACTORKIT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_dependencies(test_${name} factorkit)
    gtest_discover_tests(test_${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# Registration parts are linked whole so that static registrars are kept.
function(factorkit_add_cli_part target)
  set_property(GLOBAL APPEND PROPERTY FACTORKIT_CLI_PARTS ${target})
endfunction()

function(factorkit_link_methods_into_program)
  get_property(parts GLOBAL PROPERTY FACTORKIT_CLI_PARTS)
  foreach(p ${parts})
    target_link_libraries(factorkit PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${p}>")
  endforeach()
endfunction()

# A benchmark program bench/<name>/bench_<name>.cpp, built on demand into
# build/<preset>/bench/<name>/ (where its run.py looks), seeing bench/ for the
# shared timing header. PCH: reuse the core's precompiled torch header.
#
#   factorkit_add_bench(<name> LIBS <targets> [PCH])
function(factorkit_add_bench name)
  cmake_parse_arguments(B "PCH" "" "LIBS" ${ARGN})
  set(exe bench_${name})
  add_executable(${exe} ${CMAKE_CURRENT_SOURCE_DIR}/${exe}.cpp)
  target_link_libraries(${exe} PRIVATE ${B_LIBS} CLI11::CLI11)
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/bench)
  if(B_PCH)
    target_precompile_headers(${exe} REUSE_FROM factorkit_core)
  endif()
  set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench/${name})
endfunction()
