// SPDX-License-Identifier: Apache-2.0
#include "json_reader.hpp"

#include <fmt/format.h>
#include <unordered_map>
#include <vector>

namespace scxsnap::detail {

std::string path_text(const PathNode* p) {
  std::vector<const PathNode*> chain;
  for (; p && p->parent; p = p->parent) chain.push_back(p);  // the root node has no parent
  if (chain.empty()) return "(top level)";
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const PathNode* n = *it;
    if (n->is_index) {
      out += fmt::format("[{}]", n->index);
    } else {
      if (!out.empty()) out += '.';
      out += n->key;
    }
  }
  return out;
}

Error json_error(const PathNode& p, std::string_view what) {
  return Error(ErrorCode::BadInput, fmt::format("at {}: {}", path_text(&p), what));
}

Error json_error(const PathNode& p, simdjson::error_code code) {
  std::string_view what;
  switch (code) {
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    case simdjson::TAPE_ERROR:
      what = "malformed or truncated JSON (unexpected end or token)";
      break;
    case simdjson::DEPTH_ERROR:
      what = "JSON nesting too deep";
      break;
    case simdjson::STRING_ERROR:
      what = "invalid string escape";
      break;
    case simdjson::UNESCAPED_CHARS:
      what = "unescaped control character in string";
      break;
    case simdjson::NUMBER_ERROR:
      what = "malformed number";
      break;
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      what = "malformed literal (expected true, false or null)";
      break;
    case simdjson::UTF8_ERROR:
      what = "invalid UTF-8";
      break;
    default:
      what = simdjson::error_message(code);
      break;
  }
  return json_error(p, what);
}

namespace {

std::string_view found_type(od::value& v) {
  od::json_type t;
  if (v.type().get(t)) return "malformed JSON";
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "unknown";
}

// Why an integer read failed, in words.
Error integer_error(simdjson::error_code code, od::value& v, const PathNode& p,
                    std::string_view expected) {
  if (code != simdjson::INCORRECT_TYPE && code != simdjson::NUMBER_OUT_OF_RANGE &&
      code != simdjson::NUMBER_ERROR)
    return json_error(p, code);
  od::json_type t;
  if (!v.type().get(t) && t == od::json_type::number) {
    od::number_type nt;
    if (!v.get_number_type().get(nt)) {
      if (nt == od::number_type::floating_point_number)
        return json_error(p, fmt::format("expected {}, found a non-integer number", expected));
      if (nt == od::number_type::signed_integer)
        return json_error(p, fmt::format("expected {}, found a negative integer", expected));
    }
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() &&
           (tok.back() == ' ' || tok.back() == '\n' || tok.back() == '\r' || tok.back() == '\t'))
      tok.remove_suffix(1);
    if (!tok.empty() && tok.front() == '-')
      return json_error(
          p, fmt::format("expected {}, found negative integer {} (out of range)", expected, tok));
    return json_error(p, fmt::format("expected {}, found {} (out of range)", expected, tok));
  }
  return json_error(p, fmt::format("expected {}, found {}", expected, found_type(v)));
}

}  // namespace

Result<std::uint64_t> read_u64(od::value v, const PathNode& p) {
  std::uint64_t x;
  if (auto err = v.get_uint64().get(x))
    return integer_error(err, v, p, "an unsigned 64-bit integer");
  return x;
}

Result<std::uint32_t> read_u32(od::value v, const PathNode& p) {
  std::uint64_t x;
  if (auto err = v.get_uint64().get(x))
    return integer_error(err, v, p, "an unsigned 32-bit integer");
  if (x > UINT32_MAX)
    return json_error(
        p, fmt::format("expected an unsigned 32-bit integer, found {} (out of range)", x));
  return static_cast<std::uint32_t>(x);
}

Result<std::int64_t> read_i64(od::value v, const PathNode& p) {
  std::int64_t x;
  if (auto err = v.get_int64().get(x)) return integer_error(err, v, p, "a signed 64-bit integer");
  return x;
}

Result<std::int32_t> read_i32(od::value v, const PathNode& p) {
  std::int64_t x;
  if (auto err = v.get_int64().get(x)) return integer_error(err, v, p, "a signed 32-bit integer");
  if (x < INT32_MIN || x > INT32_MAX)
    return json_error(p,
                      fmt::format("expected a signed 32-bit integer, found {} (out of range)", x));
  return static_cast<std::int32_t>(x);
}

Result<bool> read_bool(od::value v, const PathNode& p) {
  bool b;
  if (v.get_bool().get(b))
    return json_error(p, fmt::format("expected a boolean, found {}", found_type(v)));
  return b;
}

namespace {
thread_local bool t_ryu_seen = false;

// "1e16" (ryu, serde_json <= 1.0.146) has a digit right after the 'e' of a
// non-negative exponent; "1e+16" (zmij, 1.0.147+) a '+'.
void note_float_token(std::string_view tok) {
  auto e = tok.find_first_of("eE");
  if (e != std::string_view::npos && e + 1 < tok.size() && tok[e + 1] >= '0' && tok[e + 1] <= '9')
    t_ryu_seen = true;
}
}  // namespace

namespace {
struct NameTable {
  // Keys view the text of the SharedName they map to.
  std::unordered_map<std::string_view, SharedName> names;
  int depth = 0;
};
thread_local NameTable t_names;
}  // namespace

NameScope::NameScope() {
  ++t_names.depth;
}
NameScope::~NameScope() {
  if (--t_names.depth == 0) std::unordered_map<std::string_view, SharedName>().swap(t_names.names);
}

SharedName read_name(std::string_view s) {
  if (t_names.depth == 0 || s.empty()) return SharedName(s);
  auto it = t_names.names.find(s);
  if (it != t_names.names.end()) return it->second;
  SharedName n(s);
  t_names.names.emplace(n.view(), n);
  return n;
}

