// SPDX-License-Identifier: Apache-2.0
// Where an assertion failed (scxsnap/expect.hpp's FailureSpan): the failing
// samples of the patterns that fail sample by sample, found again over the
// same values the pattern saw, with how far each is from passing, so a
// summary can give the first, the worst and the span instead of a wall of
// lines.
#pragma once

#include "scxsnap/expect.hpp"
#include "series/expect_project.hpp"

#include <optional>
#include <vector>

namespace scxsnap::detail {

/// The span of failures of `e` over `values` (the projection's values; only
/// the samples in `keep` were evaluated). Nullopt for patterns that do not
/// fail sample by sample, or when nothing fails.
std::optional<FailureSpan> failure_span(const Expectation& e, const SampleSeries& s,
                                        const Projection& values,
                                        const std::vector<std::size_t>& keep);

}  // namespace scxsnap::detail
