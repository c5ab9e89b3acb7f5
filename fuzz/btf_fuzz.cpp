// libFuzzer target: random BTF blob + random value bytes. The renderer must
// never crash or hang, and its tree and direct-JSON outputs must agree.
#include "scxsnap/btf_render.hpp"
#include "scxsnap/report.hpp"

#include <bpf/btf.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::size_t blob_len = (std::size_t{data[0]} << 8 | data[1]);
  data += 2;
  size -= 2;
  if (blob_len > size) blob_len = size;
  struct btf* b = btf__new(data, static_cast<__u32>(blob_len));
  if (!b) return 0;
  std::span<const std::uint8_t> bytes(data + blob_len, size - blob_len);
  scxsnap::BtfRenderer r(b);
  std::uint32_t n = btf__type_cnt(b);
  for (std::uint32_t id = 1; id < n && id < 256; ++id) {
    auto tree = r.render(id, bytes);
    std::string json;
    auto direct = r.render_json(id, bytes, json);
    if (tree.has_value() != direct.has_value()) std::abort();
    if (tree && json != scxsnap::to_json(*tree)) std::abort();
  }
  btf__free(b);
  return 0;
}
