// SPDX-License-Identifier: Apache-2.0
#include "check_expr.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fmt/format.h>
#include <limits>
#include <map>

namespace scxsnap::cli {
namespace {

struct Parser {
  const std::string& s;
  std::size_t i = 0;

  Error fail(std::string_view what) const {
    return Error(ErrorCode::InvalidArgument,
                 fmt::format("expression '{}': at column {}: {}", s, i + 1, what));
  }
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string ident() {
    ws();
    std::size_t b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    return s.substr(b, i - b);
  }
  // A projection or a number: text up to ',' or ')' at depth 0.
  std::string arg() {
    ws();
    std::size_t b = i;
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '(' || c == '[') ++depth;
      if (c == ')' || c == ']') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++i;
    }
    std::string a = s.substr(b, i - b);
    while (!a.empty() && std::isspace(static_cast<unsigned char>(a.back()))) a.pop_back();
    return a;
  }
};

bool parse_number(const std::string& t, double& out) {
  if (t.empty()) return false;
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

struct Arity {
  int projs, nums;
};
const std::map<std::string, Arity, std::less<>> kPatterns = {
    {"nondecreasing", {1, 0}}, {"strictly_increasing", {1, 0}}, {"rate_within", {1, 2}},
    {"steady_within", {1, 2}}, {"converges_to", {1, 3}},        {"always_true", {1, 0}},
    {"ratio_within", {2, 2}},  {"each.at_least", {1, 1}},       {"each.at_most", {1, 1}},
    {"each.between", {1, 2}}};

}  // namespace

Result<CheckExpr> parse_check_expr(const std::string& text) {
  Parser p{text};
  CheckExpr e;
  e.text = text;
  std::string name = p.ident();
  if (name.empty())
    return p.fail("expected a pattern name (nondecreasing, rate_within, each, ...)");
  if (!p.eat('(')) return p.fail("expected '(' after '" + name + "'");
  std::vector<std::string> args;
  do {
    std::size_t at = p.i;
    std::string a = p.arg();
    if (a.empty()) {
      p.i = at;
      return p.fail("expected an argument");
    }
    args.push_back(a);
  } while (p.eat(','));
  if (!p.eat(')')) return p.fail("expected ',' or ')'");
  if (name == "each") {
    if (args.size() != 1) return p.fail("each() takes one projection");
    if (!p.eat('.'))
      return p.fail(
          "expected '.at_least(...)', '.at_most(...)' or '.between(...)' after each(...)");
    std::string op = p.ident();
    if (op != "at_least" && op != "at_most" && op != "between")
      return p.fail("expected at_least, at_most or between");
    if (!p.eat('(')) return p.fail("expected '('");
    do {
      std::size_t at = p.i;
      std::string a = p.arg();
      if (a.empty()) {
        p.i = at;
        return p.fail("expected a number");
      }
      args.push_back(a);
    } while (p.eat(','));
    if (!p.eat(')')) return p.fail("expected ')'");
    name = "each." + op;
  }
  p.ws();
  if (p.i != text.size()) return p.fail("unexpected text after the expression");
  auto it = kPatterns.find(name);
  if (it == kPatterns.end()) {
    p.i = 0;
    return p.fail(fmt::format("unknown pattern '{}'", name));
  }
  for (const auto& a : args) {
    double d;
    if (parse_number(a, d)) {
      e.nums.push_back(d);
      e.num_texts.push_back(a);
    } else if (!e.nums.empty())
      return p.fail(fmt::format("'{}': projections come before numbers", a));
    else
      e.projs.push_back(a);
  }
  if (static_cast<int>(e.projs.size()) != it->second.projs ||
      static_cast<int>(e.nums.size()) != it->second.nums)
    return p.fail(fmt::format("{} takes {} projection(s) and {} number(s), got {} and {}", name,
                              it->second.projs, it->second.nums, e.projs.size(), e.nums.size()));
  e.pattern = name;
  return e;
}

