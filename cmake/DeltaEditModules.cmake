# Helpers that keep every module's CMake to one line: a module is a folder of .cpp files
# compiled into one static library; a test folder is one GoogleTest executable.

set(DELTAEDIT_WARNINGS -Wall -Wextra -Wno-unused-parameter)

# One precompiled header for LibTorch, reused by every target that includes it.
function(deltaedit_pch_target)
  add_library(deltaedit_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
  target_link_libraries(deltaedit_pch PUBLIC torch)
  target_compile_options(deltaedit_pch PRIVATE ${DELTAEDIT_WARNINGS})
  target_precompile_headers(deltaedit_pch PRIVATE ${PROJECT_SOURCE_DIR}/cmake/torch_pch.h)
endfunction()

# deltaedit_module(NAME DIR <folder> [DEPS libs...] [NO_PCH])
function(deltaedit_module name)
  cmake_parse_arguments(M "NO_PCH" "DIR" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${M_DIR}/*.cpp)
  if(NOT srcs)
    return()  # module not written yet
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${M_DEPS})
  target_compile_options(${name} PRIVATE ${DELTAEDIT_WARNINGS})
  if(NOT M_NO_PCH)
    target_link_libraries(${name} PUBLIC torch)
    target_precompile_headers(${name} REUSE_FROM deltaedit_pch)
  endif()
endfunction()

# deltaedit_test(NAME DIR <folder> DEPS libs... [LABELS l...] [GTEST_MAIN|QT])
function(deltaedit_test name)
  cmake_parse_arguments(T "" "DIR" "DEPS;LABELS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${T_DIR}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  foreach(dep ${T_DEPS})
    if(NOT TARGET ${dep})
      return()  # library not written yet
    endif()
  endforeach()
  add_executable(${name} ${srcs})
  target_link_libraries(${name} PRIVATE ${T_DEPS} deltaedit_test_support GTest::gtest GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${DELTAEDIT_WARNINGS})
  target_precompile_headers(${name} REUSE_FROM deltaedit_pch)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "DELTAEDIT_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
