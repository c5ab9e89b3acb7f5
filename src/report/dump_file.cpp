// SPDX-License-Identifier: Apache-2.0
// Dumps of every schema: writing them as serde_json does, loading them from
// files, and picking the report to walk.
#include "scxsnap/dump_file.hpp"

#include "report/guard.hpp"
#include "report/report_reader.hpp"
#include "report/report_writer.hpp"

#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <utility>

namespace scxsnap {
namespace {

FloatStyle float_style_of(const FailureDumpFile& f) {
  if (const auto* r = std::get_if<FailureDumpReport>(&f)) return r->float_style;
  if (const auto* d = std::get_if<DualFailureDumpReport>(&f)) return d->late.float_style;
  return std::get<DegradedFailureDumpReport>(f).float_style;
}

// The schema a file declares, from its first kilobytes (ktstr writes it
// first); "" when it does not say there.
std::string sniff_schema(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  auto k = head.find("\"schema\"");
  if (k == std::string::npos) return {};
  auto q = head.find('"', head.find(':', k + 8));
  if (q == std::string::npos) return {};
  auto e = head.find('"', q + 1);
  return e == std::string::npos ? std::string() : head.substr(q + 1, e - q - 1);
}

}  // namespace

Result<FailureDumpFile> parse_dump_file(std::string_view json) {
  return detail::guarded("reading a dump", [&]() -> Result<FailureDumpFile> {
    simdjson::padded_string buf(json);
    return detail::parse_dump_file_padded(buf);
  });
}

Result<FailureDumpFile> load_dump_file(const std::filesystem::path& path) {
  // Single reports (any size) through load_report; the other kinds whole.
  // Only a regular file is sniffed: reading a FIFO's head would consume it.
  std::error_code ec;
  if (path != "-" && std::filesystem::is_regular_file(path, ec)) {
    std::string schema = sniff_schema(path);
    if (schema != kSchemaDual && schema != kSchemaDegraded) {
      auto r = load_report(path);
      if (r) return FailureDumpFile(std::move(*r));
      if (r.error().message().find("report schema '") == std::string::npos) return r.error();
    }
  }
  SCXSNAP_TRY(std::string text, read_text_file(path));
  auto r = parse_dump_file(text);
  if (!r) return r.error().with_context(path == "-" ? std::string("<stdin>") : path.string());
  return r;
}

std::string to_json(const FailureDumpFile& dump, JsonStyle style) {
  std::string out;
  detail::JsonWriter w(out, style == JsonStyle::Pretty, float_style_of(dump));
  detail::write_dump(w, dump);
  return out;
}

Result<const FailureDumpReport*> report_of(const FailureDumpFile& dump, DumpHalf half) {
  if (const auto* r = std::get_if<FailureDumpReport>(&dump)) {
    if (half == DumpHalf::Early)
      return Error(ErrorCode::NotFound,
                   "the early snapshot exists only in a dual dump; this is a "
                   "single report");
    return r;
  }
  if (const auto* d = std::get_if<DualFailureDumpReport>(&dump)) {
    if (half == DumpHalf::Late) return &d->late;
    if (d->early) return &*d->early;
    return Error(ErrorCode::NotFound,
                 fmt::format("this dual dump has no early snapshot ({})",
                             d->early_skipped_reason.value_or("no reason recorded")));
  }
  const auto& g = std::get<DegradedFailureDumpReport>(dump);
  return Error(ErrorCode::NotFound,
               fmt::format("a degraded dump holds no maps or globals (the VM could not be frozen: "
                           "{})",
                           g.reason));
}

Result<FailureDumpReport*> report_of(FailureDumpFile& dump, DumpHalf half) {
  SCXSNAP_TRY(const FailureDumpReport* r, report_of(std::as_const(dump), half));
  return const_cast<FailureDumpReport*>(r);  // dump is non-const: so is every part of it
}

}  // namespace scxsnap
