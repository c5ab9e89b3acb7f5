// libFuzzer target: the query of `scxsnap serve`'s GET /snapshot
// (tools/scxsnap/serve_query.hpp), as a client sends it. Never a crash; an
// error names what is wrong; what is accepted is within the bounds.
#include "../tools/scxsnap/serve_query.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string target = "/snapshot?" + std::string(reinterpret_cast<const char*>(data), size);
  auto q = scxsnap::cli::parse_snapshot_query(target);
  if (!q) {
    if (q.error().message().empty()) std::abort();
    return 0;
  }
  if (q->format != "json" && q->format != "native") std::abort();
  if (q->objs.size() + q->maps.size() + q->map_ids.size() > scxsnap::cli::kMaxQueryValues)
    std::abort();
  for (auto id : q->map_ids)
    if (id == 0) std::abort();
  return 0;
}
