// SPDX-License-Identifier: Apache-2.0
// Parsing assertions (scxsnap/expect.hpp): the pattern, its projections and
// numbers, each checked for shape here so that a malformed expression is a
// usage error before any sample is read.
#include "scxsnap/expect.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <map>

namespace scxsnap {
namespace {

constexpr std::string_view kGrammar =
    R"grammar(EXPR  := PATTERN "(" PROJ ["," PROJ] {"," NUMBER} ")"
       | "each(" PROJ ")." ("at_least(" N ")" | "at_most(" N ")" | "between(" LO "," HI ")")
PATTERN := nondecreasing(P) | strictly_increasing(P) | always_true(P)
         | rate_within(P, LO, HI)              # units per ms between consecutive samples
         | steady_within(P, WARMUP_MS, TOL)    # TOL is a fraction: 0.1 = ±10% of the mean
         | converges_to(P, TARGET, TOL, DEADLINE_MS)
         | ratio_within(P, Q, LO, HI)
PROJ  := var:NAME                  # the active object's global NAME; without one, the
                                   #   object that defines NAME (exactly one must)
       | var:OBJ/NAME              # NAME of object OBJ (its name, cut name or btf:ID)
       | map:MAP[.PATH]            # the value of entry 0 (or [I]) of MAP; @CPU narrows per-CPU maps
       | map:MAP.cpu_sum(PATH) | map:MAP.cpu_max(PATH) | map:MAP.cpu_min(PATH)
       | stats:PATH                # the sample's scheduler-stats JSON
       | cpuN:FIELD                # per_cpu_time of CPU N (cpustat_user_ns, …, irqs_sum)
)grammar";

struct Parser {
  std::string_view s;
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
    return std::string(s.substr(b, i - b));
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
    std::string a(s.substr(b, i - b));
    while (!a.empty() && std::isspace(static_cast<unsigned char>(a.back()))) a.pop_back();
    return a;
  }
  // Arguments separated by ',' up to the closing ')'; `what` names one.
  Result<std::vector<std::string>> args(std::string_view what) {
    std::vector<std::string> out;
    do {
      std::size_t at = i;
      std::string a = arg();
      if (a.empty()) {
        i = at;
        return fail(fmt::format("expected {}", what));
      }
      out.push_back(std::move(a));
    } while (eat(','));
    return out;
  }
};

bool parse_number(const std::string& t, double& out) {
  if (t.empty()) return false;
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

struct Arity {
  std::size_t projs, nums;
};
const std::map<std::string, Arity, std::less<>> kPatterns = {
    {"nondecreasing", {1, 0}}, {"strictly_increasing", {1, 0}}, {"rate_within", {1, 2}},
    {"steady_within", {1, 2}}, {"converges_to", {1, 3}},        {"always_true", {1, 0}},
    {"ratio_within", {2, 2}},  {"each.at_least", {1, 1}},       {"each.at_most", {1, 1}},
    {"each.between", {1, 2}}};

// The shape of a projection (what it names is checked against the series).
std::optional<std::string> projection_shape_error(std::string_view p) {
  if (p.starts_with("var:")) {
    std::string_view rest = p.substr(4);
    std::size_t slash = rest.find('/');
    if (rest.empty()) return "expected a variable name after 'var:'";
    if (slash == 0) return "expected an object name before '/' (var:OBJ/NAME)";
    if (slash != std::string_view::npos && slash + 1 == rest.size())
      return "expected a variable name after '/' (var:OBJ/NAME)";
    return std::nullopt;
  }
  if (p.starts_with("map:")) {
    if (p.size() == 4) return "expected a map name after 'map:'";
    return std::nullopt;
  }
  if (p.starts_with("stats:")) {
    if (p.size() == 6) return "expected a path after 'stats:'";
    return std::nullopt;
  }
  if (p.starts_with("cpu")) {
    std::size_t colon = p.find(':');
    std::uint32_t cpu = 0;
    if (colon == std::string_view::npos ||
        std::from_chars(p.data() + 3, p.data() + colon, cpu).ptr != p.data() + colon ||
        colon == 3 || colon + 1 == p.size())
      return "expected cpuN:FIELD";
    return std::nullopt;
  }
  return "expected var:NAME, var:OBJ/NAME, map:NAME.FIELD, stats:PATH or cpuN:FIELD";
}

// Bounds that cannot hold for any data: a malformed expression.
std::optional<std::string> bounds_error(const Expectation& e) {
  const auto& n = e.nums;
  for (std::size_t k = 0; k < n.size(); ++k)
    if (std::isnan(n[k])) return fmt::format("argument '{}' is not a number", e.num_texts[k]);
  auto lo_hi = [&](std::size_t lo, std::size_t hi) -> std::optional<std::string> {
    if (n[lo] > n[hi])
      return fmt::format("the low bound {} is above the high bound {}", e.num_texts[lo],
                         e.num_texts[hi]);
    return std::nullopt;
  };
  if (e.pattern == "rate_within" || e.pattern == "ratio_within" || e.pattern == "each.between")
    return lo_hi(0, 1);
  if (e.pattern == "steady_within") {
    if (n[0] < 0) return fmt::format("the warm-up {} ms is negative", e.num_texts[0]);
    if (n[1] < 0) return fmt::format("the tolerance {} is negative", e.num_texts[1]);
  }
  if (e.pattern == "converges_to") {
    if (n[1] < 0) return fmt::format("the tolerance {} is negative", e.num_texts[1]);
    if (n[2] < 0) return fmt::format("the deadline {} ms is negative", e.num_texts[2]);
  }
  return std::nullopt;
}

}  // namespace

