// SPDX-License-Identifier: Apache-2.0
// The pieces of `scxsnap report`'s HTML: escaping, the page (one file, its
// CSS and script inline, nothing fetched when opened), and SVG plots drawn
// here, so the numbers in the page are the data's and the file reads without
// a script engine too. The script only filters by name and paints heat maps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::html {

/// Text for HTML content and attribute values.
std::string esc(std::string_view s);
/// A number as the page shows it: integers exactly, others in 6 digits.
std::string num(double v);

/// What a value measures, told by its name (the last member of its path):
/// `*_ns`/`*ns` nanoseconds, `*bytes` bytes, otherwise a plain number.
enum class Unit { Plain, Nanoseconds, Bytes };
Unit unit_of(std::string_view path);
/// Axis ticks from lo to hi: multiples of 1, 2 or 5 times a power of ten,
/// three to seven of them, the first at or below lo and the last at or above hi.
std::vector<double> nice_ticks(double lo, double hi);
/// A tick or legend label: scaled to the magnitude (k/M/G/T; ns/µs/ms/s;
/// B/KiB/MiB/GiB) with as many decimals as `step` (the tick spacing; 0: three
/// significant digits) needs to tell neighbours apart.
std::string axis_label(double v, double step, Unit u);

/// The page around `body`: head, filter box, styles, script.
std::string page(std::string_view title, std::string_view subtitle, std::string_view body);

/// A line plot over time: one point per sample (none: a gap, e.g. a
/// placeholder sample), phase boundaries as labelled vertical lines,
/// horizontal reference lines (an assertion's bounds), a pass/fail badge.
struct LinePlot {
  std::string id;                 ///< the card's id (an anchor for links), or ""
  std::string name;               ///< what the filter matches (data-name)
  std::string title;              ///< shown above the plot
  std::string unit;               ///< "/s" for rates, "" otherwise
  Unit value_unit = Unit::Plain;  ///< how the axis labels the values
  std::vector<double> t_ms;
  std::vector<std::optional<double>> y;
  /// Samples with no data (placeholders, the value absent): shaded. A point
  /// without a y that is not missing (a rate's first sample) is not.
  std::vector<bool> missing;
  std::vector<std::pair<double, std::string>> phases;  ///< (t_ms, "Step[0]")
  /// (y, label); a bound far outside the data is named at the edge instead
  /// of squashing the plot.
  std::vector<std::pair<double, std::string>> bounds;
  std::string last_text;             ///< the last value as the data has it (exact)
  std::string note;                  ///< small print under the plot
  std::string badge;                 ///< "PASS ..." / "FAIL ..." or ""
  std::string badge_class = "pass";  ///< verdict_slug of the worst verdict drawn
};
std::string line_plot(const LinePlot& p);

/// Bars across CPUs (one per CPU; none: no slot).
std::string cpu_bars(std::string_view name, std::string_view title,
                     const std::vector<std::optional<double>>& per_cpu);

/// A CPU x time heat map: rows = CPUs, columns = samples, row-major values
/// (none: a gap); painted by the page's script into a canvas, with a colour
/// legend from the lowest to the highest value (in `u`).
std::string heat_map(std::string_view name, std::string_view title, std::size_t rows,
                     std::size_t cols, const std::vector<std::optional<double>>& values,
                     Unit u = Unit::Plain);

}  // namespace scxsnap::html
