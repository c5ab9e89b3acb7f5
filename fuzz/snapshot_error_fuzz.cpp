// libFuzzer target: SnapshotError::from_json (ktstr's externally tagged
// errors). Never a crash; an accepted error writes back to JSON that reads
// again to an equal error with the same text.
#include "scxsnap/snapshot_error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto e = scxsnap::SnapshotError::from_json(text);
  if (!e) {
    if (e.error().message().empty()) std::abort();
    return 0;
  }
  std::string out = e->to_json();
  auto again = scxsnap::SnapshotError::from_json(out);
  if (!again || !(*again == *e) || again->to_json() != out || again->message() != e->message())
    std::abort();
  return 0;
}
