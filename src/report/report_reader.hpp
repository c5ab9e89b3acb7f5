// SPDX-License-Identifier: Apache-2.0
// The report reader's pieces inside the library, one file per job:
//   rendered_reader.cpp   JSON → RenderedValue
//   struct_reader.cpp     JSON → the described structs (report_fields.hpp)
//   json_scanner.cpp      byte-level scanning (where values end)
//   piecewise_reader.cpp  large files: a skeleton, then maps and values in pieces
//   report_reader.cpp     the entry points (whole documents, any dump kind)
#pragma once

#include "report/json/json_reader.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <optional>
#include <simdjson.h>
#include <string>
#include <vector>

namespace scxsnap::detail {

/// Past this, a file the streaming or piecewise reader refused is not parsed
/// whole just to locate the error (that would take several times its size
/// in memory).
inline constexpr std::size_t kWholeParseMax = std::size_t{1} << 30;

Result<RenderedValue> read_rendered(od::value v, const PathNode& p, int depth);
/// A described struct (report_fields.hpp) from one JSON value; instantiated
/// for the report, a map and the four entry kinds.
template <class S>
Result<S> read_described(od::value v, const PathNode& p);
inline Result<FailureDumpReport> read_report_value(od::value v, const PathNode& p) {
  return read_described<FailureDumpReport>(v, p);
}
/// A dual or degraded dump from its top-level value.
Result<FailureDumpFile> read_dump_value(od::value v, const PathNode& p, std::string_view schema);
/// Any dump: the schema is found first, then the right reader runs.
Result<FailureDumpFile> parse_dump_file_padded(simdjson::padded_string_view text);
Result<FailureDumpReport> parse_report_padded(simdjson::padded_string_view text);

/// What load_report_selected keeps whole: maps by name (exact or the
/// kernel's 15-character cut) or id, and with `global_sections` every global
/// section (what `var` reads).
struct ReportSelection {
  std::vector<std::string> maps;
  std::vector<std::uint32_t> map_ids;
  bool global_sections = false;
};
/// A single report (a regular file) with only the selected maps' contents;
/// the others keep name, ids, type, sizes and error. Nullopt when the file
/// is not a single report or anything about it is unusual: the caller then
/// reads it whole (and gets the precise error, if any).
std::optional<FailureDumpReport> load_report_selected(const std::filesystem::path& path,
                                                      const ReportSelection& sel);
/// A large single report read piecewise (piecewise_reader.cpp); nullopt when
/// it cannot be (the caller parses it whole for the exact error), with `why`
/// set when the whole parse could not do better.
std::optional<FailureDumpReport> parse_report_streaming(
    std::string_view text, const std::function<void(std::size_t)>& consumed, std::string* why);
class JsonWriter;
/// A single report converted as it is read: the skeleton, then each map
/// (its entry lists in chunks, a large value member by member) written to
/// `w` and dropped; `flush` gets the writer's buffer whenever it passes a
/// few MB; `consumed(offset)` says the text before offset is done with.
/// `mapped`: the text is a private read-only file mapping, whose pages a
/// scan running ahead may drop (they come back from the page cache when
/// read). Memory stays at a few pieces whatever the file's size. An error
/// leaves `w` mid-document (the caller discards the output).
Result<void> convert_report_streaming(std::string_view text, JsonWriter& w,
                                      const std::function<Result<void>(std::string&)>& flush,
                                      const std::function<void(std::size_t)>& consumed,
                                      bool mapped);

/// Runs `fn(root_value, root_path)` over a padded document; maps stage-1 and
/// trailing-content failures to errors.
template <class T, class Fn>
Result<T> with_document(simdjson::padded_string_view text, Fn&& fn) {
  NameScope names;
  thread_local od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(text).get(doc))
    return stage1_error(std::string_view(text.data(), text.length()), err);
  PathNode root;
  od::value v;
  if (auto err = doc.get_value().get(v)) {
    if (err == simdjson::SCALAR_DOCUMENT_AS_VALUE)
      return json_error(root, "expected an object, found a scalar");
    if (err == simdjson::UTF8_ERROR || err == simdjson::UNCLOSED_STRING || err == simdjson::EMPTY)
      return stage1_error(std::string_view(text.data(), text.length()), err);
    return json_error(root, err);
  }
  Result<T> r = fn(v, root);
  if (!r) {
    // A document cut short confuses token-level errors ("non-integer number");
    // say what happened instead.
    if (std::size_t open = unclosed_depth(std::string_view(text.data(), text.length())); open > 0)
      return Error(
          ErrorCode::BadInput,
          fmt::format("{} (the input ends with {} object(s)/array(s) still open: truncated?)",
                      r.error().message(), open));
    // A stage-1 problem can surface late; prefer its clearer message.
    if (!simdjson::validate_utf8(text.data(), text.length()))
      return stage1_error(std::string_view(text.data(), text.length()), simdjson::UTF8_ERROR);
    return r;
  }
  // current_location() fails with OUT_OF_BOUNDS exactly when the whole input was consumed.
  if (const char* loc = nullptr; !doc.current_location().get(loc)) {
    std::size_t off = static_cast<std::size_t>(loc - text.data());
    return Error(ErrorCode::BadInput,
                 fmt::format("trailing content after the JSON document at byte offset {}", off));
  }
  return r;
}

}  // namespace scxsnap::detail
