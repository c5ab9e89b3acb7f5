// SPDX-License-Identifier: Apache-2.0
// Large single reports, read piecewise. A whole-document parse holds the
// file, simdjson's structural index (about as large again for dense JSON) and
// the model at once. For large files the reader instead parses a skeleton
// (every big array emptied) and then the map entry arrays in chunks of a few
// MB, and values too large for one document member by member, releasing the
// consumed input as it goes. Any problem makes the caller fall back to the
// whole-document parse, which produces the precise error.
#include "rendered_fields.hpp"
#include "report/json/json_scanner.hpp"
#include "report_fields.hpp"
#include "report_reader.hpp"
#include "report_writer.hpp"
#include "threads.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <thread>

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

// An entry array's elements cut into runs of about `run_bytes`: [first, last) indices.
std::vector<std::pair<std::size_t, std::size_t>> chunk_runs(const Ranges& elems,
                                                            std::size_t run_bytes = std::size_t{2}
                                                                                    << 20) {
  const std::size_t kChunkBytes = run_bytes;
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t a = 0; a < elems.size();) {
    std::size_t b = a;
    while (b < elems.size() && elems[b].second - elems[a].first < kChunkBytes) ++b;
    if (b == a) ++b;  // one element larger than a chunk
    runs.emplace_back(a, b);
    a = b;
  }
  return runs;
}

// The elements [a, b) of `elems`, read as one document.
template <class T>
Result<std::vector<T>> parse_run(std::string_view t, const Ranges& elems, std::size_t a,
                                 std::size_t b, ChunkBuffer& cb) {
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
  if (!r)
    return r.error().with_context(
        fmt::format("the entries at byte offsets {}..{}", elems[a].first, elems[b - 1].second));
  return r;
}

// The elements `elems` of an entry array, read in documents of a few MB:
// fn(std::vector<T>&&) -> Result<void> gets each chunk's elements.
template <class T, class Fn>
Result<void> for_each_chunk(std::string_view t, const Ranges& elems, ChunkBuffer& cb,
                            const std::function<void(std::size_t)>& consumed, Fn&& fn) {
  for (const auto& [a, b] : chunk_runs(elems)) {
    SCXSNAP_TRY(std::vector<T> xs, parse_run<T>(t, elems, a, b, cb));
    SCXSNAP_TRY_VOID(fn(std::move(xs)));
    consumed(elems[b - 1].second);
  }
  return {};
}

template <class T>
bool parse_chunked(std::string_view t, const Ranges& elems, std::vector<T>& out, ChunkBuffer& cb,
                   const std::function<void(std::size_t)>& consumed) {
  out.reserve(elems.size());
  return static_cast<bool>(
      for_each_chunk<T>(t, elems, cb, consumed, [&](std::vector<T>&& xs) -> Result<void> {
        for (auto& x : xs) out.push_back(std::move(x));
        return {};
      }));
}

// A large value's pieces: its shape (the value with its member/element list
// emptied and a nested value stubbed) and where those are in the text.
struct ValuePieces {
  RenderedValue shape;
  std::optional<Ranges> items;                                // members or elements
  std::optional<std::pair<std::size_t, std::size_t>> nested;  // partial or deref
};

std::optional<ValuePieces> split_value(std::string_view t, std::size_t b, std::size_t e) {
  constexpr std::string_view kMembers = rv_name(ValueKind::Struct, RvSlot::Members);
  constexpr std::string_view kElements = rv_name(ValueKind::Array, RvSlot::Elements);
  constexpr std::string_view kPartial = rv_name(ValueKind::Truncated, RvSlot::Partial);
  constexpr std::string_view kDeref = rv_name(ValueKind::Ptr, RvSlot::Deref);
  static constexpr std::array<std::string_view, 2> kSplit = {kMembers, kElements};
  auto mem = object_members(t, b, kSplit);
  if (!mem) return std::nullopt;
  static const std::string kStub = rv_json_text(ValueKind::Bytes, "");
  std::string skel;
  std::size_t at = b;
  ValuePieces out;
  for (auto& m : *mem) {
    const bool array = m.elements && (m.key == kMembers || m.key == kElements);
    const bool object = (m.key == kPartial || m.key == kDeref) && t[m.value_begin] == '{';
    if (!array && !object) continue;
    skel.append(t.substr(at, m.value_begin - at));
    skel += array ? std::string_view("[]") : std::string_view(kStub);
    at = m.value_end;
    if (array)
      out.items = std::move(m.elements);
    else
      out.nested.emplace(m.value_begin, m.value_end);
  }
  skel.append(t.substr(at, e - at));
  auto shape = parse_rendered_value(skel);
  if (!shape) return std::nullopt;
  out.shape = std::move(*shape);
  return out;
}

