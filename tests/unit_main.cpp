// The test runner's main(); every other file of this binary is one suite.
#include "caf/test/unit_test_impl.hpp"
