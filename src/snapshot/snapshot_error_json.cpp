// SPDX-License-Identifier: Apache-2.0
// SnapshotError ⇄ JSON in serde's externally tagged form.
#include "report/json/json_writer.hpp"
#include "report/narrow.hpp"
#include "report/report_writer.hpp"
#include "scxsnap/snapshot_error.hpp"

#include <fmt/format.h>

namespace scxsnap {
namespace {

using detail::JsonWriter;

void strings(JsonWriter& w, std::string_view k, const std::vector<std::string>& v) {
  w.key(k);
  w.begin_array();
  for (const auto& s : v) w.value_string(s);
  w.end_array();
}
void u64s(JsonWriter& w, std::string_view k, const std::vector<std::uint64_t>& v) {
  w.key(k);
  w.begin_array();
  for (auto x : v) w.value_u64(x);
  w.end_array();
}

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

struct JsonVisitor {
  JsonWriter& w;
  void operator()(const errors::MapNotFound& e) {
    w.field_string("requested", e.requested);
    strings(w, "available", e.available);
  }
  void operator()(const errors::VarNotFound& e) {
    w.field_string("requested", e.requested);
    strings(w, "available", e.available);
  }
  void operator()(const errors::AmbiguousVar& e) {
    w.field_string("requested", e.requested);
    strings(w, "found_in", e.found_in);
  }
  void operator()(const errors::FieldNotFound& e) {
    w.field_string("requested", e.requested);
    w.field_string("walked", e.walked);
    w.field_string("component", e.component);
    strings(w, "available", e.available);
  }
  void operator()(const errors::NotAStruct& e) {
    w.field_string("requested", e.requested);
    w.field_string("walked", e.walked);
    w.field_string("component", e.component);
    w.field_string("kind", e.kind);
  }
  void operator()(const errors::TypeMismatch& e) {
    w.field_string("expected", e.expected);
    w.field_string("actual", e.actual);
    w.field_string("requested", e.requested);
  }
  void operator()(const errors::IndexOutOfRange& e) {
    w.field_string("map", e.map);
    w.field_u64("index", e.index);
    w.field_u64("len", e.len);
  }
  void operator()(const errors::PerCpuSlot& e) {
    w.field_string("map", e.map);
    w.field_u64("cpu", e.cpu);
    w.field_u64("len", e.len);
    w.field_bool("unmapped", e.unmapped);
  }
  void operator()(const errors::NoMatch& e) {
    w.field_string("map", e.map);
    w.field_string("op", e.op);
    w.field_u64("len", e.len);
    strings(w, "available_keys", e.available_keys);
  }
  void operator()(const errors::EmptyPathComponent& e) { w.field_string("requested", e.requested); }
  void operator()(const errors::PerCpuNotNarrowed& e) { w.field_string("map", e.map); }
  void operator()(const errors::NoRendered& e) {
    w.field_string("map", e.map);
    w.field_string("side", e.side);
  }
  void operator()(const errors::PlaceholderSample& e) {
    w.field_string("tag", e.tag);
    w.field_string("reason", e.reason);
  }
  void operator()(const errors::MissingStats& e) {
    w.field_string("tag", e.tag);
    w.key("reason");
    write_reason(w, e.reason);
  }
  void operator()(const errors::HostFieldUnavailable& e) {
    w.field_string("tag", e.tag);
    w.field_u64("cpu", e.cpu);
  }
  void operator()(const errors::PlaceholderSnapshot& e) {
    w.key("tag");
    if (e.tag)
      w.value_string(*e.tag);
    else
      w.value_null();
  }
  void operator()(const errors::NoActiveScheduler& e) { w.field_string("reason", e.reason); }
  void operator()(const errors::ActiveFilterExcludedMaps& e) {
    w.field_string("requested", e.requested);
    w.field_string("active_obj", e.active_obj);
    w.key("excluded_maps");
    w.begin_array();
    for (const auto& m : e.excluded_maps) {
      w.begin_object();
      w.field_string("name", m.name);
      w.field_u64("map_kva", m.map_kva);
      if (m.map_id) w.field_u64("map_id", m.map_id);
      w.end_object();
    }
    w.end_array();
    u64s(w, "whitelist_kvas", e.whitelist_kvas);
  }
  void operator()(const errors::WalkerDriftedWithinPhase& e) {
    w.key("phase");
    detail::write_json_value(w, e.phase);
    u64s(w, "pinned_kvas", e.pinned_kvas);
    u64s(w, "sample_kvas", e.sample_kvas);
    w.field_string("requested", e.requested);
  }
  void operator()(const errors::ProjectionFailed& e) { w.field_string("reason", e.reason); }
  void operator()(const errors::MapRenderIncomplete& e) {
    w.field_string("map", e.map);
    w.field_string("error", e.error);
  }
};

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

Result<SnapshotError> read_error(std::string_view name, const JsonValue& body) {
  Reader r{body, name};
  if (!body.is_object()) return r.fail("expected an object");
  if (name == "MapNotFound") {
    SCXSNAP_TRY(auto a, r.str("requested"));
    SCXSNAP_TRY(auto b, r.strs("available"));
    return SnapshotError(errors::MapNotFound{a, b});
  }
  if (name == "VarNotFound") {
    SCXSNAP_TRY(auto a, r.str("requested"));
    SCXSNAP_TRY(auto b, r.strs("available"));
    return SnapshotError(errors::VarNotFound{a, b});
  }
  if (name == "AmbiguousVar") {
    SCXSNAP_TRY(auto a, r.str("requested"));
    SCXSNAP_TRY(auto b, r.strs("found_in"));
    return SnapshotError(errors::AmbiguousVar{a, b});
  }
  if (name == "FieldNotFound") {
    SCXSNAP_TRY(auto a, r.str("requested"));
    SCXSNAP_TRY(auto b, r.str("walked"));
    SCXSNAP_TRY(auto c, r.str("component"));
    SCXSNAP_TRY(auto d, r.strs("available"));
    return SnapshotError(errors::FieldNotFound{a, b, c, d});
  }
  if (name == "NotAStruct") {
    SCXSNAP_TRY(auto a, r.str("requested"));
    SCXSNAP_TRY(auto b, r.str("walked"));
    SCXSNAP_TRY(auto c, r.str("component"));
    SCXSNAP_TRY(auto d, r.str("kind"));
    return SnapshotError(errors::NotAStruct{a, b, c, d});
  }
  if (name == "TypeMismatch") {
    SCXSNAP_TRY(auto a, r.str("expected"));
    SCXSNAP_TRY(auto b, r.str("actual"));
    SCXSNAP_TRY(auto c, r.str("requested"));
    return SnapshotError(errors::TypeMismatch{a, b, c});
  }
  if (name == "IndexOutOfRange") {
    SCXSNAP_TRY(auto a, r.str("map"));
    SCXSNAP_TRY(auto b, r.u64("index"));
    SCXSNAP_TRY(auto c, r.u64("len"));
    return SnapshotError(errors::IndexOutOfRange{a, b, c});
  }
  if (name == "PerCpuSlot") {
    SCXSNAP_TRY(auto a, r.str("map"));
    SCXSNAP_TRY(auto b, r.u32("cpu"));
    SCXSNAP_TRY(auto c, r.u64("len"));
    SCXSNAP_TRY(auto d, r.boolean("unmapped"));
    return SnapshotError(errors::PerCpuSlot{a, b, c, d});
  }
  if (name == "NoMatch") {
    SCXSNAP_TRY(auto a, r.str("map"));
    SCXSNAP_TRY(auto b, r.str("op"));
    SCXSNAP_TRY(auto c, r.u64("len"));
    SCXSNAP_TRY(auto d, r.strs("available_keys"));
    return SnapshotError(errors::NoMatch{a, b, c, d});
  }
  if (name == "EmptyPathComponent") {
    SCXSNAP_TRY(auto a, r.str("requested"));
    return SnapshotError(errors::EmptyPathComponent{a});
  }
  if (name == "PerCpuNotNarrowed") {
    SCXSNAP_TRY(auto a, r.str("map"));
    return SnapshotError(errors::PerCpuNotNarrowed{a});
  }
  if (name == "NoRendered") {
    SCXSNAP_TRY(auto a, r.str("map"));
    SCXSNAP_TRY(auto b, r.str("side"));
    return SnapshotError(errors::NoRendered{a, b});
  }
  if (name == "PlaceholderSample") {
    SCXSNAP_TRY(auto a, r.str("tag"));
    SCXSNAP_TRY(auto b, r.str("reason"));
    return SnapshotError(errors::PlaceholderSample{a, b});
  }
  if (name == "MissingStats") {
    SCXSNAP_TRY(auto a, r.str("tag"));
    const JsonValue* rv = body.find("reason");
    if (!rv) return r.fail("missing 'reason'");
    SCXSNAP_TRY(auto b, read_reason(*rv));
    return SnapshotError(errors::MissingStats{a, b});
  }
  if (name == "HostFieldUnavailable") {
    SCXSNAP_TRY(auto a, r.str("tag"));
    SCXSNAP_TRY(auto b, r.u32("cpu"));
    return SnapshotError(errors::HostFieldUnavailable{a, b});
  }
  if (name == "PlaceholderSnapshot") {
    const JsonValue* t = body.find("tag");
    errors::PlaceholderSnapshot p;
    if (t && t->is_string())
      p.tag = t->text();
    else if (t && !t->is_null())
      return r.fail("'tag' must be a string or null");
    return SnapshotError(p);
  }
  if (name == "NoActiveScheduler") {
    SCXSNAP_TRY(auto a, r.str("reason"));
    return SnapshotError(errors::NoActiveScheduler{a});
  }
  if (name == "ActiveFilterExcludedMaps") {
    errors::ActiveFilterExcludedMaps e;
    SCXSNAP_TRY(e.requested, r.str("requested"));
    SCXSNAP_TRY(e.active_obj, r.str("active_obj"));
    SCXSNAP_TRY(e.whitelist_kvas, r.u64s("whitelist_kvas"));
    const JsonValue* ex = body.find("excluded_maps");
    if (!ex || !ex->is_array()) return r.fail("'excluded_maps' must be an array");
    for (const auto& m : ex->items()) {
      Reader mr{m, name};
      ExcludedMap x;
      SCXSNAP_TRY(x.name, mr.str("name"));
      SCXSNAP_TRY(x.map_kva, mr.u64("map_kva"));
      if (m.find("map_id")) {
        SCXSNAP_TRY(x.map_id, mr.u32("map_id"));
      }
      e.excluded_maps.push_back(std::move(x));
    }
    return SnapshotError(std::move(e));
  }
  if (name == "WalkerDriftedWithinPhase") {
    errors::WalkerDriftedWithinPhase e;
    if (const JsonValue* p = body.find("phase")) e.phase = *p;
    SCXSNAP_TRY(e.pinned_kvas, r.u64s("pinned_kvas"));
    SCXSNAP_TRY(e.sample_kvas, r.u64s("sample_kvas"));
    SCXSNAP_TRY(e.requested, r.str("requested"));
    return SnapshotError(std::move(e));
  }
  if (name == "ProjectionFailed") {
    SCXSNAP_TRY(auto a, r.str("reason"));
    return SnapshotError(errors::ProjectionFailed{a});
  }
  if (name == "MapRenderIncomplete") {
    SCXSNAP_TRY(auto a, r.str("map"));
    SCXSNAP_TRY(auto b, r.str("error"));
    return SnapshotError(errors::MapRenderIncomplete{a, b});
  }
  return Error(ErrorCode::BadInput, fmt::format("unknown SnapshotError variant '{}'", name));
}

}  // namespace

std::string SnapshotError::to_json() const {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key(variant_name());
  w.begin_object();
  std::visit(JsonVisitor{w}, payload_);
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