// A struct member `{"name": …, "value": …}` at `mb`: its name and where its value is.
Result<std::pair<std::string, std::pair<std::size_t, std::size_t>>> split_member(std::string_view t,
                                                                                 std::size_t mb) {
  auto kv = object_members(t, mb, {});
  if (!kv || kv->size() != 2 || (*kv)[0].key != kRvMemberKeys[0] ||
      (*kv)[1].key != kRvMemberKeys[1])
    return Error(ErrorCode::BadInput,
                 fmt::format("struct member at byte offset {}: expected {{\"name\": …, "
                             "\"value\": …}}",
                             mb));
  SCXSNAP_TRY(JsonValue name, parse_json(t.substr((*kv)[0].value_begin,
                                                  (*kv)[0].value_end - (*kv)[0].value_begin)));
  if (!name.is_string())
    return Error(ErrorCode::BadInput,
                 fmt::format("struct member name at byte offset {} is not a string", mb));
  return std::make_pair(name.text(), std::make_pair((*kv)[1].value_begin, (*kv)[1].value_end));
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
  auto pieces = split_value(t, b, e);
  if (!pieces) return whole();  // malformed: the whole-document reader says where
  RenderedValue& shape = pieces->shape;
  auto sub = [&](std::size_t vb, std::size_t ve) {
    return read_value_piecewise(t, vb, ve, threshold, consumed, depth + 1);
  };
  const auto& nested = pieces->nested;
  switch (shape.kind()) {
    case ValueKind::Struct: {
      std::vector<RenderedMember> members;
      if (pieces->items) {
        members.reserve(pieces->items->size());
        for (const auto& [mb, me] : *pieces->items) {
          SCXSNAP_TRY(auto m, split_member(t, mb));
          SCXSNAP_TRY(RenderedValue v, sub(m.second.first, m.second.second));
          members.emplace_back(read_name(m.first), std::move(v));
          consumed(me);
        }
      }
      return RenderedValue::make_struct(shape.type_name(), std::move(members));
    }
    case ValueKind::Array: {
      std::vector<RenderedValue> elems;
      if (pieces->items) {
        elems.reserve(pieces->items->size());
        for (const auto& [vb, ve] : *pieces->items) {
          SCXSNAP_TRY(RenderedValue v, sub(vb, ve));
          elems.push_back(std::move(v));
          consumed(ve);
        }
      }
      return RenderedValue::make_array(shape.array_len(), std::move(elems));
    }
    case ValueKind::Truncated: {
      if (!nested) return std::move(shape);
      SCXSNAP_TRY(RenderedValue partial, sub(nested->first, nested->second));
      return RenderedValue::make_truncated(shape.needed(), shape.had(), std::move(partial));
    }
    case ValueKind::Ptr: {
      if (!nested) return std::move(shape);
      SCXSNAP_TRY(RenderedValue target, sub(nested->first, nested->second));
      auto opt = [](const std::string* p) {
        return p ? std::optional<std::string>(*p) : std::nullopt;
      };
      return RenderedValue::make_ptr(shape.uint_value(), std::move(target),
                                     opt(shape.deref_skipped_reason()),
                                     opt(shape.cast_annotation()));
    }
    default:
      return std::move(shape);
  }
}

constexpr std::array<std::string_view, 4> kEntryLists = {"entries", "array_entries",
                                                         "percpu_entries", "percpu_hash_entries"};

// The report's top level: its text with `maps` emptied, and the maps' ranges.
struct TopPieces {
  std::string skeleton;
  Ranges maps;
};

std::optional<TopPieces> split_top(std::string_view t) {
  static constexpr std::array<std::string_view, 1> kMaps = {"maps"};
  auto top = object_members(t, skip_ws(t, 0), kMaps);
  if (!top) return std::nullopt;
  for (auto& m : *top) {
    if (m.key != "maps" || !m.elements) continue;
    TopPieces out;
    out.skeleton.assign(t.substr(0, m.value_begin));
    out.skeleton += "[]";
    out.skeleton.append(t.substr(m.value_end));
    out.maps = std::move(*m.elements);
    return out;
  }
  return std::nullopt;
}

