# Installs the built tree into a scratch prefix, builds the consumer against it and runs
# it on a fixture. Called by ctest with SOURCE_DIR, BUILD_DIR, WORK_DIR and GENERATOR.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${output}")
  endif()
  set(last_output "${output}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(installed include/diskimg/disk/disk.hpp ${LIBDIR}/cmake/diskimg/diskimgConfig.cmake
                  ${LIBDIR}/pkgconfig/diskimg.pc bin/diskimg)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "cmake --install did not install ${installed}")
  endif()
endforeach()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
execute_process(COMMAND gzip -dc ${SOURCE_DIR}/tests/fixtures/layout/gpt-4k.img.gz
                OUTPUT_FILE ${WORK_DIR}/gpt-4k.img RESULT_VARIABLE unpacked)
run(${WORK_DIR}/build/consumer ${WORK_DIR}/gpt-4k.img)
if(NOT last_output STREQUAL "gpt 2\n")
  message(FATAL_ERROR "consumer printed '${last_output}', expected 'gpt 2'")
endif()
message(STATUS "consumer built against the installed package and ran: ${last_output}")

# The same program built with pkg-config's flags alone (no CMake on the consumer's side).
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
execute_process(COMMAND pkg-config --cflags --libs --static diskimg OUTPUT_VARIABLE flags
                RESULT_VARIABLE found OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT found EQUAL 0)
  message(FATAL_ERROR "pkg-config does not find diskimg under ${prefix}/${LIBDIR}/pkgconfig")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run(c++ ${SOURCE_DIR}/tests/consumer/main.cpp -o ${WORK_DIR}/pkg-consumer ${flags})
run(${WORK_DIR}/pkg-consumer ${WORK_DIR}/gpt-4k.img)
if(NOT last_output STREQUAL "gpt 2\n")
  message(FATAL_ERROR "the pkg-config consumer printed '${last_output}', expected 'gpt 2'")
endif()
message(STATUS "consumer built with pkg-config's flags and ran: ${last_output}")
