// SPDX-License-Identifier: Apache-2.0
// SnapshotError ⇄ JSON in serde's externally tagged form, driven by one
// description per variant (its fields in ktstr's order).
#include "report/json/json_writer.hpp"
#include "report/narrow.hpp"
#include "report/report_writer.hpp"
#include "scxsnap/snapshot_error.hpp"

#include <fmt/format.h>
#include <tuple>
#include <variant>

namespace scxsnap {
namespace {

using detail::JsonWriter;

void write_reason(JsonWriter& w, const MissingStatsReason& r) {
  using K = MissingStatsReason::Kind;
  switch (r.kind) {
    case K::NoSchedulerBinary:
      w.value_string("NoSchedulerBinary");
      return;
    case K::DuringFreeze:
      w.value_string("DuringFreeze");
      return;
    case K::Cancelled:
      w.value_string("Cancelled");
      return;
    case K::MutexPoisoned:
      w.value_string("MutexPoisoned");
      return;
    default:
      break;
  }
  w.begin_object();
  switch (r.kind) {
    case K::NoScheduler:
      w.key("NoScheduler");
      w.begin_object();
      w.field_string("reason", r.reason);
      w.end_object();
      break;
    case K::SchedulerError:
      w.key("SchedulerError");
      w.begin_object();
      w.field_i64("errno", r.err_no);
      w.key("args");
      detail::write_json_value(w, r.args);
      w.end_object();
      break;
    case K::MissingResp:
      w.key("MissingResp");
      w.begin_object();
      w.key("args");
      detail::write_json_value(w, r.args);
      w.end_object();
      break;
    case K::RequestTooLarge:
    case K::ResponseTooLarge:
      w.key(r.kind == K::RequestTooLarge ? "RequestTooLarge" : "ResponseTooLarge");
      w.begin_object();
      w.field_u64("size", r.size);
      w.field_u64("max", r.max);
      w.end_object();
      break;
    default:
      break;
  }
  w.end_object();
}

// ---- reading ---------------------------------------------------------------

struct Reader {
  const JsonValue& obj;
  std::string_view variant;
  Error fail(std::string_view what) const {
    return Error(ErrorCode::BadInput, fmt::format("SnapshotError {}: {}", variant, what));
  }
  Result<std::string> str(std::string_view k) const {
    const JsonValue* v = obj.find(k);
    if (!v || !v->is_string()) return fail(fmt::format("'{}' must be a string", k));
    return v->text();
  }
  Result<std::uint64_t> u64(std::string_view k) const {
    const JsonValue* v = obj.find(k);
    std::optional<std::uint64_t> u = v ? v->as_u64() : std::nullopt;
    if (!u) return fail(fmt::format("'{}' must be an unsigned integer", k));
    return *u;
  }
  Result<std::uint32_t> u32(std::string_view k) const {
    SCXSNAP_TRY(std::uint64_t u, u64(k));
    return detail::narrow_or_error<std::uint32_t>(
        u, fmt::format("SnapshotError {}: '{}'", variant, k));
  }
  Result<bool> boolean(std::string_view k) const {
    const JsonValue* v = obj.find(k);
    if (!v || !v->is_bool()) return fail(fmt::format("'{}' must be a boolean", k));
    return v->bool_value();
  }
  Result<std::vector<std::string>> strs(std::string_view k) const {
    const JsonValue* v = obj.find(k);
    if (!v || !v->is_array()) return fail(fmt::format("'{}' must be an array of strings", k));
    std::vector<std::string> out;
    for (const auto& x : v->items()) {
      if (!x.is_string()) return fail(fmt::format("'{}' must be an array of strings", k));
      out.push_back(x.text());
    }
    return out;
  }
  Result<std::vector<std::uint64_t>> u64s(std::string_view k) const {
    const JsonValue* v = obj.find(k);
    if (!v || !v->is_array()) return fail(fmt::format("'{}' must be an array of integers", k));
    std::vector<std::uint64_t> out;
    for (const auto& x : v->items()) {
      std::optional<std::uint64_t> u = x.as_u64();
      if (!u) return fail(fmt::format("'{}' must be an array of integers", k));
      out.push_back(*u);
    }
    return out;
  }
};

Result<MissingStatsReason> read_reason(const JsonValue& v) {
  using K = MissingStatsReason::Kind;
  MissingStatsReason r;
  auto bad = [] {
    return Error(ErrorCode::BadInput, "MissingStatsReason: unknown or malformed variant");
  };
  if (v.is_string()) {
    const std::string& s = v.text();
    if (s == "NoSchedulerBinary")
      r.kind = K::NoSchedulerBinary;
    else if (s == "DuringFreeze")
      r.kind = K::DuringFreeze;
    else if (s == "Cancelled")
      r.kind = K::Cancelled;
    else if (s == "MutexPoisoned")
      r.kind = K::MutexPoisoned;
    else
      return bad();
    return r;
  }
  if (!v.is_object() || v.members().size() != 1) return bad();
  const auto& [name, body] = v.members()[0];
  Reader rd{body, name};
  if (name == "NoScheduler") {
    r.kind = K::NoScheduler;
    SCXSNAP_TRY(r.reason, rd.str("reason"));
  } else if (name == "SchedulerError") {
    r.kind = K::SchedulerError;
    const JsonValue* e = body.find("errno");
    std::optional<std::int64_t> en = e ? e->as_i64() : std::nullopt;
    std::optional<std::int32_t> en32 = en ? detail::narrow<std::int32_t>(*en) : std::nullopt;
    if (!en32) return bad();  // an i32 in ktstr's type
    r.err_no = *en32;
    if (const JsonValue* a = body.find("args")) r.args = *a;
  } else if (name == "MissingResp") {
    r.kind = K::MissingResp;
    if (const JsonValue* a = body.find("args")) r.args = *a;
  } else if (name == "RequestTooLarge" || name == "ResponseTooLarge") {
    r.kind = name == "RequestTooLarge" ? K::RequestTooLarge : K::ResponseTooLarge;
    SCXSNAP_TRY(r.size, rd.u64("size"));
    SCXSNAP_TRY(r.max, rd.u64("max"));
  } else {
    return bad();
  }
  return r;
}

// ---- one description per variant -------------------------------------------
//
// Each variant's fields in ktstr's order: a name and a member. The writer and
// the reader below are driven by these rows; a field's JSON follows from its
// C++ type (put/take).

template <class S, class T>
struct Field {
  std::string_view name;
  T S::*member;
};
template <class S, class T>
constexpr Field<S, T> f(std::string_view name, T S::*member) {
  return {name, member};
}

namespace e = errors;
constexpr auto fields(const e::MapNotFound*) {
  return std::tuple{f("requested", &e::MapNotFound::requested),
                    f("available", &e::MapNotFound::available)};
}
constexpr auto fields(const e::VarNotFound*) {
  return std::tuple{f("requested", &e::VarNotFound::requested),
                    f("available", &e::VarNotFound::available)};
}
constexpr auto fields(const e::AmbiguousVar*) {
  return std::tuple{f("requested", &e::AmbiguousVar::requested),
                    f("found_in", &e::AmbiguousVar::found_in)};
}
constexpr auto fields(const e::FieldNotFound*) {
  return std::tuple{
      f("requested", &e::FieldNotFound::requested), f("walked", &e::FieldNotFound::walked),
      f("component", &e::FieldNotFound::component), f("available", &e::FieldNotFound::available)};
}
constexpr auto fields(const e::NotAStruct*) {
  return std::tuple{f("requested", &e::NotAStruct::requested), f("walked", &e::NotAStruct::walked),
                    f("component", &e::NotAStruct::component), f("kind", &e::NotAStruct::kind)};
}
constexpr auto fields(const e::TypeMismatch*) {
  return std::tuple{f("expected", &e::TypeMismatch::expected),
                    f("actual", &e::TypeMismatch::actual),
                    f("requested", &e::TypeMismatch::requested)};
}
constexpr auto fields(const e::IndexOutOfRange*) {
  return std::tuple{f("map", &e::IndexOutOfRange::map), f("index", &e::IndexOutOfRange::index),
                    f("len", &e::IndexOutOfRange::len)};
}
constexpr auto fields(const e::PerCpuSlot*) {
  return std::tuple{f("map", &e::PerCpuSlot::map), f("cpu", &e::PerCpuSlot::cpu),
                    f("len", &e::PerCpuSlot::len), f("unmapped", &e::PerCpuSlot::unmapped)};
}
constexpr auto fields(const e::NoMatch*) {
  return std::tuple{f("map", &e::NoMatch::map), f("op", &e::NoMatch::op),
                    f("len", &e::NoMatch::len), f("available_keys", &e::NoMatch::available_keys)};
}
constexpr auto fields(const e::EmptyPathComponent*) {
  return std::tuple{f("requested", &e::EmptyPathComponent::requested)};
}
constexpr auto fields(const e::PerCpuNotNarrowed*) {
  return std::tuple{f("map", &e::PerCpuNotNarrowed::map)};
}
constexpr auto fields(const e::NoRendered*) {
  return std::tuple{f("map", &e::NoRendered::map), f("side", &e::NoRendered::side)};
}
constexpr auto fields(const e::PlaceholderSample*) {
  return std::tuple{f("tag", &e::PlaceholderSample::tag),
                    f("reason", &e::PlaceholderSample::reason)};
}
constexpr auto fields(const e::MissingStats*) {
  return std::tuple{f("tag", &e::MissingStats::tag), f("reason", &e::MissingStats::reason)};
}
constexpr auto fields(const e::HostFieldUnavailable*) {
  return std::tuple{f("tag", &e::HostFieldUnavailable::tag),
                    f("cpu", &e::HostFieldUnavailable::cpu)};
}
constexpr auto fields(const e::PlaceholderSnapshot*) {
  return std::tuple{f("tag", &e::PlaceholderSnapshot::tag)};
}
constexpr auto fields(const e::NoActiveScheduler*) {
  return std::tuple{f("reason", &e::NoActiveScheduler::reason)};
}
constexpr auto fields(const e::ActiveFilterExcludedMaps*) {
  return std::tuple{f("requested", &e::ActiveFilterExcludedMaps::requested),
                    f("active_obj", &e::ActiveFilterExcludedMaps::active_obj),
                    f("excluded_maps", &e::ActiveFilterExcludedMaps::excluded_maps),
                    f("whitelist_kvas", &e::ActiveFilterExcludedMaps::whitelist_kvas)};
}
constexpr auto fields(const e::WalkerDriftedWithinPhase*) {
  return std::tuple{f("phase", &e::WalkerDriftedWithinPhase::phase),
                    f("pinned_kvas", &e::WalkerDriftedWithinPhase::pinned_kvas),
                    f("sample_kvas", &e::WalkerDriftedWithinPhase::sample_kvas),
                    f("requested", &e::WalkerDriftedWithinPhase::requested)};
}
constexpr auto fields(const e::ProjectionFailed*) {
  return std::tuple{f("reason", &e::ProjectionFailed::reason)};
}
constexpr auto fields(const e::MapRenderIncomplete*) {
  return std::tuple{f("map", &e::MapRenderIncomplete::map),
                    f("error", &e::MapRenderIncomplete::error)};
}

// ---- a field's JSON, by its type ---------------------------------------------

void put(JsonWriter& w, const std::string& v) {
  w.value_string(v);
}
void put(JsonWriter& w, std::uint64_t v) {
  w.value_u64(v);
}
void put(JsonWriter& w, std::uint32_t v) {
  w.value_u64(v);
}
void put(JsonWriter& w, bool v) {
  w.value_bool(v);
}
void put(JsonWriter& w, const JsonValue& v) {
  detail::write_json_value(w, v);
}
void put(JsonWriter& w, const MissingStatsReason& r) {
  write_reason(w, r);
}
void put(JsonWriter& w, const std::optional<std::string>& v) {
  if (v)
    w.value_string(*v);
  else
    w.value_null();
}
void put(JsonWriter& w, const ExcludedMap& m) {
  w.begin_object();
  w.field_string("name", m.name);
  w.field_u64("map_kva", m.map_kva);
  if (m.map_id) w.field_u64("map_id", m.map_id);  // scxsnap's addition, skipped when 0
  w.end_object();
}
template <class T>
void put(JsonWriter& w, const std::vector<T>& v) {
  w.begin_array();
  for (const auto& x : v) put(w, x);
  w.end_array();
}

Result<void> take(const Reader& r, std::string_view k, std::string& out) {
  SCXSNAP_TRY(out, r.str(k));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, std::uint64_t& out) {
  SCXSNAP_TRY(out, r.u64(k));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, std::uint32_t& out) {
  SCXSNAP_TRY(out, r.u32(k));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, bool& out) {
  SCXSNAP_TRY(out, r.boolean(k));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, std::vector<std::string>& out) {
  SCXSNAP_TRY(out, r.strs(k));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, std::vector<std::uint64_t>& out) {
  SCXSNAP_TRY(out, r.u64s(k));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, JsonValue& out) {
  if (const JsonValue* v = r.obj.find(k)) out = *v;  // any JSON, kept as it is
  return {};
}
Result<void> take(const Reader& r, std::string_view k, MissingStatsReason& out) {
  const JsonValue* v = r.obj.find(k);
  if (!v) return r.fail(fmt::format("missing '{}'", k));
  SCXSNAP_TRY(out, read_reason(*v));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, std::optional<std::string>& out) {
  const JsonValue* v = r.obj.find(k);
  if (v && v->is_string())
    out = v->text();
  else if (v && !v->is_null())
    return r.fail(fmt::format("'{}' must be a string or null", k));
  return {};
}
Result<void> take(const Reader& r, std::string_view k, std::vector<ExcludedMap>& out) {
  const JsonValue* v = r.obj.find(k);
  if (!v || !v->is_array()) return r.fail(fmt::format("'{}' must be an array", k));
  for (const JsonValue& m : v->items()) {
    Reader mr{m, r.variant};
    ExcludedMap x;
    SCXSNAP_TRY(x.name, mr.str("name"));
    SCXSNAP_TRY(x.map_kva, mr.u64("map_kva"));
    if (m.find("map_id")) {
      SCXSNAP_TRY(x.map_id, mr.u32("map_id"));
    }
    out.push_back(std::move(x));
  }
  return {};
}

// ---- the writer and the reader, over the rows ------------------------------------

template <class E>
void write_fields(JsonWriter& w, const E& err) {
  std::apply([&](const auto&... field) { ((w.key(field.name), put(w, err.*(field.member))), ...); },
             fields(static_cast<const E*>(nullptr)));
}

template <class E>
Result<void> read_fields(const Reader& r, E& err) {
  Result<void> result;
  std::apply(
      [&](const auto&... field) {
        // In order; the first field that fails stops the rest.
        (void)((result = take(r, field.name, err.*(field.member)), result.has_value()) && ...);
      },
      fields(static_cast<const E*>(nullptr)));
  return result;
}

template <std::size_t I = 0>
Result<SnapshotError> read_variant(std::string_view name, const Reader& r) {
  using Payload = SnapshotError::Payload;
  if constexpr (I == std::variant_size_v<Payload>) {
    return Error(ErrorCode::BadInput, fmt::format("unknown SnapshotError variant '{}'", name));
  } else {
    using E = std::variant_alternative_t<I, Payload>;
    if (SnapshotError(E{}).variant_name() != name) return read_variant<I + 1>(name, r);
    E err;
    SCXSNAP_TRY_VOID(read_fields(r, err));
    return SnapshotError(std::move(err));
  }
}

Result<SnapshotError> read_error(std::string_view name, const JsonValue& body) {
  Reader r{body, name};
  if (!body.is_object()) return r.fail("expected an object");
  return read_variant(name, r);
}

}  // namespace

std::string SnapshotError::to_json() const {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key(variant_name());
  w.begin_object();
  std::visit([&](const auto& e) { write_fields(w, e); }, payload_);
  w.end_object();
  w.end_object();
  return out;
}

Result<SnapshotError> SnapshotError::from_json(std::string_view json) {
  SCXSNAP_TRY(JsonValue v, parse_json(json));
  if (!v.is_object() || v.members().size() != 1)
    return Error(ErrorCode::BadInput,
                 "SnapshotError JSON must be an object with exactly one key (the variant name)");
  return read_error(v.members()[0].first, v.members()[0].second);
}

}  // namespace scxsnap
