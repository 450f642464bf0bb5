# intuition_add_test_binary(NAME LABEL TIMEOUT SOURCES...)
#
# Builds one test binary from several suite files and registers one ctest
# entry per suite. A suite file names its suite with `#define CAF_SUITE x`.
# Console verbosity 4: CAF 0.17 prints a failed check (file, line, both
# values) only at the level that also lists the passing ones, and without
# it a failure in CI says which test failed but not which check.
function(intuition_add_test_binary name label timeout)
  add_executable(${name} ${ARGN})
  foreach(src IN LISTS ARGN)
    get_filename_component(abs "${src}" ABSOLUTE)
    file(STRINGS "${abs}" lines REGEX "^#define CAF_SUITE ")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^#define CAF_SUITE +([^ ]+).*$" "\\1" suite "${line}")
      string(REPLACE "." "\\." suite_re "${suite}")
      add_test(NAME ${suite} COMMAND ${name} -n -v 4 -r ${timeout}
               -s "^${suite_re}$")
      set_tests_properties(${suite} PROPERTIES LABELS ${label} TIMEOUT ${timeout})
    endforeach()
  endforeach()
endfunction()