// One map: its text with the entry arrays emptied (and, when what remains is
// still large, its `value` nulled: that is read piecewise), the entry arrays.
struct MapPieces {
  std::string text;
  std::vector<Member> lists;
  std::optional<std::pair<std::size_t, std::size_t>> big_value;
};

std::optional<MapPieces> split_map(std::string_view t, std::size_t mb, std::size_t me,
                                   std::size_t threshold, std::size_t index, std::string* why) {
  auto members = object_members(t, mb, kEntryLists);
  if (!members) return std::nullopt;
  // What is left once the entry arrays are emptied; past the threshold the
  // value is cut out too. One pass over the text, one copy of what is kept.
  std::size_t kept = me - mb;
  const Member* value = nullptr;
  for (const auto& m : *members) {
    if (m.elements) kept -= m.value_end - m.value_begin - 2;
    if (m.key == "value" && t[m.value_begin] == '{') value = &m;
  }
  if (kept <= threshold) value = nullptr;
  MapPieces out;
  std::size_t at = mb;
  for (auto& m : *members) {
    if (!m.elements && &m != value) continue;
    out.text.append(t.substr(at, m.value_begin - at));
    out.text += m.elements ? std::string_view("[]") : std::string_view("null");
    at = m.value_end;
    if (m.elements)
      out.lists.push_back(std::move(m));
    else
      out.big_value.emplace(m.value_begin, m.value_end);
  }
  out.text.append(t.substr(at, me - at));
  if (out.text.size() >= simdjson::SIMDJSON_MAXSIZE_BYTES) {
    // One document per map (its entry arrays and value aside): simdjson's limit.
    if (why)
      *why = fmt::format(
          "map {} (at byte offset {}) holds {} bytes of JSON outside its entry arrays and its "
          "value; one JSON document cannot exceed 4 GiB",
          index, mb, out.text.size());
    return std::nullopt;
  }
  return out;
}

// The converter's writer and where its buffer goes when full.
struct Sink {
  JsonWriter& w;
  const std::function<Result<void>(std::string&)>& flush;
  const FloatStyleProbe& floats;
  Result<void> maybe_flush() {
    w.set_float_style(floats.style());  // what was read so far tells the era
    if (w.buffer().size() < kConvertFlushBytes) return {};
    return flush(w.buffer());
  }
  static constexpr std::size_t kConvertFlushBytes = std::size_t{4} << 20;
};

// An entry list converted on every core: runs of elements are read and
// written by side-by-side lanes (a batch of runs, one a lane), and their
// text appended in order on this thread. A run writes its floats in the
// style known before its batch plus what the run itself shows, as a serial
// pass would unless an earlier run of the same batch showed serde_json's
// older style first (once a document at most): that run is written again.
// The lanes of a conversion and what each keeps from run to run.
struct ConvertLanes {
  struct Lane {
    ChunkBuffer input;
    std::string text;
    std::optional<Error> error;
    FloatStyle seen = FloatStyle::Zmij, used = FloatStyle::Zmij;
  };
  explicit ConvertLanes(unsigned n) : size(std::max(n, 1u)), out(size) {}
  // One run is read on this thread: the lanes' threads start with the
  // first list of several runs (most reports have none).
  void run(unsigned k, const std::function<void(unsigned)>& fn) {
    if (k <= 1) {
      if (k == 1) fn(0);
      return;
    }
    if (!lanes) lanes.emplace(size);
    lanes->run(k, fn);
  }
  unsigned size;
  std::optional<Lanes> lanes;
  std::vector<Lane> out;
};

