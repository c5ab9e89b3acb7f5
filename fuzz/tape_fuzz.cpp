// libFuzzer target: a kernel tape of random bytes (seeded with a small real
// one). Opening it and running a whole capture over it — every reader, the
// BTF it holds, the active object, /proc — must never crash, hang or write
// past a buffer; the outputs of a capture that succeeds must agree.
#include "capture/capture_internal.hpp"
#include "capture/kernel_tape.hpp"
#include "scxsnap/report.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = ::memfd_create("tape_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (size && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  using scxsnap::capture_detail::TapeReplayer;
  scxsnap::CaptureOptions o;
  o.max_entries = 4096;
  auto model_tape = TapeReplayer::open(path);
  auto text_tape = TapeReplayer::open(path);
  if (model_tape && text_tape) {
    auto model = scxsnap::capture_detail::capture_model(o, **model_tape);
    auto text = scxsnap::capture_detail::capture_text(o, **text_tape, scxsnap::JsonStyle::Compact);
    if (model && text) {
      auto back = scxsnap::parse_report(*text);
      if (!back || back->maps != model->maps) std::abort();
    }
  }
  ::close(fd);
  return 0;
}
