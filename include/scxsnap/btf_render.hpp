// SPDX-License-Identifier: Apache-2.0
// Raw map bytes + BTF → RenderedValue (or straight to JSON).
//
// A BtfRenderer borrows a libbpf `struct btf` (program, module-split or
// vmlinux BTF) and compiles each type id once into a flat layout plan
// (offsets, widths, kinds, interned names); rendering an entry runs the plan.
// The same plan writes JSON directly without building the tree, and both
// outputs agree byte for byte.
//
// The header does not include libbpf: `struct btf` is only declared.
#pragma once

#include "scxsnap/rendered_value.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct btf;

namespace scxsnap {

class BtfRenderer {
 public:
  /// `btf` must outlive the renderer.
  explicit BtfRenderer(const struct btf* btf);
  ~BtfRenderer();
  BtfRenderer(BtfRenderer&&) noexcept;
  BtfRenderer& operator=(BtfRenderer&&) noexcept;

  /// Render `bytes` as type `type_id`. Bytes shorter than the type give a
  /// `truncated` value holding what decoded; extra bytes are ignored.
  /// Errors: malformed BTF (ids out of range, type loops, sizes that overflow).
  Result<RenderedValue> render(std::uint32_t type_id, std::span<const std::uint8_t> bytes);
  /// The same value as compact JSON, appended to `out`.
  Result<void> render_json(std::uint32_t type_id, std::span<const std::uint8_t> bytes,
                           std::string& out);
  /// Size in bytes of `type_id` (after typedefs and qualifiers).
  Result<std::uint32_t> type_size(std::uint32_t type_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Split a per-CPU lookup buffer (stride roundup(value_size, 8)) into one
/// span per CPU; a short buffer yields only the complete slots.
std::vector<std::span<const std::uint8_t>> split_percpu(std::span<const std::uint8_t> buf,
                                                        std::size_t value_size, std::size_t ncpus);

/// "de ad be ef": lowercase hex pairs separated by spaces (ktstr's key_hex).
std::string hex_bytes(std::span<const std::uint8_t> bytes);
/// The same, appended to `out` (no temporary string).
void append_hex_bytes(std::string& out, std::span<const std::uint8_t> bytes);

}  // namespace scxsnap
