// libFuzzer target: the loader must turn any input into documents or diagnostics, never a
// crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  rampart::spec::LoadResult result = rampart::spec::load_string(input, "fuzz.yaml");
  // Touch the results so that nothing is optimised away.
  size_t total = result.errors.size() + result.skipped.size();
  for (const auto& document : result.documents) total += document.raw.size();
  return total == SIZE_MAX ? 1 : 0;
}