FloatStyleProbe::FloatStyleProbe() : outer_(t_ryu_seen) {
  t_ryu_seen = false;
}
FloatStyleProbe::~FloatStyleProbe() {
  t_ryu_seen = outer_ || t_ryu_seen;
}
void note_float_style(FloatStyle style) {
  if (style == FloatStyle::Ryu) t_ryu_seen = true;
}
FloatStyle FloatStyleProbe::style() const {
  return t_ryu_seen ? FloatStyle::Ryu : FloatStyle::Zmij;
}

Result<double> read_f64(od::value v, const PathNode& p) {
  double d;
  if (v.get_double().get(d)) {
    bool null = false;
    if (!v.is_null().get(null) && null)
      return json_error(p,
                        "expected a number, found null (serde reads no null into an f64, "
                        "though it writes NaN and infinities as null)");
    return json_error(p, fmt::format("expected a number, found {}", found_type(v)));
  }
  note_float_token(v.raw_json_token());
  return d;
}

Result<std::string> read_string(od::value v, const PathNode& p) {
  std::string_view s;
  if (auto err = v.get_string().get(s)) {
    if (err == simdjson::INCORRECT_TYPE)
      return json_error(p, fmt::format("expected a string, found {}", found_type(v)));
    return json_error(p, err);
  }
  return std::string(s);
}

Result<od::object> read_object(od::value v, const PathNode& p) {
  od::object o;
  if (auto err = v.get_object().get(o)) {
    if (err == simdjson::INCORRECT_TYPE)
      return json_error(p, fmt::format("expected an object, found {}", found_type(v)));
    return json_error(p, err);
  }
  return o;
}

Result<od::array> read_array(od::value v, const PathNode& p) {
  od::array a;
  if (auto err = v.get_array().get(a)) {
    if (err == simdjson::INCORRECT_TYPE)
      return json_error(p, fmt::format("expected an array, found {}", found_type(v)));
    return json_error(p, err);
  }
  return a;
}

Result<JsonValue> read_json_value(od::value v, const PathNode& p, int depth) {
  if (depth > kMaxJsonDepth)
    return json_error(p, fmt::format("nesting deeper than {} levels", kMaxJsonDepth));
  od::json_type t;
  if (auto err = v.type().get(t)) return json_error(p, err);
  switch (t) {
    case od::json_type::null: {
      bool n = false;
      if (v.is_null().get(n) || !n) return json_error(p, "malformed literal (expected null)");
      return JsonValue::null();
    }
    case od::json_type::boolean: {
      SCXSNAP_TRY(bool b, read_bool(v, p));
      return JsonValue::boolean(b);
    }
    case od::json_type::number: {
      // Validate, then keep the token text so it is written back unchanged.
      od::number n;
      if (auto err = v.get_number().get(n)) return json_error(p, err);
      std::string_view tok = v.raw_json_token();
      while (!tok.empty() &&
             (tok.back() == ' ' || tok.back() == '\n' || tok.back() == '\r' || tok.back() == '\t'))
        tok.remove_suffix(1);
      return JsonValue::number_text(std::string(tok));
    }
    case od::json_type::string: {
      SCXSNAP_TRY(std::string s, read_string(v, p));
      return JsonValue::string(std::move(s));
    }
    case od::json_type::array: {
      SCXSNAP_TRY(od::array a, read_array(v, p));
      std::vector<JsonValue> items;
      SCXSNAP_TRY_VOID(for_each_element(a, p, [&](od::value e, const PathNode& cp) -> Result<void> {
        SCXSNAP_TRY(JsonValue x, read_json_value(e, cp, depth + 1));
        items.push_back(std::move(x));
        return {};
      }));
      return JsonValue::array(std::move(items));
    }
    case od::json_type::object: {
      SCXSNAP_TRY(od::object o, read_object(v, p));
      std::vector<JsonValue::Member> members;
      SCXSNAP_TRY_VOID(for_each_field(
          o, p, [&](std::string_view k, od::value e, const PathNode& cp) -> Result<void> {
            SCXSNAP_TRY(JsonValue x, read_json_value(e, cp, depth + 1));
            members.emplace_back(std::string(k), std::move(x));
            return {};
          }));
      return JsonValue::object(std::move(members));
    }
  }
  return json_error(p, "unknown JSON type");
}

std::size_t unclosed_depth(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      ++depth;
    else if ((c == '}' || c == ']') && depth > 0)
      --depth;
  }
  return in_string ? depth + 1 : depth;
}

Error stage1_error(std::string_view text, simdjson::error_code code) {
  if (code == simdjson::UTF8_ERROR) {
    // Locate the first invalid byte for the message.
    std::size_t lo = 0, hi = text.size();
    while (hi - lo > 1) {  // invalid prefix search: validate halves
      std::size_t mid = lo + (hi - lo) / 2;
      if (simdjson::validate_utf8(text.data(), mid))
        lo = mid;
      else
        hi = mid;
    }
    return Error(ErrorCode::BadInput, fmt::format("invalid UTF-8 at byte offset {}", lo));
  }
  std::string_view what;
  switch (code) {
    case simdjson::UNCLOSED_STRING:
      what = "unterminated string (input truncated?)";
      break;
    case simdjson::EMPTY:
      what = "empty input (no JSON value)";
      break;
    case simdjson::DEPTH_ERROR:
      what = "JSON nesting too deep";
      break;
    case simdjson::CAPACITY:
      what = "document too large";
      break;
    default:
      what = simdjson::error_message(code);
      break;
  }
  return Error(ErrorCode::BadInput, std::string(what));
}

}  // namespace scxsnap::detail
