// SPDX-License-Identifier: Apache-2.0
// Samples for conditions that read only global variables (`--until
// 'var:...'`): the held global sections (1-entry arrays) read through
// read-only shared mappings of the kernel's pages where the map is
// mmap-able (no system call a sample), by one lookup where not, and rendered
// through BTF into a report holding only those sections. A whole capture
// also lists maps, reads every held map and the host's /proc: a condition
// polled every 10 ms paid for all of it.
#pragma once

#include "capture/btf_cache.hpp"
#include "capture/fd.hpp"
#include "capture/kernel_source.hpp"
#include "scxsnap/capture.hpp"
#include "scxsnap/report.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace scxsnap::trigger_detail {

class GlobalsProbe {
 public:
  /// The probe of global variables `vars` in the global sections among
  /// `first`'s maps (the first capture's): only those variables are read and
  /// rendered. nullptr when one of them is in no such section (an __arena
  /// global, a name no section has: whole captures answer then) or a
  /// section cannot be read so.
  static std::unique_ptr<GlobalsProbe> open(capture_detail::KernelSource& src,
                                            const FailureDumpReport& first,
                                            const CaptureOptions& options,
                                            std::span<const std::string> vars);
  /// The sections now, in a report with the first capture's map metadata
  /// and active object and nothing else; a section that cannot be read has
  /// its `error` set.
  FailureDumpReport sample();

 private:
  struct Section {
    FailureDumpMap meta;  // the first capture's map, without contents
    capture_detail::Fd fd;
    std::unique_ptr<capture_detail::ValueBytes> mapped;  // null: looked up each sample
    std::vector<std::uint8_t> buffer;
    std::uint32_t value_size = 0, btf_id = 0;
    std::string datasec;
    struct Var {
      SharedName name;
      std::uint32_t type = 0, offset = 0, size = 0;
    };
    std::vector<Var> vars;  // the ones asked for, in section order
  };
  explicit GlobalsProbe(capture_detail::KernelSource& src, std::uint32_t max_array_elements)
      : src_(src), btfs_(src, max_array_elements) {}
  capture_detail::KernelSource& src_;
  capture_detail::BtfCache btfs_;
  RenderLimits limits_;
  FailureDumpReport base_;
  std::vector<Section> sections_;
};

}  // namespace scxsnap::trigger_detail