std::string_view expectation_grammar() {
  return kGrammar;
}

Result<Expectation> parse_expectation(std::string_view text) {
  Parser p{text};
  Expectation e;
  e.text = std::string(text);
  std::string name = p.ident();
  if (name.empty())
    return p.fail("expected a pattern name (nondecreasing, rate_within, each, ...)");
  if (!p.eat('(')) return p.fail("expected '(' after '" + name + "'");
  SCXSNAP_TRY(std::vector<std::string> args, p.args("an argument"));
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
    SCXSNAP_TRY(std::vector<std::string> bounds, p.args("a number"));
    args.insert(args.end(), bounds.begin(), bounds.end());
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
    } else if (!e.nums.empty()) {
      return p.fail(fmt::format("'{}': projections come before numbers", a));
    } else {
      e.projs.push_back(a);
    }
  }
  if (e.projs.size() != it->second.projs || e.nums.size() != it->second.nums)
    return p.fail(fmt::format("{} takes {} projection(s) and {} number(s), got {} and {}", name,
                              it->second.projs, it->second.nums, e.projs.size(), e.nums.size()));
  e.pattern = name;
  for (const auto& proj : e.projs)
    if (auto why = projection_shape_error(proj))
      return Error(ErrorCode::InvalidArgument,
                   fmt::format("expression '{}': projection '{}': {}", text, proj, *why));
  if (auto why = bounds_error(e))
    return Error(ErrorCode::InvalidArgument, fmt::format("expression '{}': {}", text, *why));
  return e;
}

Result<std::vector<Expectation>> parse_expectations(std::span<const std::string> texts) {
  std::vector<Expectation> out;
  for (const auto& t : texts) {
    SCXSNAP_TRY(Expectation e, parse_expectation(t));
    out.push_back(std::move(e));
  }
  return out;
}

ExpectationNeeds expectation_needs(std::span<const Expectation> exprs) {
  ExpectationNeeds out;
  auto add = [](std::vector<std::string>& v, std::string_view name) {
    if (!name.empty() && std::find(v.begin(), v.end(), name) == v.end()) v.emplace_back(name);
  };
  for (const auto& e : exprs)
    for (std::string_view proj : e.projs) {
      if (proj.starts_with("var:")) {
        std::string_view spec = proj.substr(4);
        if (auto slash = spec.find('/'); slash != std::string_view::npos)
          spec.remove_prefix(slash + 1);
        add(out.vars, spec.substr(0, spec.find_first_of(".[")));
      } else if (proj.starts_with("map:")) {
        const std::string_view spec = proj.substr(4);
        const std::string_view head = spec.substr(0, spec.find_first_of("[@"));
        // The map is the longest dotted prefix a sample has: ask for each.
        for (std::size_t dot = head.find('.', 1);; dot = head.find('.', dot + 1)) {
          add(out.maps, head.substr(0, dot));
          if (dot == std::string_view::npos) break;
        }
      }
    }
  return out;
}

std::string_view value_class_name(ValueClass c) {
  switch (c) {
    case ValueClass::Unsigned:
      return "u64";
    case ValueClass::Signed:
      return "i64";
    case ValueClass::Float:
      return "f64";
    case ValueClass::Bool:
      return "bool";
  }
  return "?";
}

std::string_view verdict_word(VerdictKind k) {
  switch (k) {
    case VerdictKind::Pass:
      return "PASS";
    case VerdictKind::Fail:
      return "FAIL";
    case VerdictKind::Inconclusive:
      return "INCONCLUSIVE";
  }
  return "?";
}

std::string_view verdict_slug(VerdictKind k) {
  switch (k) {
    case VerdictKind::Pass:
      return "pass";
    case VerdictKind::Fail:
      return "fail";
    case VerdictKind::Inconclusive:
      return "inconclusive";
  }
  return "?";
}

}  // namespace scxsnap
