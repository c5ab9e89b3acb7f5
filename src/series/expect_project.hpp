// SPDX-License-Identifier: Apache-2.0
// Projections of assertions (scxsnap/expect.hpp): one value per sample, kept
// with the kind it was rendered as, so the evaluator compares signed values
// as signed and floats as floats.
#pragma once

#include "scxsnap/expect.hpp"

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace scxsnap::detail {

/// One sample's value and the class it was read as (the narrowest that holds
/// it: unsigned, then signed, then float).
struct Number {
  ValueClass cls = ValueClass::Unsigned;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double f = 0;
  bool b = false;
};
using NumberAt = std::expected<Number, SnapshotError>;

struct Projection {
  std::string label;             ///< the projection text
  std::vector<NumberAt> values;  ///< one per row
  /// Said once per assertion (which object a var: came from, ...).
  std::vector<std::string> hints;
};

/// The projection `proj` over every row, as numbers (`as_bool`: as truth
/// values, Bool class). Errors: a projection that names nothing this
/// grammar knows (InvalidArgument).
Result<Projection> project(const SampleSeries& s, std::string_view proj, bool as_bool = false);

/// Candidate names for "did you mean": every global of every object and
/// every map name in the series' last real sample.
std::vector<std::string> known_names(const SampleSeries& s, std::string_view proj);

}  // namespace scxsnap::detail
