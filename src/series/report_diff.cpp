// SPDX-License-Identifier: Apache-2.0
#include "report/json/json_writer.hpp"
#include "report/report_fields.hpp"
#include "scxsnap/diff.hpp"
#include "scxsnap/snapshot.hpp"

#include <fmt/format.h>
#include <map>
#include <unordered_map>

namespace scxsnap {
namespace {

using Leaves = std::vector<std::pair<std::string, const RenderedValue*>>;

// Scalar leaves of a value by path ("ctx.weight", "arr[2]").
void flatten(const RenderedValue& v, const std::string& path, Leaves& out, int depth = 0) {
  if (depth > 64) return;
  switch (v.kind()) {
    case ValueKind::Struct:
      for (const auto& m : v.members())
        flatten(m.value,
                path.empty() ? std::string(m.name.view()) : path + "." + std::string(m.name.view()),
                out, depth + 1);
      return;
    case ValueKind::Array:
      for (std::size_t i = 0; i < v.elements().size(); ++i)
        flatten(v.elements()[i], fmt::format("{}[{}]", path, i), out, depth + 1);
      return;
    case ValueKind::Truncated:
      flatten(*v.partial(), path, out, depth + 1);
      return;
    default:
      out.emplace_back(path, &v);
  }
}

std::optional<std::string> delta_of(const RenderedValue& a, const RenderedValue& b) {
  if (a.kind() == ValueKind::Float && b.kind() == ValueKind::Float) {
    double d = b.float_value() - a.float_value();
    return fmt::format("{}{}", d >= 0 ? "+" : "", d);
  }
  if (a.kind() == ValueKind::Uint && b.kind() == ValueKind::Uint)
    return b.uint_value() >= a.uint_value() ? fmt::format("+{}", b.uint_value() - a.uint_value())
                                            : fmt::format("-{}", a.uint_value() - b.uint_value());
  auto ai = a.as_i64(), bi = b.as_i64();
  if (ai && bi && a.kind() != ValueKind::Bool && b.kind() != ValueKind::Bool) {
    std::int64_t d;
    if (__builtin_sub_overflow(*bi, *ai, &d)) return std::nullopt;
    return fmt::format("{}{}", d >= 0 ? "+" : "", d);
  }
  return std::nullopt;
}

// Change texts go to terminals: control bytes escaped.
const DisplayOptions kText{false, true};

// Where a change is: a map, an entry's key, a path inside the value.
struct Loc {
  std::string map;
  std::optional<std::string> key;
  std::string field;
  Loc with(std::string_view more) const {
    Loc l = *this;
    if (!more.empty())
      l.field = l.field.empty() ? std::string(more) : l.field + " " + std::string(more);
    return l;
  }
  std::string where() const {
    std::string w = map;
    if (key) w += fmt::format("[key {}]", *key);
    if (!field.empty()) w += (w.empty() ? "" : " ") + field;
    return w;
  }
};

Change change(Change::Kind kind, const Loc& at, std::string old_value, std::string new_value,
              std::optional<std::string> delta = std::nullopt) {
  return Change{
      kind,   at.where(), std::move(old_value), std::move(new_value), std::move(delta), at.map,
      at.key, at.field};
}

std::string text_of(const std::optional<RenderedValue>& v, const std::string& hex) {
  if (v) return v->display(kText);
  return hex.empty() ? std::string() : "hex:" + hex;
}

std::string slots_text(const std::vector<std::optional<RenderedValue>>& slots) {
  std::string out = "[";
  for (std::size_t c = 0; c < slots.size(); ++c)
    out += fmt::format("{}{}", c ? ", " : "", slots[c] ? slots[c]->display(kText) : "(none)");
  return out + "]";
}

void diff_values(const Loc& where, const std::optional<RenderedValue>& a,
                 const std::optional<RenderedValue>& b, std::vector<Change>& out) {
  if (!a || !b) {
    if (a.has_value() != b.has_value())
      out.push_back(change(Change::Kind::ValueChanged, where, a ? a->display(kText) : "(none)",
                           b ? b->display(kText) : "(none)"));
    return;
  }
  if (*a == *b) return;
  Leaves la, lb;
  flatten(*a, "", la);
  flatten(*b, "", lb);
  std::map<std::string, const RenderedValue*> mb(lb.begin(), lb.end());
  for (const auto& [path, va] : la) {
    auto it = mb.find(path);
    if (it == mb.end()) {
      out.push_back(
          change(Change::Kind::ValueChanged, where.with(path), va->display(kText), "(absent)"));
      continue;
    }
    if (!(*va == *it->second))
      out.push_back(change(Change::Kind::ValueChanged, where.with(path), va->display(kText),
                           it->second->display(kText), delta_of(*va, *it->second)));
    mb.erase(it);
  }
  for (const auto& [path, vb] : mb)
    out.push_back(
        change(Change::Kind::ValueChanged, where.with(path), "(absent)", vb->display(kText)));
}

std::string key_label(const std::optional<RenderedValue>& key, const std::string& hex) {
  return key ? key->display(kText) : "hex:" + hex;
}

template <class Entry, class KeyOf, class TextOf, class Body>
void diff_keyed(const std::string& map, const std::vector<Entry>& a, const std::vector<Entry>& b,
                KeyOf&& key_of, TextOf&& text, Body&& body, std::vector<Change>& out) {
  std::unordered_map<std::string, const Entry*> ib;
  ib.reserve(b.size());
  for (const auto& e : b) ib.emplace(key_of(e).first, &e);
  for (const auto& e : a) {
    auto [k, label] = key_of(e);
    auto it = ib.find(k);
    const Loc at{map, label, {}};
    if (it == ib.end()) {
      out.push_back(change(Change::Kind::EntryRemoved, at, text(e), ""));
      continue;
    }
    body(at, e, *it->second);
    ib.erase(it);
  }
  for (const auto& e : b)
    if (ib.count(key_of(e).first))
      out.push_back(change(Change::Kind::EntryAdded, Loc{map, key_of(e).second, {}}, "", text(e)));
}

void diff_maps(const FailureDumpMap& a, const FailureDumpMap& b, std::vector<Change>& out) {
  const std::string& n = a.name;
  const Loc whole{n, std::nullopt, {}};
  diff_values(whole, a.value, b.value, out);
  // Entries pair by their rendered key, else by the key bytes.
  auto hash_key = [](const FailureDumpEntry& e) {
    std::string label = key_label(e.key, e.key_hex);
    return std::pair{label, label};
  };
  diff_keyed(
      n, a.entries, b.entries, hash_key,
      [](const FailureDumpEntry& e) { return text_of(e.value, e.value_hex); },
      [&](const Loc& w, const FailureDumpEntry& x, const FailureDumpEntry& y) {
        diff_values(w, x.value, y.value, out);
        // Without BTF the bytes are all there is.
        if (!x.value && !y.value && x.value_hex != y.value_hex)
          out.push_back(
              change(Change::Kind::ValueChanged, w, "hex:" + x.value_hex, "hex:" + y.value_hex));
      },
      out);
  auto arr_key = [](const FailureDumpArrayEntry& e) {
    return std::pair{std::to_string(e.key), std::to_string(e.key)};
  };
  diff_keyed(
      n, a.array_entries, b.array_entries, arr_key,
      [](const FailureDumpArrayEntry& e) { return text_of(e.value, {}); },
      [&](const Loc& w, const FailureDumpArrayEntry& x, const FailureDumpArrayEntry& y) {
        diff_values(w, x.value, y.value, out);
      },
      out);
  auto slots = [&](const Loc& w, const std::vector<std::optional<RenderedValue>>& x,
                   const std::vector<std::optional<RenderedValue>>& y) {
    for (std::size_t c = 0; c < std::max(x.size(), y.size()); ++c) {
      std::optional<RenderedValue> none;
      diff_values(w.with(fmt::format("cpu {}", c)), c < x.size() ? x[c] : none,
                  c < y.size() ? y[c] : none, out);
    }
  };
  auto pkey = [](const FailureDumpPercpuEntry& e) {
    return std::pair{std::to_string(e.key), std::to_string(e.key)};
  };
  diff_keyed(
      n, a.percpu_entries, b.percpu_entries, pkey,
      [](const FailureDumpPercpuEntry& e) { return slots_text(e.per_cpu); },
      [&](const Loc& w, const FailureDumpPercpuEntry& x, const FailureDumpPercpuEntry& y) {
        slots(w, x.per_cpu, y.per_cpu);
      },
      out);
  auto phkey = [](const FailureDumpPercpuHashEntry& e) {
    std::string label = key_label(e.key, e.key_hex);
    return std::pair{label, label};
  };
  diff_keyed(
      n, a.percpu_hash_entries, b.percpu_hash_entries, phkey,
      [](const FailureDumpPercpuHashEntry& e) { return slots_text(e.per_cpu); },
      [&](const Loc& w, const FailureDumpPercpuHashEntry& x, const FailureDumpPercpuHashEntry& y) {
        slots(w, x.per_cpu, y.per_cpu);
      },
      out);
  if (a.ringbuf && b.ringbuf && !(*a.ringbuf == *b.ringbuf)) {
    auto d = [](std::uint64_t x, std::uint64_t y) {
      return y >= x ? fmt::format("+{}", y - x) : fmt::format("-{}", x - y);
    };
    out.push_back(change(Change::Kind::ValueChanged, whole.with("ringbuf producer_pos"),
                         std::to_string(a.ringbuf->producer_pos),
                         std::to_string(b.ringbuf->producer_pos),
                         d(a.ringbuf->producer_pos, b.ringbuf->producer_pos)));
    out.push_back(change(Change::Kind::ValueChanged, whole.with("ringbuf consumer_pos"),
                         std::to_string(a.ringbuf->consumer_pos),
                         std::to_string(b.ringbuf->consumer_pos),
                         d(a.ringbuf->consumer_pos, b.ringbuf->consumer_pos)));
  }
  if (a.error != b.error)
    out.push_back(change(Change::Kind::ValueChanged, whole.with("error"),
                         a.error.value_or("(none)"), b.error.value_or("(none)")));
}

// Deltas of the host counters, as the flat tables (report_fields.hpp) mark them.
void host_deltas(const FailureDumpReport& a, const FailureDumpReport& b, std::vector<Change>& out) {
  auto delta = [&](std::string where, auto x, auto y) {
    if (x == y) return;
    std::string d;
    if constexpr (std::is_signed_v<decltype(x)>)
      d = fmt::format("{}{}", y - x >= 0 ? "+" : "", y - x);
    else
      d = y >= x ? fmt::format("+{}", y - x) : fmt::format("-{}", x - y);
    out.push_back(change(Change::Kind::HostDelta, Loc{{}, std::nullopt, std::move(where)},
                         std::to_string(x), std::to_string(y), std::move(d)));
  };
  Snapshot sb(b);
  for (const auto& ca : a.per_cpu_time) {
    const PerCpuTimeStats* cb = sb.per_cpu_time_at(ca.cpu);
    if (!cb) continue;
    detail::for_each_counter(ca, *cb, detail::kCpuTimeFields,
                             [&](std::string_view name, auto x, auto y) {
                               delta(fmt::format("per_cpu_time cpu {} {}", ca.cpu, name), x, y);
                             });
  }
  if (!a.event_counter_timeline.empty() && !b.event_counter_timeline.empty())
    detail::for_each_counter(
        a.event_counter_timeline.back(), b.event_counter_timeline.back(), detail::kEventFields,
        [&](std::string_view name, auto x, auto y) { delta(fmt::format("event {}", name), x, y); });
}

// A value in a text line: whole up to 400 bytes (on a UTF-8 boundary).
std::string cut_text(const std::string& v) {
  constexpr std::size_t kMax = 400;
  if (v.size() <= kMax) return v;
  std::size_t at = kMax;
  while (at > 0 && (static_cast<unsigned char>(v[at]) & 0xC0) == 0x80) --at;
  return fmt::format("{}… ({} bytes; --json has it whole)", v.substr(0, at), v.size());
}

std::string kind_text(Change::Kind k) {
  switch (k) {
    case Change::Kind::MapAdded:
      return "map_added";
    case Change::Kind::MapRemoved:
      return "map_removed";
    case Change::Kind::ValueChanged:
      return "changed";
    case Change::Kind::EntryAdded:
      return "entry_added";
    case Change::Kind::EntryRemoved:
      return "entry_removed";
    case Change::Kind::HostDelta:
      return "host_delta";
  }
  return "changed";
}

}  // namespace

std::vector<Change> diff_reports(const FailureDumpReport& a, const FailureDumpReport& b) {
  std::vector<Change> out;
  // Pair maps by (name, occurrence).
  std::unordered_map<std::string, std::vector<const FailureDumpMap*>> bm;
  for (const auto& m : b.maps) bm[m.name].push_back(&m);
  std::unordered_map<std::string, std::size_t> seen;
  for (const auto& m : a.maps) {
    std::size_t k = seen[m.name]++;
    auto it = bm.find(m.name);
    if (it == bm.end() || k >= it->second.size()) {
      out.push_back(change(Change::Kind::MapRemoved, Loc{m.name, std::nullopt, {}}, "", ""));
      continue;
    }
    diff_maps(m, *it->second[k], out);
  }
  for (const auto& [name, list] : bm) {
    std::size_t have = seen.count(name) ? seen[name] : 0;
    for (std::size_t k = have; k < list.size(); ++k)
      out.push_back(change(Change::Kind::MapAdded, Loc{name, std::nullopt, {}}, "", ""));
  }
  host_deltas(a, b, out);
  return out;
}

std::string format_changes(const std::vector<Change>& changes) {
  std::string out;
  for (const auto& c : changes) {
    switch (c.kind) {
      case Change::Kind::MapAdded:
        out += fmt::format("+ map {}\n", c.where);
        break;
      case Change::Kind::MapRemoved:
        out += fmt::format("- map {}\n", c.where);
        break;
      case Change::Kind::EntryAdded:
        out += fmt::format("+ {} = {}\n", c.where, cut_text(c.new_value));
        break;
      case Change::Kind::EntryRemoved:
        out += fmt::format("- {} = {}\n", c.where, cut_text(c.old_value));
        break;
      default:
        out += fmt::format("~ {}: {} → {}{}\n", c.where, c.old_value, c.new_value,
                           c.delta ? " (" + *c.delta + ")" : "");
    }
  }
  return out;
}

std::string changes_to_json(const std::vector<Change>& changes) {
  std::string out;
  detail::JsonWriter w(out);
  w.begin_array();
  for (const auto& c : changes) {
    w.begin_object();
    w.field_string("kind", kind_text(c.kind));
    w.field_string("where", c.where);
    if (!c.map.empty()) w.field_string("map", c.map);
    if (c.key) w.field_string("key", *c.key);
    if (!c.field.empty()) w.field_string("field", c.field);
    if (!c.old_value.empty()) w.field_string("old", c.old_value);
    if (!c.new_value.empty()) w.field_string("new", c.new_value);
    if (c.delta) w.field_string("delta", *c.delta);
    w.end_object();
  }
  w.end_array();
  return out;
}

}  // namespace scxsnap
