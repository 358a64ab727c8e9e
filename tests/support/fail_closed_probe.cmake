# cmake -DKIZUNA_TOOL=<program> -P fail_closed_probe.cmake: runs kizuna_find_test_tool as tests/*/CMakeLists.txt
# do (tests/CMakeLists.txt registers it with and without CI=true).
include(${CMAKE_CURRENT_LIST_DIR}/fail_closed.cmake)
kizuna_find_test_tool(PROBE_EXECUTABLE ${KIZUNA_TOOL} "the probe's tests")
if(PROBE_EXECUTABLE)
  message(STATUS "probe: found ${PROBE_EXECUTABLE}")
else()
  message(STATUS "probe: not registered")
endif()
