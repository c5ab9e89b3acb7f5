// SPDX-License-Identifier: Apache-2.0
// Reports as Prometheus text (scxsnap/metrics.hpp): series are gathered per
// family (one helper per source: globals, per-CPU maps, occupancy, ring
// buffers, errors), capped, and written family by family with their HELP and
// TYPE lines.
#include "scxsnap/metrics.hpp"
#include "scxsnap/objects.hpp"
#include "series_movement.hpp"

#include <array>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <optional>

namespace scxsnap::metrics {
namespace {

struct Family {
  const char* name;
  const char* type;
  const char* help;
};

constexpr Family kGlobal{"scx_global", "gauge", "A numeric leaf of a BPF object's global variable"};
constexpr Family kCounter{"scx_global_counter_total", "counter",
                          "A global variable's numeric leaf that counts (by its name)"};
constexpr Family kPercpuSum{"scx_percpu_sum", "gauge", "A per-CPU map value summed over CPUs"};
constexpr Family kPercpu{"scx_percpu", "gauge", "A per-CPU map value on one CPU"};
constexpr Family kEntries{"scx_map_entries", "gauge", "Entries a map holds (as captured)"};
constexpr Family kMaxEntries{"scx_map_max_entries", "gauge", "A map's max_entries"};
constexpr Family kRingPending{"scx_ringbuf_pending_bytes", "gauge",
                              "Bytes written to a ring buffer and not consumed yet"};
constexpr Family kMapError{"scx_map_error", "gauge", "1 where reading the map failed"};

struct Sample {
  std::string labels;  // `a="x",b="y"`
  std::string value;
};

// Label values escape backslash, double quote and newline.
std::string label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string labels(std::initializer_list<std::pair<const char*, std::string_view>> kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}=\"{}\"", k, label_value(v));
  }
  return out;
}

bool counts(std::string_view path) {
  if (html::looks_like_gauge(path)) return false;
  const auto cut = path.find_last_of(".]");
  const std::string_view leaf = cut == std::string_view::npos ? path : path.substr(cut + 1);
  static constexpr std::array<std::string_view, 17> kSuffixes = {
      "_total",    "_count",   "_cnt",    "_events", "_calls",    "_hits",
      "_misses",   "_drops",   "_errors", "_fails",  "_failures", "_runs",
      "_switches", "_wakeups", "_ns",     "_bytes",  "ed"};
  for (auto s : kSuffixes)
    if (leaf.ends_with(s)) return true;
  return false;
}

// A value's number as Prometheus text; nullopt for what is not a number.
std::optional<std::string> number(const RenderedValue& v) {
  switch (v.kind()) {
    case ValueKind::Int:
      return std::to_string(v.int_value());
    case ValueKind::Uint:
      return std::to_string(v.uint_value());
    case ValueKind::Bool:
      return std::string(v.bool_value() ? "1" : "0");
    case ValueKind::Enum:
      return std::to_string(v.int_value());
    case ValueKind::Float:
      return fmt::format("{}", v.float_value());
    default:
      return std::nullopt;
  }
}

class Gatherer {
 public:
  Gatherer(const MetricsOptions& o) : o_(o) {}

  // Every numeric leaf under `v`, at `path` ("" for the variable itself).
  void leaves(const RenderedValue& v, std::string& path,
              const std::function<void(const std::string&, const RenderedValue&)>& fn) {
    switch (v.kind()) {
      case ValueKind::Struct:
        for (const RenderedMember& m : v.members()) {
          const std::size_t at = path.size();
          if (!path.empty()) path += '.';
          path += m.name.view();
          leaves(m.value, path, fn);
          path.resize(at);
        }
        return;
      case ValueKind::Array: {
        const auto& els = v.elements();
        if (!els.empty() && els[0].kind() == ValueKind::Char) return;  // text
        for (std::size_t i = 0; i < els.size(); ++i) {
          const std::size_t at = path.size();
          path += fmt::format("[{}]", i);
          leaves(els[i], path, fn);
          path.resize(at);
        }
        return;
      }
      case ValueKind::Truncated:
        if (v.partial()) leaves(*v.partial(), path, fn);
        return;
      default:
        if (number(v)) fn(path, v);
    }
  }

  void add(const Family& f, std::string_view subject, std::string lbl, std::string value) {
    if (!selected(subject)) return;
    if (series_ >= o_.max_series) {
      ++dropped_;
      return;
    }
    ++series_;
    out_[f.name].first = &f;
    out_[f.name].second.push_back({std::move(lbl), std::move(value)});
  }

  void globals(const FailureDumpReport& r) {
    for (const ReportObject& obj : report_objects(r)) {
      for (std::size_t i : obj.maps) {
        const FailureDumpMap& m = r.maps[i];
        if (!m.value || !is_global_section(m.name)) continue;
        const std::string_view prefix = section_prefix(m.name);
        const std::string_view section = prefix.empty()
                                             ? std::string_view(m.name)
                                             : std::string_view(m.name).substr(prefix.size() + 1);
        const std::string obj_name = obj.name.empty() ? std::string(prefix) : obj.name;
        for (const RenderedMember& var : m.value->members()) {
          std::string path;
          leaves(var.value, path, [&](const std::string& p, const RenderedValue& leaf) {
            const std::string subject = fmt::format("{}.{}.{}{}{}", obj_name, section,
                                                    var.name.view(), p.empty() ? "" : ".", p);
            const bool counter = leaf.kind() == ValueKind::Uint &&
                                 counts(p.empty() ? var.name.view() : std::string_view(p));
            add(counter ? kCounter : kGlobal, subject,
                labels({{"obj", obj_name},
                        {"section", section},
                        {"var", var.name.view()},
                        {"path", p}}),
                *number(leaf));
          });
        }
      }
    }
  }