template <class T>
Result<void> convert_list(std::string_view t, const Ranges& el, Sink& sink, ConvertLanes& cl,
                          const std::function<void(std::size_t)>& consumed) {
  // Runs of 1 MB: what a lane holds (its text, its piece of the model) is
  // paid once a lane.
  const auto runs = chunk_runs(el, std::size_t{1} << 20);
  const auto lanes = static_cast<unsigned>(std::min<std::size_t>(cl.size, runs.size()));
  auto& out = cl.out;
  JsonWriter& w = sink.w;
  auto either = [](FloatStyle a, FloatStyle b) {
    return a == FloatStyle::Ryu || b == FloatStyle::Ryu ? FloatStyle::Ryu : FloatStyle::Zmij;
  };
  auto render = [&](unsigned lane, std::size_t run, FloatStyle before) {
    auto& l = out[lane];
    l.text.clear();
    l.error.reset();
    FloatStyleProbe probe;
    NameScope names;
    auto xs = parse_run<T>(t, el, runs[run].first, runs[run].second, l.input);
    if (!xs) {
      l.error = xs.error();
      return;
    }
    l.seen = probe.style();
    l.used = either(before, l.seen);
    JsonWriter lw = JsonWriter::continuing(l.text, w, run > 0);
    lw.set_float_style(l.used);
    for (const auto& x : *xs) write_item(lw, x);
  };
  for (std::size_t r0 = 0; r0 < runs.size(); r0 += lanes) {
    const auto n = static_cast<unsigned>(std::min<std::size_t>(lanes, runs.size() - r0));
    const FloatStyle before = sink.floats.style();
    cl.run(n, [&](unsigned i) { render(i, r0 + i, before); });
    FloatStyle style = before;
    for (unsigned i = 0; i < n; ++i) {
      auto& l = out[i];
      if (l.error) return *l.error;
      style = either(style, l.seen);
      if (style != l.used) {
        render(i, r0 + i, style);
        if (l.error) return *l.error;
      }
      note_float_style(style);
      w.append_elements(l.text);
      SCXSNAP_TRY_VOID(sink.maybe_flush());
      consumed(el[runs[r0 + i].second - 1].second);
    }
  }
  return {};
}

// A value written as it is read, piece by piece (read_value_piecewise's twin).
Result<void> write_value_piecewise(std::string_view t, std::size_t b, std::size_t e,
                                   std::size_t threshold, Sink& sink,
                                   const std::function<void(std::size_t)>& consumed, int depth) {
  auto whole = [&]() -> Result<void> {
    auto v = parse_rendered_value(t.substr(b, e - b));
    if (!v) return v.error().with_context(fmt::format("the value at byte offset {}", b));
    sink.w.set_float_style(sink.floats.style());
    write_rendered(sink.w, *v);
    return sink.maybe_flush();
  };
  if (e - b <= threshold || depth > 64) return whole();
  auto pieces = split_value(t, b, e);
  if (!pieces) return whole();
  Result<void> status;
  auto sub = [&](std::size_t vb, std::size_t ve) {
    if (status) status = write_value_piecewise(t, vb, ve, threshold, sink, consumed, depth + 1);
  };
  const ValueKind kind = pieces->shape.kind();
  ChildWriter children = [&](JsonWriter& w) {
    if (kind == ValueKind::Struct || kind == ValueKind::Array) {
      for (const auto& [mb, me] : *pieces->items) {
        if (kind == ValueKind::Array) {
          sub(mb, me);
        } else {
          auto m = split_member(t, mb);
          if (!m) status = m.error();
          if (!status) return;
          w.begin_object();
          w.key(kRvMemberKeys[0]);
          w.value_string(m->first);
          w.key(kRvMemberKeys[1]);
          sub(m->second.first, m->second.second);
          w.end_object();
        }
        if (!status) return;
        consumed(me);
      }
    } else {
      sub(pieces->nested->first, pieces->nested->second);
    }
  };
  const bool split = ((kind == ValueKind::Struct || kind == ValueKind::Array) && pieces->items) ||
                     ((kind == ValueKind::Ptr || kind == ValueKind::Truncated) && pieces->nested);
  if (!split) return whole();
  write_rendered_with(sink.w, pieces->shape, &children);
  if (!status) return status;
  return sink.maybe_flush();
}

}  // namespace

std::size_t g_piecewise_value_threshold = std::size_t{256} << 20;
unsigned g_convert_lanes = 0;

std::optional<FailureDumpReport> parse_report_streaming(
    std::string_view t, const std::function<void(std::size_t)>& consumed, std::string* why) {
  FloatStyleProbe floats;
  NameScope names;
  ScanMemo memo(t);
  auto top = split_top(t);
  if (!top) return std::nullopt;
  auto report = parse_report(top->skeleton);
  if (!report) return std::nullopt;
  std::string().swap(top->skeleton);
  ChunkBuffer cb;
  for (const auto& [mb, me] : top->maps) {
    auto pieces = split_map(t, mb, me, g_piecewise_value_threshold, report->maps.size(), why);
    if (!pieces) return std::nullopt;
    cb.set("", pieces->text, "");
    auto map = with_document<FailureDumpMap>(cb.view(), read_described<FailureDumpMap>);
    if (!map) return std::nullopt;
    if (pieces->big_value) {
      auto v = read_value_piecewise(t, pieces->big_value->first, pieces->big_value->second,
                                    g_piecewise_value_threshold, consumed, 0);
      if (!v) {
        if (why) *why = fmt::format("map {}: {}", report->maps.size(), v.error().message());
        return std::nullopt;
      }
      map->value = std::move(*v);
    }
    for (const auto& m : pieces->lists) {
      const Ranges& el = *m.elements;
      bool ok = m.key == "entries"         ? parse_chunked(t, el, map->entries, cb, consumed)
                : m.key == "array_entries" ? parse_chunked(t, el, map->array_entries, cb, consumed)
                : m.key == "percpu_entries"
                    ? parse_chunked(t, el, map->percpu_entries, cb, consumed)
                    : parse_chunked(t, el, map->percpu_hash_entries, cb, consumed);
      if (!ok) return std::nullopt;
    }
    report->maps.push_back(std::move(*map));
    consumed(me);
  }
  report->float_style = floats.style();
  return std::move(*report);
}

