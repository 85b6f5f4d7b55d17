# Seeds a corpus with the fixture checkpoints under 100 KB and runs the fuzzer for SECONDS.
# $DELTAEDIT_FIXTURES overrides FIXTURES. Exits 77 (skipped) when no fixtures are found.
if(DEFINED ENV{DELTAEDIT_FIXTURES} AND NOT "$ENV{DELTAEDIT_FIXTURES}" STREQUAL "")
  set(FIXTURES "$ENV{DELTAEDIT_FIXTURES}")
endif()
if(NOT IS_DIRECTORY "${FIXTURES}/checkpoint")
  message("fixtures not found at ${FIXTURES}: skipping the fuzz run")
  cmake_language(EXIT 77)
endif()
file(MAKE_DIRECTORY "${CORPUS}")
file(GLOB seeds "${FIXTURES}/checkpoint/*.pt" "${FIXTURES}/checkpoint/bad/*.pt")
foreach(seed ${seeds})
  file(SIZE "${seed}" size)
  if(size LESS 100000)
    get_filename_component(name "${seed}" NAME)
    file(COPY_FILE "${seed}" "${CORPUS}/seed_${name}")
  endif()
endforeach()
execute_process(COMMAND "${FUZZER}" -max_total_time=${SECONDS} -max_len=100000 -timeout=10
                        -rss_limit_mb=4096 -print_final_stats=1 "${CORPUS}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzzer found a problem (exit ${rc})")
endif()
