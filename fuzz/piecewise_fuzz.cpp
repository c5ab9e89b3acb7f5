// libFuzzer target, differential: the streaming reader of large files (a
// skeleton, then the entry arrays in chunks, values piecewise) must agree
// with the whole-document parse. It may give up (the caller then parses the
// whole document), but whatever it returns must equal what the whole parse
// returns, and it must never accept what the whole parse rejects. The
// streaming converter likewise: what it writes must be what the whole model
// writes, compact or pretty.
#include "report/json/json_writer.hpp"
#include "report/report_reader.hpp"
#include "scxsnap/report.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace scxsnap::detail {
extern std::size_t g_piecewise_value_threshold;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Every value is read piecewise (threshold 0), the hardest path.
  scxsnap::detail::g_piecewise_value_threshold = size % 2 ? 0 : 64;
  const bool pretty = size % 3 == 0;
  std::string out;
  scxsnap::detail::JsonWriter w(out, pretty);
  auto flush = [](std::string&) -> scxsnap::Result<void> { return {}; };
  if (scxsnap::detail::convert_report_streaming(
          text, w, flush, [](std::size_t) {}, false)) {
    auto whole = scxsnap::parse_report(text);
    if (!whole) std::abort();  // converted what the whole parse rejects
    auto style = pretty ? scxsnap::JsonStyle::Pretty : scxsnap::JsonStyle::Compact;
    if (scxsnap::to_json(*whole, style) != out) std::abort();
  }
  std::string why;
  auto streamed = scxsnap::detail::parse_report_streaming(
      text, [](std::size_t) {}, &why);
  if (!streamed) return 0;
  auto whole = scxsnap::parse_report(text);
  if (!whole) std::abort();  // the streaming reader accepted what the whole parse rejects
  if (!(*whole == *streamed)) std::abort();
  if (scxsnap::to_json(*whole) != scxsnap::to_json(*streamed)) std::abort();
  return 0;
}
