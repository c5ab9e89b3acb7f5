// SPDX-License-Identifier: Apache-2.0
// convert_dump_file: read a dump, write it again. Single reports in regular
// files stream through (read a piece, write it, drop it); anything the
// streaming path refuses is read whole, which either converts it or gives
// the exact error.
#include "mapped_file.hpp"
#include "report/guard.hpp"
#include "report/json/json_writer.hpp"
#include "report/report_reader.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/output_file.hpp"

namespace scxsnap {
namespace {

Result<void> convert_whole(const std::filesystem::path& in, const std::filesystem::path& out,
                           JsonStyle style) {
  SCXSNAP_TRY(std::string text, read_text_file(in));
  auto dump = parse_dump_file(text);
  if (!dump) return dump.error().with_context(in == "-" ? std::string("<stdin>") : in.string());
  std::string json = to_json(*dump, style);
  // Mirror the input's final newline (ktstr writes none, to_string and
  // to_string_pretty alike) so a dump converts byte for byte either way.
  if (!text.empty() && text.back() == '\n') json += '\n';
  return write_file_atomic(out, json);
}

}  // namespace

Result<void> convert_dump_file(const std::filesystem::path& in, const std::filesystem::path& out,
                               JsonStyle style) {
  return detail::guarded("converting a dump", [&]() -> Result<void> {
    auto file = detail::MappedFile::open(in, 1);
    if (!file) return convert_whole(in, out, style);
    std::string_view text = file->text();
    SCXSNAP_TRY(OutputFile f, OutputFile::create(out));
    std::string buf;
    buf.reserve(std::size_t{5} << 20);
    detail::JsonWriter w(buf, style == JsonStyle::Pretty);
    auto flush = [&](std::string& b) -> Result<void> {
      SCXSNAP_TRY_VOID(f.write(b));
      b.clear();
      return {};
    };
    Result<void> r = detail::convert_report_streaming(
        text, w, flush, [&](std::size_t upto) { file->consumed(upto); }, true);
    if (!r) {
      // Not a single report (dual, degraded), or not one the scanner could
      // cut: the whole-document path converts it or says exactly what is wrong.
      f.abandon();
      if (text.size() <= detail::kWholeParseMax) return convert_whole(in, out, style);
      return r.error().with_context(in.string());
    }
    if (text.back() == '\n') buf += '\n';
    SCXSNAP_TRY_VOID(flush(buf));
    return f.commit();
  });
}

}  // namespace scxsnap
