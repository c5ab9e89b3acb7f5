// SPDX-License-Identifier: Apache-2.0
// Raw map bytes + BTF → RenderedValue (or straight to JSON).
//
// A BtfRenderer borrows a libbpf `struct btf` (program, module-split or
// vmlinux BTF) and compiles each type id once into a flat layout plan
// (offsets, widths, kinds, shared names); rendering an entry runs the plan.
// The same plan writes JSON directly without building the tree, and both
// outputs agree byte for byte.
//
// The header does not include libbpf: `struct btf` is only declared.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/rendered_value.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct btf;

namespace scxsnap {

/// Where a pointer points, for renders that follow pointers into memory a
/// capture holds (an arena's pages).
struct SCXSNAP_API PointerTarget {
  bool arena = false;                   ///< inside a captured arena's user range
  std::uint64_t offset = 0;             ///< the address's offset in that arena
  std::span<const std::uint8_t> bytes;  ///< the pointee's bytes when captured, else empty
};

/// Limits of one render. A value whose full compact JSON would pass
/// `max_value_bytes` (measured on the value where the type's bound is loose:
/// a CPU list counts its runs, not its bitmap) is rendered as ktstr's
/// `truncated` variant (`needed` =
/// the type's size, `had` = the bytes its partial shows in full) around a
/// partial value: every struct member is kept, small members whole, and the
/// budget is shared max-min fairly among the large ones; arrays keep as many
/// whole elements as fit and at most one cut element. So a small counter
/// after a 100 MiB array still renders, and nested arrays never multiply.
struct SCXSNAP_API RenderLimits {
  /// Budget of one value's compact JSON in bytes (upper bounds from the type,
  /// tightened by the value, so a value may render a little smaller); 0 = no budget beyond a
  /// guard of 1 KiB of JSON per byte of the value or 64 MiB, whichever is
  /// larger (only zero-sized elements nested in arrays reach it).
  std::uint64_t max_value_bytes = 0;
  /// Polled every few dozen elements; once it returns true the render ends
  /// its arrays and structs early (still valid JSON) and reports `stopped`.
  std::function<bool()> should_stop;
  /// JSON renders only: called with the output buffer whenever it holds at
  /// least `flush_at` bytes; it takes the bytes (and clears the buffer).
  std::function<void(std::string&)> flush;
  std::size_t flush_at = std::size_t{1} << 20;
  /// Pointer following: for a non-null pointer and its target type's size
  /// (0: only asking where it points), where it points. An arena pointer is
  /// rendered with `cast_annotation` "cast→arena" and its target one level
  /// deep (`deref`), or why not (`deref_skipped_reason`, with the arena
  /// offset). Unset: no pointer is followed.
  std::function<PointerTarget(std::uint64_t address, std::uint32_t size)> follow_pointer;
};

/// What a render did.
struct SCXSNAP_API RenderStatus {
  bool over_budget = false;  ///< cut by the budget (the value is `truncated`)
  bool stopped = false;      ///< should_stop fired: arrays/structs end early
  std::uint64_t needed = 0;  ///< the type's size in bytes
  std::uint64_t had = 0;     ///< bytes of the value shown in full
};

class SCXSNAP_API BtfRenderer {
 public:
  /// ktstr's cap on the elements shown of one array.
  static constexpr std::uint32_t kDefaultMaxArrayElements = 4096;
  /// `btf` must outlive the renderer (null: every render is an error). Arrays show at most
  /// `max_array_elements` elements (their `len` stays the declared length).
  explicit BtfRenderer(const struct btf* btf,
                       std::uint32_t max_array_elements = kDefaultMaxArrayElements);
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
  /// The same two under limits; `status` (optional) says what was cut. On
  /// error nothing is appended.
  Result<RenderedValue> render(std::uint32_t type_id, std::span<const std::uint8_t> bytes,
                               const RenderLimits& limits, RenderStatus* status = nullptr);
  Result<void> render_json(std::uint32_t type_id, std::span<const std::uint8_t> bytes,
                           std::string& out, const RenderLimits& limits,
                           RenderStatus* status = nullptr);
  /// Size in bytes of `type_id` (after typedefs and qualifiers).
  Result<std::uint32_t> type_size(std::uint32_t type_id);

 private:
  Result<std::uint32_t> compile(std::uint32_t type_id);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scxsnap
