// libFuzzer target: the external signal codec.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  if (auto ok = intuition::fuzz::check_signal_codec(input); !ok) {
    std::fprintf(stderr, "signal codec property broken: %s\n",
                 ok.error().message.c_str());
    std::abort();
  }
  return 0;
}
