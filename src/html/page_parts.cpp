// SPDX-License-Identifier: Apache-2.0
// HTML and SVG pieces of `scxsnap report` (html.hpp). The styles and the
// script are this project's own (no third-party code in the page).
#include "page_parts.hpp"

#include "report/markup.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <tuple>

namespace scxsnap::html {
namespace {

constexpr std::string_view kStyle = R"css(
:root { font: 13px/1.4 system-ui, sans-serif; color: #222; }
body { margin: 0 1.5em 2em; }
header { position: sticky; top: 0; background: #fff; padding: .6em 0; border-bottom: 1px solid #ddd; z-index: 1; }
h1 { font-size: 1.3em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
.sub { color: #666; } #filter { width: 24em; padding: .3em; margin-top: .4em; } #shown { color: #666; margin-left: 1em; }
details.group { margin: .6em 0; border: 1px solid #ddd; border-radius: 4px; padding: .3em .6em; }
details.group > summary { font-weight: 600; cursor: pointer; }
details.map { margin: .3em 0 .3em 1em; } details.map > summary { cursor: pointer; }
.grid { display: flex; flex-wrap: wrap; gap: .6em; margin: .4em 0; }
.card { border: 1px solid #e3e3e3; border-radius: 4px; padding: .3em; }
.card .title { font-size: .9em; font-weight: 600; max-width: 340px; overflow-wrap: anywhere; }
.card .last { font-size: .85em; color: #555; }
.badge { font-size: .8em; padding: 0 .4em; border-radius: 3px; }
.pass { background: #d9f2dd; color: #135c1f; } .fail { background: #f8d7d7; color: #8a1111; }
.inconclusive { background: #fdf0c8; color: #6b4e00; }
.warn { color: #8a5a00; } .err { color: #a11; }
table { border-collapse: collapse; margin: .3em 0; } td, th { padding: .1em .6em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
td.v { font-family: ui-monospace, monospace; max-width: 70em; overflow-wrap: anywhere; }
.assertions td.v { white-space: nowrap; }
svg text { font: 10px system-ui, sans-serif; fill: #555; }
svg .series { fill: none; stroke: #1f6fb2; stroke-width: 1.3; }
svg .phase { stroke: #999; stroke-dasharray: 3 3; } svg .bound { stroke: #c0392b; stroke-dasharray: 5 3; }
svg .gap { fill: #f3e3e3; } svg .bar { fill: #4a8fcf; } svg .frame { fill: #fcfcfc; stroke: #ddd; }
canvas.heat { border: 1px solid #ddd; image-rendering: pixelated; }
.legend { font-size: .8em; color: #555; display: flex; align-items: center; gap: .4em; }
.legend .ramp { display: inline-block; width: 140px; height: 9px; border: 1px solid #ccc;
  background: linear-gradient(to right, rgb(13,8,135), rgb(84,2,163), rgb(139,10,165), rgb(185,50,137),
  rgb(219,92,104), rgb(244,136,73), rgb(254,188,43), rgb(240,249,33)); }
svg .tick { stroke: #eee; }
table.moved td.n { text-align: right; font-variant-numeric: tabular-nums; }
.flat { font-size: .9em; color: #555; } .flat .v { font-family: ui-monospace, monospace; }
.note { color: #666; font-size: .9em; }
table.diff td.old { background: #fdecec; text-decoration: line-through; color: #7a2020; }
table.diff td.new { background: #e6f6e8; font-weight: 600; } table.diff td.delta { color: #135c1f; }
)css";

constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  const box = document.getElementById('filter');
  const items = Array.from(document.querySelectorAll('[data-name]'));
  function apply() {
    const q = box.value.trim().toLowerCase();
    let shown = 0;
    for (const el of items) {
      const hit = !q || el.dataset.name.toLowerCase().includes(q);
      el.hidden = !hit;
      if (hit) shown++;
    }
    for (const g of document.querySelectorAll('details.group')) {
      const any = g.querySelector('[data-name]:not([hidden])');
      g.hidden = q !== '' && !any;
      if (q && any) g.open = true;
    }
    document.getElementById('shown').textContent = q ? shown + ' of ' + items.length + ' shown' : '';
  }
  box.addEventListener('input', apply);
  // A link can carry a filter: report.html#filter=nr_
  const m = /[#&]filter=([^&]*)/.exec(location.hash);
  if (m) { box.value = decodeURIComponent(m[1]); apply(); }
  // Heat maps: a blue-to-yellow scale over each map's own range; gaps grey.
  const stops = [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104],
                 [244, 136, 73], [254, 188, 43], [240, 249, 33]];
  function color(f) {
    const x = Math.min(Math.max(f, 0), 1) * (stops.length - 1), i = Math.floor(x);
    const a = stops[i], b = stops[Math.min(i + 1, stops.length - 1)], w = x - i;
    return 'rgb(' + [0, 1, 2].map(k => Math.round(a[k] + (b[k] - a[k]) * w)).join(',') + ')';
  }
  for (const c of document.querySelectorAll('canvas.heat')) {
    const rows = +c.dataset.rows, cols = +c.dataset.cols, v = JSON.parse(c.dataset.values);
    let lo = Infinity, hi = -Infinity;
    for (const x of v) if (x !== null) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    const g = c.getContext('2d'), cw = c.width / cols, ch = c.height / rows;
    for (let r = 0; r < rows; r++)
      for (let k = 0; k < cols; k++) {
        const x = v[r * cols + k];
        g.fillStyle = x === null ? '#e5e5e5' : color(hi > lo ? (x - lo) / (hi - lo) : 0.5);
        g.fillRect(Math.floor(k * cw), Math.floor(r * ch), Math.ceil(cw), Math.ceil(ch));
      }
    c.dataset.drawn = '1';
    c.dataset.lo = lo; c.dataset.hi = hi;
  }
  document.body.dataset.ready = '1';
})();
)js";

constexpr int kW = 340, kH = 120, kPadL = 46, kPadR = 6, kPadT = 8, kPadB = 18;

}  // namespace

std::string esc(std::string_view s) {
  return detail::escape_markup(s);
}

std::string num(double v) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
  if (v == std::floor(v) && std::fabs(v) < 9e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", v);
}

Unit unit_of(std::string_view path) {
  std::string_view leaf = path.substr(
      path.find_last_of(".]") == std::string_view::npos ? 0 : path.find_last_of(".]") + 1);
  if (leaf.ends_with("_ns") || leaf.ends_with("_nsec") || leaf == "ns") return Unit::Nanoseconds;
  if (leaf.ends_with("bytes")) return Unit::Bytes;
  return Unit::Plain;
}

std::vector<double> nice_ticks(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return {};
  if (hi == lo) return {lo};
  const double raw = (hi - lo) / 4;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> out;
  const double first = std::floor(lo / step) * step;
  for (double t = first; t < hi + step && out.size() < 8; t += step)
    out.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

std::string axis_label(double v, double step, Unit u) {
  if (!std::isfinite(v)) return num(v);
  if (v == 0) return "0";
  // Ticks share one scale: judge it by the axis' spacing too (0, 5k, 10k).
  const double a = std::max(std::fabs(v), 2 * step);
  double scale = 1;
  std::string_view suffix;
  if (u == Unit::Nanoseconds) {
    for (auto [s, n] : {std::pair{1e9, " s"}, {1e6, " ms"}, {1e3, " µs"}, {1.0, " ns"}})
      if (a >= s || s == 1.0) {
        scale = s;
        suffix = n;
        break;
      }
  } else if (u == Unit::Bytes) {
    for (auto [s, n] :
         {std::pair{1073741824.0, " GiB"}, {1048576.0, " MiB"}, {1024.0, " KiB"}, {1.0, " B"}})
      if (a >= s || s == 1.0) {
        scale = s;
        suffix = n;
        break;
      }
  } else if (a >= 1e4) {
    for (auto [s, n] : {std::pair{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}})
      if (a >= s) {
        scale = s;
        suffix = n;
        break;
      }
  }
  const double x = v / scale;
  int decimals = 0;
  if (step > 0) {
    decimals = static_cast<int>(std::ceil(-std::log10(step / scale) - 1e-9));
  } else {  // three significant digits
    const double ax = std::fabs(x);
    decimals = ax == 0 ? 0 : 2 - static_cast<int>(std::floor(std::log10(ax)));
  }
  decimals = std::clamp(decimals, 0, 6);
  if (scale == 1 && u == Unit::Plain && v == std::floor(v)) decimals = 0;
  return fmt::format("{:.{}f}{}", x, decimals, suffix);
}

std::string page(std::string_view title, std::string_view subtitle, std::string_view body) {
  std::string out;
  out.reserve(body.size() + kStyle.size() + kScript.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"generator\" content=\"scxsnap\"><title>";
  out += esc(title);
  out += "</title><style>";
  out += kStyle;
  out += "</style></head>\n<body><header><h1>";
  out += esc(title);
  out += "</h1><div class=\"sub\">";
  out += esc(subtitle);
  out +=
      "</div><input id=\"filter\" type=\"search\" placeholder=\"filter by name\" "
      "aria-label=\"filter by name\"><span id=\"shown\"></span></header>\n<main>";
  out += body;
  out += "</main>\n<script>";
  out += kScript;
  out += "</script></body></html>\n";
  return out;
}

std::string line_plot(const LinePlot& p) {
  double t0 = std::numeric_limits<double>::infinity(), t1 = -t0, lo = t0, hi = -t0;
  for (std::size_t i = 0; i < p.t_ms.size(); ++i) {
    t0 = std::min(t0, p.t_ms[i]);
    t1 = std::max(t1, p.t_ms[i]);
    if (i < p.y.size() && p.y[i]) {
      lo = std::min(lo, *p.y[i]);
      hi = std::max(hi, *p.y[i]);
    }
  }
  // Bounds near the data widen the axis; far ones are named at the edge.
  std::vector<std::pair<double, std::string>> drawn, above, below;
  {
    const double span = lo <= hi ? std::max(hi - lo, std::fabs(hi) * 0.1 + 1) : 0;
    for (const auto& b : p.bounds) {
      if (lo > hi || (b.first >= lo - span && b.first <= hi + span))
        drawn.push_back(b);
      else
        (b.first > hi ? above : below).push_back(b);
    }
    for (const auto& b : drawn) {
      lo = std::min(lo, b.first);
      hi = std::max(hi, b.first);
    }
  }
  const bool any = lo <= hi;
  const double data_lo = lo, data_hi = hi;
  if (!any) lo = hi = 0;
  if (hi == lo) {
    const double d = std::max(std::fabs(hi) * 0.01, 1.0);
    hi += d;
    lo -= d;
  }
  // The axis runs from tick to tick: 1, 2 or 5 times a power of ten.
  const std::vector<double> ticks = nice_ticks(lo, hi);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 0;
  if (ticks.size() > 1) {
    lo = ticks.front();
    hi = ticks.back();
  }
  if (!(t1 > t0)) t1 = t0 + 1;
  const double pw = kW - kPadL - kPadR, ph = kH - kPadT - kPadB;
  auto X = [&](double t) { return kPadL + (t - t0) / (t1 - t0) * pw; };
  auto Y = [&](double y) { return kPadT + (hi - y) / (hi - lo) * ph; };
  std::string s = fmt::format(
      "<div class=\"card\"{} data-name=\"{}\"><div class=\"title\">{}{}</div>",
      p.id.empty() ? std::string() : " id=\"" + esc(p.id) + "\"", esc(p.name), esc(p.title),
      p.badge.empty()
          ? std::string()
          : fmt::format(" <span class=\"badge {}\">{}</span>", p.badge_class, esc(p.badge)));
  std::size_t present = 0;
  for (const auto& y : p.y) present += y.has_value();
  s += fmt::format(
      "<svg class=\"plot\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" data-n=\"{}\" "
      "data-present=\"{}\" data-min=\"{}\" data-max=\"{}\" data-last=\"{}\">",
      kW, kH, kW, kH, p.y.size(), present, any ? num(data_lo) : "", any ? num(data_hi) : "",
      esc(p.last_text));
  s += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{:.0f}\" height=\"{:.0f}\"/>",
                   kPadL, kPadT, pw, ph);
  // Grid lines and labels at the ticks, in the value's unit.
  const std::string rate = p.unit;
  for (double t : ticks)
    s += fmt::format(
        "<line class=\"tick\" x1=\"{0}\" x2=\"{1:.0f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>"
        "<text class=\"ytick\" x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>",
        kPadL, kPadL + pw, Y(t), kPadL - 3, Y(t) + 3,
        esc(axis_label(t, step, p.value_unit) + (t == ticks.back() ? rate : "")));
  // Gaps: the span around each sample without a value.
  for (std::size_t i = 0; i < p.y.size() && i < p.t_ms.size(); ++i) {
    if (p.missing.empty() ? p.y[i].has_value() : !p.missing[i]) continue;
    double a = i > 0 ? (p.t_ms[i - 1] + p.t_ms[i]) / 2 : p.t_ms[i];
    double b = i + 1 < p.t_ms.size() ? (p.t_ms[i] + p.t_ms[i + 1]) / 2 : p.t_ms[i];
    s += fmt::format(
        "<rect class=\"gap\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.0f}\"/>", X(a),
        kPadT, std::max(1.0, X(b) - X(a)), ph);
  }
  for (const auto& [t, label] : p.phases)
    s += fmt::format(
        "<line class=\"phase\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.0f}\"/>"
        "<text x=\"{3:.1f}\" y=\"{4}\">{5}</text>",
        X(t), kPadT, kPadT + ph, X(t) + 2, kPadT + 9, esc(label));
  for (const auto& [y, label] : drawn)
    s += fmt::format(
        "<line class=\"bound\" x1=\"{0}\" x2=\"{1:.0f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"><title>{3}"
        "</title></line>",
        kPadL, kPadL + pw, Y(y), esc(label));
  // The line, broken at gaps; long series keep each pixel column's extremes.
  const std::size_t n = std::min(p.y.size(), p.t_ms.size());
  const std::size_t columns = static_cast<std::size_t>(pw);
  std::string pts;
  auto flush = [&] {
    if (!pts.empty()) s += "<polyline class=\"series\" points=\"" + pts + "\"/>";
    pts.clear();
  };
  std::size_t i = 0;
  while (i < n) {
    if (!p.y[i]) {
      flush();
      ++i;
      continue;
    }
    if (n <= 2 * columns) {
      pts += fmt::format("{:.1f},{:.1f} ", X(p.t_ms[i]), Y(*p.y[i]));
      ++i;
      continue;
    }
    // One pixel column: its first, lowest, highest and last values.
    const auto col = static_cast<long>(X(p.t_ms[i]));
    std::size_t j = i;
    double mn = *p.y[i], mx = *p.y[i];
    while (j < n && p.y[j] && static_cast<long>(X(p.t_ms[j])) == col) {
      mn = std::min(mn, *p.y[j]);
      mx = std::max(mx, *p.y[j]);
      ++j;
    }
    pts += fmt::format("{0:.1f},{1:.1f} {0:.1f},{2:.1f} {0:.1f},{3:.1f} {0:.1f},{4:.1f} ",
                       X(p.t_ms[i]), Y(*p.y[i]), Y(mn), Y(mx), Y(*p.y[j - 1]));
    i = j;
  }
  flush();
  for (const auto& [list, y, arrow] :
       {std::tuple{&above, kPadT + 10.0, "\u2191"}, std::tuple{&below, kPadT + ph - 3, "\u2193"}})
    for (const auto& [v, label] : *list)
      s += fmt::format(
          "<text class=\"offscale\" x=\"{:.0f}\" y=\"{:.0f}\" "
          "text-anchor=\"end\">{} {} {}</text>",
          kPadL + pw - 3, y, arrow, esc(label), esc(num(v)));
  s += fmt::format(
      "<text x=\"{}\" y=\"{}\">{} ms</text><text x=\"{:.0f}\" y=\"{}\" "
      "text-anchor=\"end\">{} ms</text>",
      kPadL, kH - 4, esc(num(t0)), kPadL + pw, kH - 4, esc(num(t1)));
  s += "</svg>";
  s += fmt::format(
      "<div class=\"last\">last: {}{}{}</div></div>", esc(p.last_text), esc(p.unit),
      p.note.empty() ? std::string() : " <span class=\"note\">(" + esc(p.note) + ")</span>");
  return s;
}

std::string cpu_bars(std::string_view name, std::string_view title,
                     const std::vector<std::optional<double>>& per_cpu) {
  double lo = 0, hi = 0, sum = 0;
  for (const auto& v : per_cpu)
    if (v) {
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
      sum += *v;
    }
  if (hi == lo) hi = lo + 1;
  const double pw = kW - kPadL - kPadR, ph = kH - kPadT - kPadB;
  const double bw = per_cpu.empty() ? pw : pw / static_cast<double>(per_cpu.size());
  std::string s = fmt::format(
      "<div class=\"card\" data-name=\"{}\"><div class=\"title\">{}</div>"
      "<svg class=\"bars\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" data-cpus=\"{}\" "
      "data-sum=\"{}\" data-max=\"{}\">",
      esc(name), esc(title), kW, kH, kW, kH, per_cpu.size(), esc(num(sum)), esc(num(hi)));
  s += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{:.0f}\" height=\"{:.0f}\"/>",
                   kPadL, kPadT, pw, ph);
  auto Y = [&](double y) { return kPadT + (hi - y) / (hi - lo) * ph; };
  for (std::size_t c = 0; c < per_cpu.size(); ++c) {
    if (!per_cpu[c]) continue;
    const double y0 = Y(std::max(0.0, lo)), y1 = Y(*per_cpu[c]);
    s += fmt::format(
        "<rect class=\"bar\" x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{:.1f}\">"
        "<title>cpu {}: {}</title></rect>",
        kPadL + static_cast<double>(c) * bw, std::min(y0, y1), std::max(bw * 0.85, 0.5),
        std::max(std::fabs(y1 - y0), 0.5), c, esc(num(*per_cpu[c])));
  }
  s += fmt::format(
      "<text x=\"2\" y=\"{}\">{}</text><text x=\"2\" y=\"{:.0f}\">{}</text>"
      "<text x=\"{}\" y=\"{}\">cpu 0</text><text x=\"{:.0f}\" y=\"{}\" text-anchor=\"end\">"
      "cpu {}</text></svg>",
      kPadT + 8, esc(num(hi)), kPadT + ph, esc(num(lo)), kPadL, kH - 4, kPadL + pw, kH - 4,
      per_cpu.empty() ? 0 : per_cpu.size() - 1);
  s += fmt::format("<div class=\"last\">sum {} over {} cpus</div></div>", esc(num(sum)),
                   per_cpu.size());
  return s;
}

std::string heat_map(std::string_view name, std::string_view title, std::size_t rows,
                     std::size_t cols, const std::vector<std::optional<double>>& values, Unit u) {
  std::string data = "[";
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) data += ',';
    data += values[i] ? num(*values[i]) : "null";
    if (values[i]) {
      lo = std::min(lo, *values[i]);
      hi = std::max(hi, *values[i]);
    }
  }
  data += "]";
  // The colour legend: the lowest value at the left of the ramp, the highest at the right.
  std::string legend;
  if (lo <= hi)
    legend = fmt::format(
        "<div class=\"legend\"><span class=\"lo\">{}</span><span class=\"ramp\"></span>"
        "<span class=\"hi\">{}</span><span>grey: no value</span></div>",
        esc(axis_label(lo, 0, u)), esc(axis_label(hi, 0, u)));
  const std::size_t w = std::clamp<std::size_t>(cols * 3, 200, 1000);
  const std::size_t h = std::clamp<std::size_t>(rows * 4, 40, 600);
  return fmt::format(
      "<div class=\"card\" data-name=\"{}\"><div class=\"title\">{}</div>"
      "<canvas class=\"heat\" width=\"{}\" height=\"{}\" data-rows=\"{}\" data-cols=\"{}\" "
      "data-values=\"{}\"></canvas>{}<div class=\"last\">{} cpus (rows) x {} samples (columns)"
      "</div></div>",
      esc(name), esc(title), w, h, rows, cols, esc(data), legend, rows, cols);
}

}  // namespace scxsnap::html
