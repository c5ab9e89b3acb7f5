// libFuzzer target: a native snapshot of random bytes (seeded with a real
// one, and a series). Opening, loading and converting must never crash or
// hang; when both the model and the JSON come out, the JSON must read back
// as that model.
#include "scxsnap/native.hpp"
#include "scxsnap/report.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The reader maps a regular file: an anonymous memory file is one.
  int fd = ::memfd_create("native_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (size && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (auto snap = scxsnap::NativeSnapshot::open(path)) {
    auto model = snap->load();
    std::string json;
    auto written = snap->write_json([&](std::string_view c) -> scxsnap::Result<void> {
      json += c;
      return {};
    });
    if (model && written) {
      auto back = scxsnap::parse_report(json);
      if (!back || back->maps != model->maps) std::abort();
    }
    scxsnap::NativeSelection sel;
    sel.vars = std::vector<std::string>{"nr_enqueued"};
    (void)snap->load(sel);
    // A series: every sample in order (changes applied on earlier samples),
    // then one out of order, and its JSON Lines.
    for (std::size_t k = 0; k < snap->sample_count() && k < 64; ++k) (void)snap->load_sample(k);
    if (snap->sample_count() > 1) (void)snap->load_sample(snap->sample_count() / 2);
    (void)snap->write_jsonl([](std::string_view) -> scxsnap::Result<void> { return {}; });
  }
  ::close(fd);
  return 0;
}