  // One per-CPU value (a key's slots): each leaf summed over CPUs.
  void percpu_value(const FailureDumpMap& m, const std::string& key,
                    const std::vector<std::optional<RenderedValue>>& slots) {
    // The leaves in the order the slots give them; each summed over CPUs.
    std::map<std::string, std::pair<long double, std::vector<std::string>>> sums;
    std::vector<std::string> order;
    for (std::size_t cpu = 0; cpu < slots.size(); ++cpu) {
      if (!slots[cpu]) continue;
      std::string path;
      leaves(*slots[cpu], path, [&](const std::string& p, const RenderedValue& leaf) {
        auto [it, fresh] = sums.try_emplace(p);
        if (fresh) order.push_back(p);
        it->second.first +=
            leaf.kind() == ValueKind::Uint    ? static_cast<long double>(leaf.uint_value())
            : leaf.kind() == ValueKind::Float ? static_cast<long double>(leaf.float_value())
                                              : static_cast<long double>(leaf.int_value());
        if (o_.per_cpu) it->second.second.push_back(fmt::format("{}:{}", cpu, *number(leaf)));
      });
    }
    for (const std::string& p : order) {
      const auto& [sum, per] = sums[p];
      const std::string subject = p.empty() ? m.name : m.name + "." + p;
      add(kPercpuSum, subject, labels({{"map", m.name}, {"key", key}, {"path", p}}),
          fmt::format("{}", static_cast<double>(sum)));
      for (const std::string& cv : per) {
        const auto colon = cv.find(':');
        add(kPercpu, subject,
            labels({{"map", m.name},
                    {"key", key},
                    {"cpu", std::string_view(cv).substr(0, colon)},
                    {"path", p}}),
            cv.substr(colon + 1));
      }
    }
  }

  void percpu(const FailureDumpReport& r) {
    for (const FailureDumpMap& m : r.maps) {
      for (const auto& e : m.percpu_entries) percpu_value(m, std::to_string(e.key), e.per_cpu);
      for (const auto& e : m.percpu_hash_entries)
        percpu_value(m, e.key ? e.key->display() : e.key_hex, e.per_cpu);
    }
  }

  void occupancy(const FailureDumpReport& r) {
    for (const FailureDumpMap& m : r.maps) {
      const std::string type = map_type_name(m.map_type);
      const std::size_t held = m.entries.size() + m.array_entries.size() + m.percpu_entries.size() +
                               m.percpu_hash_entries.size() + (m.value ? 1 : 0);
      add(kEntries, m.name, labels({{"map", m.name}, {"type", type}}), std::to_string(held));
      add(kMaxEntries, m.name, labels({{"map", m.name}, {"type", type}}),
          std::to_string(m.max_entries));
      if (m.ringbuf)
        add(kRingPending, m.name, labels({{"map", m.name}}),
            std::to_string(m.ringbuf->pending_bytes));
      if (m.error) add(kMapError, m.name, labels({{"map", m.name}}), "1");
    }
  }

  MetricsText write(const FailureDumpReport& r) {
    MetricsText t;
    // Families in a fixed order, each with its HELP and TYPE once.
    for (const Family* f : {&kGlobal, &kCounter, &kPercpuSum, &kPercpu, &kEntries, &kMaxEntries,
                            &kRingPending, &kMapError}) {
      auto it = out_.find(f->name);
      if (it == out_.end()) continue;
      const std::string_view family = f->name;
      t.text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family, f->help, family, f->type);
      for (const Sample& s : it->second.second)
        t.text += fmt::format("{}{{{}}} {}\n", f->name, s.labels, s.value);
    }
    if (r.capture)
      t.text += fmt::format(
          "# HELP scx_capture_duration_seconds How long the capture took\n"
          "# TYPE scx_capture_duration_seconds gauge\nscx_capture_duration_seconds {}\n",
          static_cast<double>(r.capture->duration_us) / 1e6);
    t.text += fmt::format(
        "# HELP scx_metrics_series Series written (the cap counts these)\n"
        "# TYPE scx_metrics_series gauge\nscx_metrics_series {}\n"
        "# HELP scx_metrics_dropped_series Series left out by the cap\n"
        "# TYPE scx_metrics_dropped_series gauge\nscx_metrics_dropped_series {}\n",
        series_, dropped_);
    t.series = series_;
    t.dropped = dropped_;
    return t;
  }

 private:
  bool selected(std::string_view subject) const {
    if (o_.select.empty()) return true;
    for (const auto& p : o_.select)
      if (glob_match(p, subject)) return true;
    return false;
  }
  static bool is_global_section(std::string_view name) {
    for (std::string_view s : {".bss", ".data", ".rodata"})
      if (name.ends_with(s) || name.find(std::string(s) + ".") != std::string_view::npos)
        return true;
    return false;
  }

  const MetricsOptions& o_;
  std::size_t series_ = 0, dropped_ = 0;
  std::map<std::string_view, std::pair<const Family*, std::vector<Sample>>> out_;
};

}  // namespace

bool glob_match(std::string_view p, std::string_view s) {
  // Iterative '*' backtracking: linear in practice, no recursion.
  std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

MetricsText to_prometheus(const FailureDumpReport& report, const MetricsOptions& options) {
  Gatherer g(options);
  g.globals(report);
  g.percpu(report);
  g.occupancy(report);
  return g.write(report);
}

}  // namespace scxsnap::metrics
