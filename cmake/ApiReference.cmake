# The API reference: Doxygen over the public headers alone (docs/Doxyfile.in).
#
#   cmake --build build --target api-reference    # build/api-reference/html/index.html
#
# An undocumented public item or a malformed comment is a warning, and any warning fails the
# target; tests/CMakeLists.txt adds the same run as the test api_reference. Without doxygen
# (Debian package doxygen, installed by scripts/setup.sh) neither exists.
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "doxygen not found: no api-reference target and no api_reference test")
  return()
endif()

# Writes a Doxyfile at `doxyfile` whose HTML goes to `output_directory`/html.
function(diskimg_api_reference_doxyfile output_directory doxyfile)
  set(DISKIMG_API_REFERENCE_OUTPUT ${output_directory})
  configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${doxyfile} @ONLY)
endfunction()

# The command that runs Doxygen on `doxyfile` and fails on any warning, in `variable`.
function(diskimg_api_reference_command variable doxyfile)
  set(${variable} ${CMAKE_COMMAND} -DDOXYGEN=${DOXYGEN_EXECUTABLE} -DDOXYFILE=${doxyfile}
      -P ${PROJECT_SOURCE_DIR}/cmake/RunDoxygen.cmake PARENT_SCOPE)
endfunction()

diskimg_api_reference_doxyfile(${PROJECT_BINARY_DIR}/api-reference ${PROJECT_BINARY_DIR}/Doxyfile)
diskimg_api_reference_command(api_reference_command ${PROJECT_BINARY_DIR}/Doxyfile)
add_custom_target(api-reference
  COMMAND ${api_reference_command}
  COMMENT "API reference: ${PROJECT_BINARY_DIR}/api-reference/html/index.html"
  VERBATIM)
