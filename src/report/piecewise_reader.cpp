// SPDX-License-Identifier: Apache-2.0
// Large single reports, read piecewise. A whole-document parse holds the
// file, simdjson's structural index (about as large again for dense JSON) and
// the model at once. For large files the reader instead parses a skeleton
// (every big array emptied) and then the map entry arrays in chunks of a few
// MB, and values too large for one document member by member, releasing the
// consumed input as it goes. Any problem makes the caller fall back to the
// whole-document parse, which produces the precise error.
#include "json_scanner.hpp"
#include "report_reader.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::detail {
namespace {

// One reusable padded buffer for the chunks.
struct ChunkBuffer {
  simdjson::padded_string buf;
  std::size_t len = 0;
  void set(std::string_view prefix, std::string_view body, std::string_view suffix) {
    std::size_t n = prefix.size() + body.size() + suffix.size();
    if (buf.size() < n) buf = simdjson::padded_string(std::max(n, buf.size() * 2));
    std::memcpy(buf.data(), prefix.data(), prefix.size());
    std::memcpy(buf.data() + prefix.size(), body.data(), body.size());
    std::memcpy(buf.data() + prefix.size() + body.size(), suffix.data(), suffix.size());
    len = n;
  }
  simdjson::padded_string_view view() const {
    return simdjson::padded_string_view(buf.data(), len, buf.size() + simdjson::SIMDJSON_PADDING);
  }
};

template <class T>
bool parse_chunked(std::string_view t, const Ranges& elems, std::vector<T>& out,
                   ChunkBuffer& cb, const std::function<void(std::size_t)>& consumed) {
  constexpr std::size_t kChunkBytes = std::size_t{4} << 20;
  out.reserve(elems.size());
  for (std::size_t a = 0; a < elems.size();) {
    std::size_t b = a;
    while (b < elems.size() && elems[b].second - elems[a].first < kChunkBytes) ++b;
    if (b == a) ++b;  // one element larger than a chunk
    cb.set("[", t.substr(elems[a].first, elems[b - 1].second - elems[a].first), "]");
    auto r = with_document<std::vector<T>>(
        cb.view(), [](od::value v, const PathNode& p) -> Result<std::vector<T>> {
          SCXSNAP_TRY(od::array arr, read_array(v, p));
          std::vector<T> list;
          SCXSNAP_TRY_VOID(
              for_each_element(arr, p, [&](od::value e, const PathNode& ep) -> Result<void> {
                SCXSNAP_TRY(T x, read_described<T>(e, ep));
                list.push_back(std::move(x));
                return {};
              }));
          return list;
        });
    if (!r) return false;
    for (auto& x : *r) out.push_back(std::move(x));
    consumed(elems[b - 1].second);
    a = b;
  }
  return true;
}

// A rendered value too large to parse as one document (simdjson's index
// takes several bytes per structural character, and one document stops at
// 4 GiB): its small fields are read strictly from a skeleton whose big
// arrays are emptied and whose nested values are stubbed, and the arrays and
// nested values are read the same way, recursively.
Result<RenderedValue> read_value_piecewise(std::string_view t, std::size_t b, std::size_t e,
                                           std::size_t threshold,
                                           const std::function<void(std::size_t)>& consumed,
                                           int depth) {
  auto whole = [&]() -> Result<RenderedValue> {
    auto v = parse_rendered_value(t.substr(b, e - b));
    if (!v) return v.error().with_context(fmt::format("the value at byte offset {}", b));
    return v;
  };
  if (e - b <= threshold || depth > 64) return whole();
  static constexpr std::array<std::string_view, 2> kSplit = {"members", "elements"};
  auto mem = object_members(t, b, kSplit);
  if (!mem) return whole();  // malformed: the whole-document reader says where
  constexpr std::string_view kStub = R"({"kind":"bytes","hex":""})";
  std::string skel;
  std::size_t at = b;
  const Member *items = nullptr, *nested = nullptr;
  for (const auto& m : *mem) {
    const bool array = m.elements && (m.key == "members" || m.key == "elements");
    const bool object = (m.key == "partial" || m.key == "deref") && t[m.value_begin] == '{';
    if (!array && !object) continue;
    skel.append(t.substr(at, m.value_begin - at));
    skel += array ? std::string_view("[]") : kStub;
    at = m.value_end;
    (array ? items : nested) = &m;
  }
  skel.append(t.substr(at, e - at));
  auto shape = parse_rendered_value(skel);
  if (!shape) return whole();
  auto sub = [&](std::size_t vb, std::size_t ve) {
    return read_value_piecewise(t, vb, ve, threshold, consumed, depth + 1);
  };
  switch (shape->kind()) {
    case ValueKind::Struct: {
      std::vector<RenderedMember> members;
      if (items) {
        members.reserve(items->elements->size());
        for (const auto& [mb, me] : *items->elements) {
          auto kv = object_members(t, mb, {});
          if (!kv || kv->size() != 2 || (*kv)[0].key != "name" || (*kv)[1].key != "value")
            return Error(ErrorCode::BadInput,
                         fmt::format("struct member at byte offset {}: expected {{\"name\": …, "
                                     "\"value\": …}}",
                                     mb));
          SCXSNAP_TRY(JsonValue name,
                      parse_json(t.substr((*kv)[0].value_begin,
                                          (*kv)[0].value_end - (*kv)[0].value_begin)));
          if (!name.is_string())
            return Error(ErrorCode::BadInput,
                         fmt::format("struct member name at byte offset {} is not a string", mb));
          SCXSNAP_TRY(RenderedValue v, sub((*kv)[1].value_begin, (*kv)[1].value_end));
          members.emplace_back(read_name(name.text()), std::move(v));
          consumed(me);
        }
      }
      return RenderedValue::make_struct(shape->type_name(), std::move(members));
    }
    case ValueKind::Array: {
      std::vector<RenderedValue> elems;
      if (items) {
        elems.reserve(items->elements->size());
        for (const auto& [vb, ve] : *items->elements) {
          SCXSNAP_TRY(RenderedValue v, sub(vb, ve));
          elems.push_back(std::move(v));
          consumed(ve);
        }
      }
      return RenderedValue::make_array(shape->array_len(), std::move(elems));
    }
    case ValueKind::Truncated: {
      if (!nested) return std::move(*shape);
      SCXSNAP_TRY(RenderedValue partial, sub(nested->value_begin, nested->value_end));
      return RenderedValue::make_truncated(shape->needed(), shape->had(), std::move(partial));
    }
    case ValueKind::Ptr: {
      if (!nested) return std::move(*shape);
      SCXSNAP_TRY(RenderedValue target, sub(nested->value_begin, nested->value_end));
      auto opt = [](const std::string* p) {
        return p ? std::optional<std::string>(*p) : std::nullopt;
      };
      return RenderedValue::make_ptr(shape->uint_value(), std::move(target),
                                     opt(shape->deref_skipped_reason()),
                                     opt(shape->cast_annotation()));
    }
    default:
      return std::move(*shape);
  }
}

}  // namespace

