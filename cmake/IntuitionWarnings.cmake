# Warning flags as an interface target, so they apply to our targets only.
add_library(intuition_warnings INTERFACE)
add_library(intuition::warnings ALIAS intuition_warnings)
target_compile_options(intuition_warnings INTERFACE -Wall -Wextra -Wpedantic
                       -Wno-unused-parameter)
if(INTUITION_WERROR)
  target_compile_options(intuition_warnings INTERFACE -Werror)
endif()