namespace {

template <class T>
SeriesField<T> convert(const SeriesField<std::uint64_t>& f) {
  std::vector<std::expected<T, SnapshotError>> v;
  for (const auto& x : f.values())
    v.push_back(x ? std::expected<T, SnapshotError>(static_cast<T>(*x))
                  : std::unexpected(x.error()));
  return SeriesField<T>(f.label(), f.tags(), f.elapsed_ms(), std::move(v), f.phases());
}

// The map named by the longest dotted prefix of `spec` that some row has.
std::string resolve_map(const SampleSeries& s, std::string_view spec, std::string_view& rest) {
  std::size_t cut = spec.find_first_of("[@");
  std::string_view head = spec.substr(0, cut);
  std::string best;
  for (const auto& r : s.rows())
    for (const auto& m : r.report.maps)
      if ((head == m.name || head.starts_with(m.name + ".")) && m.name.size() > best.size())
        best = m.name;
  if (best.empty()) best = std::string(head.substr(0, head.find('.')));
  rest = spec.substr(best.size());
  return best;
}

template <class T>
Result<SeriesField<T>> project(const SampleSeries& s, const std::string& proj) {
  auto bad = [&](const std::string& what) {
    return Error(ErrorCode::InvalidArgument, fmt::format("projection '{}': {}", proj, what));
  };
  std::string_view p = proj;
  if (p.starts_with("var:")) {
    std::string name(p.substr(4));
    if (name.empty()) return bad("expected a variable name after 'var:'");
    if constexpr (std::is_same_v<T, bool>)
      return s.bpf<bool>(name,
                         [name](const Snapshot& snap) { return snap.live_var(name).as_bool(); });
    else if constexpr (std::is_same_v<T, double>)
      return s.bpf_live_f64(name);
    else
      return s.bpf_live_u64(name);
  }
  if (p.starts_with("stats:")) {
    std::string path(p.substr(6));
    if constexpr (std::is_same_v<T, double>)
      return s.stats_live_f64(path);
    else if constexpr (std::is_same_v<T, std::uint64_t>)
      return s.stats_live_u64(path);
    else
      return bad("stats projections are numeric");
  }
  if (p.starts_with("cpu")) {
    std::size_t colon = p.find(':');
    std::uint32_t cpu = 0;
    auto r = std::from_chars(p.data() + 3,
                             p.data() + (colon == std::string_view::npos ? p.size() : colon), cpu);
    if (colon == std::string_view::npos || r.ec != std::errc()) return bad("expected cpuN:FIELD");
    std::string_view field_name = p.substr(colon + 1);
    auto counters = per_cpu_time_counters();
    auto it = std::find_if(counters.begin(), counters.end(),
                           [&](const auto& c) { return c.first == field_name; });
    if (it == counters.end())
      return bad("unknown per_cpu_time field (cpustat_user_ns, …, irqs_sum)");
    auto member = it->second;
    auto f =
        s.per_cpu_field_u64(cpu, proj, [member](const PerCpuTimeStats& st) { return st.*member; });
    if constexpr (std::is_same_v<T, std::uint64_t>)
      return f;
    else
      return convert<T>(f);
  }
  if (p.starts_with("map:")) {
    std::string_view rest;
    std::string name = resolve_map(s, p.substr(4), rest);
    BpfMapProjector m = s.bpf_map(name);
    if (rest.starts_with('[')) {
      std::size_t close = rest.find(']');
      std::size_t idx = 0;
      if (close == std::string_view::npos ||
          std::from_chars(rest.data() + 1, rest.data() + close, idx).ec != std::errc())
        return bad("expected [INDEX]");
      m.at(idx);
      rest.remove_prefix(close + 1);
    }
    if (rest.starts_with('@')) {
      std::size_t end = rest.find('.');
      std::size_t cpu = 0;
      if (std::from_chars(rest.data() + 1,
                          rest.data() + (end == std::string_view::npos ? rest.size() : end), cpu)
              .ec != std::errc())
        return bad("expected @CPU");
      m.cpu(cpu);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    std::string field;
    if (rest.starts_with('.'))
      field = std::string(rest.substr(1));
    else if (!rest.empty())
      return bad("expected '.FIELD' after the map name");
    for (const char* red : {"cpu_sum(", "cpu_max(", "cpu_min("}) {
      if (!field.starts_with(red) || !field.ends_with(")")) continue;
      std::string inner = field.substr(8, field.size() - 9);
      if (inner == ".") inner.clear();  // cpu_sum(.): the value itself, as `map --sum .`
      SeriesField<std::uint64_t> f = field[4] == 's'   ? m.field_cpu_sum_u64(inner)
                                     : field[5] == 'a' ? m.field_cpu_max_u64(inner)
                                                       : m.field_cpu_min_u64(inner);
      if constexpr (std::is_same_v<T, std::uint64_t>)
        return f;
      else
        return convert<T>(f);
    }
    if constexpr (std::is_same_v<T, double>)
      return m.field_f64(field);
    else if constexpr (std::is_same_v<T, std::uint64_t>)
      return m.field_u64(field);
    else
      return convert<T>(m.field_u64(field));
  }
  return bad("expected var:NAME, map:NAME.FIELD, stats:PATH or cpuN:FIELD");
}

}  // namespace

namespace {

template <class T>
std::size_t ok_count(const SeriesField<T>& f) {
  return static_cast<std::size_t>(std::count_if(f.values().begin(), f.values().end(),
                                                [](const auto& x) { return x.has_value(); }));
}

// An integer argument exactly as written (no trip through a double).
std::optional<std::uint64_t> exact_u64(const std::string& t) {
  std::uint64_t v = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

// each(...) with integer bounds over an integer projection: compared and
// printed as u64. nullopt when either is not an integer.
std::optional<Evaluated> each_exact(const CheckExpr& e, const SampleSeries& s, Verdict& v) {
  std::vector<std::uint64_t> b;
  for (const auto& t : e.num_texts) {
    auto x = exact_u64(t);
    if (!x) return std::nullopt;
    b.push_back(*x);
  }
  auto f = project<std::uint64_t>(s, e.projs[0]);
  if (!f) return std::nullopt;
  std::size_t ok = ok_count(*f);
  if (ok != f->len()) return std::nullopt;  // a non-integer sample: compare as numbers
  if (e.pattern == "each.at_least")
    f->each(v).at_least(b[0]);
  else if (e.pattern == "each.at_most")
    f->each(v).at_most(b[0]);
  else
    f->each(v).between(b[0], b[1]);
  return Evaluated{f->len(), ok, 1};
}

}  // namespace

Result<Evaluated> eval_check_expr(const CheckExpr& e, const SampleSeries& s, Verdict& v) {
  const auto& n = e.nums;
  if (e.pattern == "nondecreasing" || e.pattern == "strictly_increasing") {
    SCXSNAP_TRY(auto f, project<std::uint64_t>(s, e.projs[0]));
    if (e.pattern == "nondecreasing")
      f.nondecreasing(v);
    else
      f.strictly_increasing(v);
    return Evaluated{f.len(), ok_count(f), 2};
  }
  if (e.pattern == "always_true") {
    SCXSNAP_TRY(auto f, project<bool>(s, e.projs[0]));
    f.always_true(v);
    return Evaluated{f.len(), ok_count(f), 1};
  }
  if (e.pattern.starts_with("each."))
    if (auto done = each_exact(e, s, v)) return *done;
  if (e.pattern == "rate_within") {
    // Integer counters: deltas taken exactly before the division.
    if (auto f = project<std::uint64_t>(s, e.projs[0]); f && ok_count(*f) == f->len()) {
      f->rate_within(v, n[0], n[1]);
      return Evaluated{f->len(), f->len(), 2};
    }
  }
  SCXSNAP_TRY(auto f, project<double>(s, e.projs[0]));
  Evaluated ev{f.len(), ok_count(f), 1};
  // A count argument (window, samples): clamped to [0, 2^64-1]; a double
  // outside it has no integer value (found by the check_expr fuzz target).
  auto u64_arg = [](double d) {
    if (!(d > 0)) return std::uint64_t{0};
    if (d >= 18446744073709551616.0) return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(d);
  };
  if (e.pattern == "rate_within") {
    f.rate_within(v, n[0], n[1]);
    ev.needed = 2;
  } else if (e.pattern == "steady_within") {
    f.steady_within(v, u64_arg(n[0]), n[1]);
  } else if (e.pattern == "converges_to") {
    f.converges_to(v, n[0], n[1], u64_arg(n[2]));
    ev.needed = 3;
  } else if (e.pattern == "each.at_least") {
    f.each(v).at_least(n[0]);
  } else if (e.pattern == "each.at_most") {
    f.each(v).at_most(n[0]);
  } else if (e.pattern == "each.between") {
    f.each(v).between(n[0], n[1]);
  } else if (e.pattern == "ratio_within") {
    SCXSNAP_TRY(auto g, project<double>(s, e.projs[1]));
    f.ratio_within(v, g, n[0], n[1]);
    std::size_t both = 0;
    for (std::size_t i = 0; i < f.len() && i < g.len(); ++i)
      both += f.values()[i].has_value() && g.values()[i].has_value();
    ev.evaluated = both;
  }
  return ev;
}

Result<std::vector<CheckExpr>> parse_check_exprs(const std::vector<std::string>& texts) {
  std::vector<CheckExpr> out;
  for (const auto& t : texts) {
    SCXSNAP_TRY(CheckExpr e, parse_check_expr(t));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace scxsnap::cli
