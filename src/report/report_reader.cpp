// SPDX-License-Identifier: Apache-2.0
// The readers' entry points: a whole document of any dump kind, a rendered
// value, any JSON. Serde rules throughout: fields without a skip attribute
// are required; unknown keys are ignored; a key given twice is an error.
#include "report/report_reader.hpp"

#include "guard.hpp"
#include "scxsnap/report.hpp"

#include <cctype>
#include <simdjson.h>

namespace scxsnap {
namespace detail {

// The schema first (a scan of the top-level keys; ktstr writes it first),
// then the reader of that kind over the whole document.
Result<FailureDumpFile> parse_dump_file_padded(simdjson::padded_string_view text) {
  std::string schema;
  {
    thread_local od::parser parser;
    od::document doc;
    od::object obj;
    std::string_view s;
    if (!parser.iterate(text).get(doc) && !doc.get_object().get(obj) &&
        !obj.find_field_unordered("schema").get_string().get(s))
      schema = std::string(s);
  }
  if (schema != kSchemaDual && schema != kSchemaDegraded) {
    SCXSNAP_TRY(FailureDumpReport r, parse_report_padded(text));
    return FailureDumpFile(std::move(r));
  }
  FloatStyleProbe floats;
  auto r = with_document<FailureDumpFile>(
      text, [&](od::value v, const PathNode& p) { return read_dump_value(v, p, schema); });
  if (r) {
    if (auto* d = std::get_if<DegradedFailureDumpReport>(&*r)) d->float_style = floats.style();
    if (auto* d = std::get_if<DualFailureDumpReport>(&*r)) {
      d->late.float_style = floats.style();
      if (d->early) d->early->float_style = floats.style();
    }
  }
  return r;
}

Result<FailureDumpReport> parse_report_padded(simdjson::padded_string_view text) {
  FloatStyleProbe floats;
  auto r = with_document<FailureDumpReport>(text, read_report_value);
  if (r) r->float_style = floats.style();
  return r;
}

}  // namespace detail

Result<FailureDumpReport> parse_report(std::string_view json) {
  return detail::guarded("reading a report", [&]() -> Result<FailureDumpReport> {
    simdjson::padded_string buf(json);
    return detail::parse_report_padded(buf);
  });
}

Result<RenderedValue> parse_rendered_value(std::string_view json) {
  return detail::guarded("reading a rendered value", [&]() -> Result<RenderedValue> {
    simdjson::padded_string buf(json);
    return detail::with_document<RenderedValue>(buf,
                                                [](detail::od::value v, const detail::PathNode& p) {
                                                  return detail::read_rendered(v, p, 0);
                                                });
  });
}

namespace {
// A document that is a lone scalar ("42", "null"): On-Demand reads it through
// the document itself, not as a value.
Result<JsonValue> parse_scalar_document(simdjson::padded_string_view text) {
  thread_local detail::od::parser parser;
  detail::od::document doc;
  if (auto err = parser.iterate(text).get(doc))
    return detail::stage1_error(std::string_view(text.data(), text.length()), err);
  detail::PathNode root;
  detail::od::json_type t;
  if (auto err = doc.type().get(t)) return detail::json_error(root, err);
  JsonValue out;
  switch (t) {
    case detail::od::json_type::null: {
      bool n = false;
      if (doc.is_null().get(n) || !n) return detail::json_error(root, "malformed literal");
      break;
    }
    case detail::od::json_type::boolean: {
      bool b = false;
      if (auto err = doc.get_bool().get(b)) return detail::json_error(root, err);
      out = JsonValue::boolean(b);
      break;
    }
    case detail::od::json_type::number: {
      detail::od::number n;
      if (auto err = doc.get_number().get(n)) return detail::json_error(root, err);
      std::string_view tok;
      if (auto err = doc.raw_json_token().get(tok)) return detail::json_error(root, err);
      while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.back())))
        tok.remove_suffix(1);
      out = JsonValue::number_text(std::string(tok));
      break;
    }
    case detail::od::json_type::string: {
      std::string_view sv;
      if (auto err = doc.get_string().get(sv)) return detail::json_error(root, err);
      out = JsonValue::string(std::string(sv));
      break;
    }
    default:
      return detail::json_error(root, "unexpected document type");
  }
  if (const char* loc = nullptr; !doc.current_location().get(loc))
    return Error(ErrorCode::BadInput, "trailing content after the JSON document");
  return out;
}
}  // namespace

Result<JsonValue> parse_json(std::string_view text) {
  return detail::guarded("reading JSON", [&]() -> Result<JsonValue> {
    simdjson::padded_string buf(text);
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i < text.size() && text[i] != '{' && text[i] != '[') return parse_scalar_document(buf);
    return detail::with_document<JsonValue>(buf,
                                            [](detail::od::value v, const detail::PathNode& p) {
                                              return detail::read_json_value(v, p, 0);
                                            });
  });
}

}  // namespace scxsnap
