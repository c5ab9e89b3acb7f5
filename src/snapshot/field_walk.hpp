// SPDX-License-Identifier: Apache-2.0
// The path walk shared by SnapshotField, SnapshotEntry and the Snapshot view.
#pragma once

#include "scxsnap/snapshot.hpp"

#include <string_view>

namespace scxsnap::detail {

/// Dotted member walk (spec §2.1): "" returns root as is; pointers with a
/// deref are peeled before each component; no array indexing.
SnapshotField walk_dotted_path(const RenderedValue& root, std::string_view path);
/// Follow Ptr derefs (at most 17 hops, as ktstr).
const RenderedValue* peel_pointers(const RenderedValue* v);
/// First member named `name` after peeling pointers; nullptr if absent.
const RenderedValue* lookup_member(const RenderedValue& v, std::string_view name);

}  // namespace scxsnap::detail
