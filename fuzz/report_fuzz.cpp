// libFuzzer target: the report reader must never crash, and whatever it
// accepts must write back to JSON that reads again to an equal model.
#include "scxsnap/report.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = scxsnap::parse_report(text);
  if (!r) {
    if (r.error().message().empty()) std::abort();  // every error must say something
    return 0;
  }
  std::string out = scxsnap::to_json(*r);
  auto again = scxsnap::parse_report(out);
  if (!again || !(*again == *r) || scxsnap::to_json(*again) != out) std::abort();
  return 0;
}
