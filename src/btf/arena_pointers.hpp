// SPDX-License-Identifier: Apache-2.0
// Following pointers into captured arenas: where an address lies among the
// arenas' user ranges and, when its page was captured, the bytes there. Live
// capture and native snapshots render through the same function, so their
// pointers come out the same.
#pragma once

#include "scxsnap/btf_render.hpp"
#include "scxsnap/report.hpp"

#include <functional>
#include <vector>

namespace scxsnap::arena_pointers {

using Follower = std::function<PointerTarget(std::uint64_t address, std::uint32_t size)>;

/// A RenderLimits::follow_pointer over `arenas` (which must outlive it; an
/// arena with no user address is skipped); empty when none is left. A target
/// is followed when it lies whole inside one captured page.
Follower follower(const std::vector<const ArenaSnapshot*>& arenas);

/// The arenas of `maps`.
std::vector<const ArenaSnapshot*> arenas_of(const std::vector<FailureDumpMap>& maps);

}  // namespace scxsnap::arena_pointers
