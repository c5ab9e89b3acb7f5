// SPDX-License-Identifier: Apache-2.0
// Text for XML and HTML: the JUnit report of `check` (series layer) and the
// HTML pages (html layer) escape with this one function.
#pragma once

#include <string>
#include <string_view>

namespace scxsnap::detail {

/// & < > " ' as entities (&#39; for the apostrophe: valid in XML and HTML).
std::string escape_markup(std::string_view s);

}  // namespace scxsnap::detail
