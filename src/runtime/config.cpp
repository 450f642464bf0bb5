#include "runtime/config.hpp"
