# Tests fail closed in CI (the CMake half of support/fail_closed.hpp): a tool that whole groups of tests
# need (node for the CSAF/CVE validators and the browser tests) must be there when CI is set (CI=true, as
# every CI service sets it); configuring fails instead of silently registering fewer tests. On a
# developer's machine outside CI the tests are left out with a warning that says what is lost.

string(TOLOWER "$ENV{CI}" _kizuna_ci)
if(_kizuna_ci MATCHES "^(true|1|yes|on)$")
  set(KIZUNA_IN_CI TRUE)
else()
  set(KIZUNA_IN_CI FALSE)
endif()

# kizuna_find_test_tool(<var> <program> <what is lost without it>): find_program(<var> <program>); when it is
# missing, FATAL_ERROR in CI and a WARNING elsewhere. Callers register their tests only when <var> is set.
function(kizuna_find_test_tool var program lost)
  find_program(${var} ${program})
  if(${var})
    return()
  endif()
  if(KIZUNA_IN_CI)
    message(FATAL_ERROR "CI=true and ${program} not found: ${lost} cannot run, and CI must not pass by running "
                        "fewer tests. Install it (scripts/setup.sh test).")
  endif()
  message(WARNING "not in CI: ${program} not found, so ${lost} are NOT registered (with CI=true this is an "
                  "error; scripts/setup.sh test installs it)")
endfunction()
