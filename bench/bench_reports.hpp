// Synthetic reports for the benchmarks.
#pragma once

#include "scxsnap/report.hpp"

#include <cstddef>

namespace bench {

/// One HASH map of `entries` entries (u32 key, 64-byte struct value: ints, an
/// enum, a nested struct and a char array) plus `percpu_maps` PERCPU_ARRAY maps
/// of 16 keys x `cpus` CPUs.
scxsnap::FailureDumpReport make_hash_report(std::size_t entries, std::size_t percpu_maps,
                                            std::size_t cpus);
/// `maps` objects' .bss maps ("obj<i>.bss") with 8 variables each; `dup_every`
/// > 0 makes every n-th object share the variable "shared".
scxsnap::FailureDumpReport make_many_maps_report(std::size_t maps);

}  // namespace bench
