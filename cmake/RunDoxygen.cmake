# cmake -DDOXYGEN=doxygen -DDOXYFILE=path -P RunDoxygen.cmake
#
# Runs Doxygen and fails when it prints anything on stderr. The Doxyfile's WARN_AS_ERROR =
# FAIL_ON_WARNINGS already makes undocumented items and comment errors fail the exit status;
# stderr is checked as well so that no message (a configuration one included) goes unseen.
execute_process(COMMAND ${DOXYGEN} ${DOXYFILE}
                RESULT_VARIABLE result
                OUTPUT_VARIABLE output
                ERROR_VARIABLE errors)
if(NOT result EQUAL 0 OR NOT errors STREQUAL "")
  message(FATAL_ERROR "API reference: doxygen exited with ${result}; its warnings:\n${errors}")
endif()