std::size_t g_piecewise_value_threshold = std::size_t{256} << 20;

std::optional<FailureDumpReport> parse_report_streaming(
    std::string_view t, const std::function<void(std::size_t)>& consumed, std::string* why) {
  FloatStyleProbe floats;
  NameScope names;
  static constexpr std::array<std::string_view, 1> kMaps = {"maps"};
  auto top = object_members(t, skip_ws(t, 0), kMaps);
  if (!top) return std::nullopt;
  const Member* maps = nullptr;
  for (const auto& m : *top)
    if (m.key == "maps" && m.elements) maps = &m;
  if (!maps) return std::nullopt;
  // The report without its maps.
  std::string skeleton(t.substr(0, maps->value_begin));
  skeleton += "[]";
  skeleton.append(t.substr(maps->value_end));
  auto report = parse_report(skeleton);
  if (!report) return std::nullopt;
  std::string().swap(skeleton);
  static constexpr std::array<std::string_view, 4> kBig = {"entries", "array_entries",
                                                           "percpu_entries", "percpu_hash_entries"};
  ChunkBuffer cb;
  for (const auto& [mb, me] : *maps->elements) {
    auto members = object_members(t, mb, kBig);
    if (!members) return std::nullopt;
    std::string map_text;
    std::size_t at = mb;
    for (const auto& m : *members)
      if (m.elements) {
        map_text.append(t.substr(at, m.value_begin - at));
        map_text += "[]";
        at = m.value_end;
      }
    map_text.append(t.substr(at, me - at));
    // A map whose own text (its entry arrays aside) is large holds a large
    // `value`: that is read piecewise, the rest of the map as one document.
    std::optional<std::pair<std::size_t, std::size_t>> big_value;
    if (map_text.size() > g_piecewise_value_threshold) {
      static constexpr std::array<std::string_view, 0> kNone = {};
      auto all = object_members(t, mb, kNone);
      if (!all) return std::nullopt;
      map_text.clear();
      at = mb;
      for (const auto& m : *all) {
        const bool entries =
            std::find(kBig.begin(), kBig.end(), m.key) != kBig.end() && t[m.value_begin] == '[';
        if (!entries && !(m.key == "value" && t[m.value_begin] == '{')) continue;
        map_text.append(t.substr(at, m.value_begin - at));
        map_text += entries ? "[]" : "null";
        at = m.value_end;
        if (!entries) big_value.emplace(m.value_begin, m.value_end);
      }
      map_text.append(t.substr(at, me - at));
    }
    if (map_text.size() >= simdjson::SIMDJSON_MAXSIZE_BYTES) {
      // One document per map (its entry arrays and value aside): simdjson's limit.
      if (why)
        *why = fmt::format(
            "map {} (at byte offset {}) holds {} bytes of JSON outside its entry arrays and its "
            "value; one JSON document cannot exceed 4 GiB",
            report->maps.size(), mb, map_text.size());
      return std::nullopt;
    }
    cb.set("", map_text, "");
    auto map = with_document<FailureDumpMap>(cb.view(), read_described<FailureDumpMap>);
    if (!map) return std::nullopt;
    if (big_value) {
      auto v = read_value_piecewise(t, big_value->first, big_value->second,
                                    g_piecewise_value_threshold, consumed, 0);
      if (!v) {
        if (why) *why = fmt::format("map {}: {}", report->maps.size(), v.error().message());
        return std::nullopt;
      }
      map->value = std::move(*v);
    }
    for (const auto& m : *members) {
      if (!m.elements) continue;
      const Ranges& el = *m.elements;
      bool ok = m.key == "entries"         ? parse_chunked(t, el, map->entries, cb, consumed)
                : m.key == "array_entries"  ? parse_chunked(t, el, map->array_entries, cb, consumed)
                : m.key == "percpu_entries" ? parse_chunked(t, el, map->percpu_entries, cb, consumed)
                                            : parse_chunked(t, el, map->percpu_hash_entries, cb, consumed);
      if (!ok) return std::nullopt;
    }
    report->maps.push_back(std::move(*map));
    consumed(me);
  }
  report->float_style = floats.style();
  return std::move(*report);
}


}  // namespace scxsnap::detail