Result<void> convert_report_streaming(std::string_view t, JsonWriter& w,
                                      const std::function<Result<void>(std::string&)>& flush,
                                      const std::function<void(std::size_t)>& consumed,
                                      bool mapped) {
  FloatStyleProbe floats;
  NameScope names;
  Sink sink{w, flush, floats};
  ScanMemo memo(t, mapped);
  // Pieces are kept small here: each is written and dropped at once.
  const std::size_t threshold = std::min(g_piecewise_value_threshold, std::size_t{4} << 20);
  auto top = split_top(t);
  if (!top) return Error(ErrorCode::BadInput, "not a report object with a `maps` array");
  SCXSNAP_TRY(FailureDumpReport report, parse_report(top->skeleton));
  std::string().swap(top->skeleton);
  w.set_float_style(floats.style());
  write_report_head(w, report);
  ChunkBuffer cb;
  // Entry lists are converted on every core (threads started at the first).
  std::optional<ConvertLanes> lanes;
  auto lanes_now = [&]() -> ConvertLanes& {
    if (!lanes)
      lanes.emplace(g_convert_lanes ? g_convert_lanes
                                    : std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    return *lanes;
  };
  std::size_t index = 0;
  for (const auto& [mb, me] : top->maps) {
    std::string why;
    auto pieces = split_map(t, mb, me, threshold, index, &why);
    if (!pieces)
      return Error(
          ErrorCode::BadInput,
          why.empty() ? fmt::format("map {} (at byte offset {}) is malformed", index, mb) : why);
    cb.set("", pieces->text, "");
    auto map = with_document<FailureDumpMap>(cb.view(), read_described<FailureDumpMap>);
    if (!map) return map.error().with_context(fmt::format("map {}", index));
    w.set_float_style(floats.style());
    w.begin_object();
    write_map_fields(w, *map, 0, kMapValueField);
    if (pieces->big_value) {
      w.key("value");
      auto r = write_value_piecewise(t, pieces->big_value->first, pieces->big_value->second,
                                     threshold, sink, consumed, 0);
      if (!r) return r.error().with_context(fmt::format("map {}", index));
    } else {
      write_map_fields(w, *map, kMapValueField, kMapValueField + 1);
    }
    // The entry lists in the table's order, whatever the input's.
    for (std::size_t f = kMapValueField + 1; f < kMapValueField + 1 + kEntryLists.size(); ++f) {
      const std::string_view name = kMapFields[f].name;
      const Member* list = nullptr;
      for (const auto& m : pieces->lists)
        if (m.key == name && !m.elements->empty()) list = &m;
      if (!list) continue;
      w.key(name);
      w.begin_array();
      const Ranges& el = *list->elements;
      ConvertLanes& cl = lanes_now();
      Result<void> r = name == "entries" ? convert_list<FailureDumpEntry>(t, el, sink, cl, consumed)
                       : name == "array_entries"
                           ? convert_list<FailureDumpArrayEntry>(t, el, sink, cl, consumed)
                       : name == "percpu_entries"
                           ? convert_list<FailureDumpPercpuEntry>(t, el, sink, cl, consumed)
                           : convert_list<FailureDumpPercpuHashEntry>(t, el, sink, cl, consumed);
      if (!r) return r.error().with_context(fmt::format("map {}", index));
      w.end_array();
      SCXSNAP_TRY_VOID(sink.maybe_flush());
    }
    write_map_fields(w, *map, kMapValueField + 1 + kEntryLists.size(), kMapFields.size());
    w.end_object();
    SCXSNAP_TRY_VOID(sink.maybe_flush());
    consumed(me);
    ++index;
  }
  w.set_float_style(floats.style());
  write_report_tail(w, report);
  return {};
}

}  // namespace scxsnap::detail
