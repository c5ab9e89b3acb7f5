// SPDX-License-Identifier: Apache-2.0
// The arithmetic of an arena read (arena_pages.hpp).
#include "arena_pages.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::capture_detail {
namespace {

// The arena's free page ranges [start, last], sorted, from its range tree;
// nullopt when a node cannot be read or the ranges make no sense (the tree
// changed under the walk, or the layout is not what BTF said).
std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> free_ranges(
    KernelMemory& kr, const ArenaLayout::FreeTree& t, std::uint64_t npages) {
  if (std::max({t.start + 4, t.last + 4, t.node + t.rb_left + 8, t.node + t.rb_right + 8}) > t.size)
    return std::nullopt;  // a layout that does not fit its node
  auto root = kr.read_u64(kr.map_address() + t.root);
  if (!root) return std::nullopt;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  std::vector<std::uint64_t> level;
  if (*root) level.push_back(*root);
  std::vector<KernelMemory::Chunk> chunks;
  auto field = [](const KernelMemory::Chunk& c, std::uint32_t off, auto& v) {
    std::memcpy(&v, c.bytes.data() + off, sizeof v);
  };
  while (!level.empty()) {
    std::vector<std::uint64_t> next;
    for (std::size_t i = 0; i < level.size(); i += KernelMemory::kBatch) {
      const std::size_t n = std::min<std::size_t>(KernelMemory::kBatch, level.size() - i);
      chunks.assign(n, {});
      for (std::size_t j = 0; j < n; ++j) {
        chunks[j].kaddr = level[i + j] - t.node;  // the range_node around the rb_node
        chunks[j].len = t.size;
      }
      if (!kr.read(chunks)) return std::nullopt;
      for (const auto& c : chunks) {
        if (c.rc != 0 || c.bytes.size() < t.size) return std::nullopt;
        std::uint32_t start = 0, last = 0;
        std::uint64_t left = 0, right = 0;
        field(c, t.start, start);
        field(c, t.last, last);
        field(c, t.node + t.rb_left, left);
        field(c, t.node + t.rb_right, right);
        if (start > last || last >= npages || out.size() > npages) return std::nullopt;
        out.emplace_back(start, last);
        if (left) next.push_back(left);
        if (right) next.push_back(right);
      }
    }
    level = std::move(next);
  }
  std::sort(out.begin(), out.end());
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].first <= out[i - 1].second) return std::nullopt;
  return out;
}

}  // namespace

std::uint64_t arena_kernel_address(const ArenaRange& r, std::uint64_t user_addr) {
  return r.kern_vm_start + static_cast<std::uint32_t>(user_addr);
}

Result<ArenaRange> arena_range(KernelMemory& kr, const ArenaLayout& l, std::uint64_t page) {
  const std::uint64_t map = kr.map_address();
  SCXSNAP_TRY(std::uint64_t start, kr.read_u64(map + l.user_vm_start));
  SCXSNAP_TRY(std::uint64_t end, kr.read_u64(map + l.user_vm_end));
  SCXSNAP_TRY(std::uint64_t vm, kr.read_u64(map + l.kern_vm));
  SCXSNAP_TRY(std::uint64_t vm_addr, kr.read_u64(vm + l.vm_addr));
  SCXSNAP_TRY(std::uint64_t vm_size, kr.read_u64(vm + l.vm_size));
  SCXSNAP_TRY(std::uint64_t vm_flags, kr.read_u64(vm + l.vm_flags));
  auto kern = arena_kern_vm_start(vm_addr, vm_size, vm_flags, page);
  if (!kern)
    return make_error(ErrorCode::Unsupported,
                      fmt::format("the arena's kernel range (vm area at 0x{:x}, 0x{:x} bytes, "
                                  "flags 0x{:x}) does not have the layout scxsnap knows",
                                  vm_addr, vm_size, vm_flags));
  if (end < start || (end - start) % page != 0 || end - start > kArenaSpan)
    return make_error(ErrorCode::Unsupported,
                      fmt::format("the arena's user range 0x{:x}-0x{:x} is not whole pages of at "
                                  "most 4 GiB",
                                  start, end));
  return ArenaRange{start, end, *kern, page};
}

std::optional<Runs> tree_pages(KernelMemory& kr, const ArenaLayout& l, std::uint64_t npages) {
  if (!l.free_tree) return std::nullopt;
  std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> prev;
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto now = free_ranges(kr, *l.free_tree, npages);
    if (!now) continue;
    if (prev && *prev == *now) {
      Runs runs;
      std::uint64_t at = 0;
      for (auto [start, last] : *now) {
        if (start > at) runs.emplace_back(at, start);
        at = std::uint64_t{last} + 1;
      }
      if (at < npages) runs.emplace_back(at, npages);
      return runs;
    }
    prev = std::move(now);
  }
  return std::nullopt;
}

Runs candidate_pages(KernelMemory& kr, const ArenaLayout& l, std::uint64_t npages) {
  if (auto runs = tree_pages(kr, l, npages)) return *runs;
  return Runs{{0, npages}};
}

Result<PageScan> scan_pages(KernelMemory& kr, const ArenaRange& r, const Runs& runs,
                            std::uint32_t cap, const std::function<bool()>& stop) {
  PageScan out;
  const std::uint64_t chunks_per_page = r.page / KernelMemory::kChunk;
  const std::uint64_t per_run = std::max<std::uint64_t>(1, KernelMemory::kBatch / chunks_per_page);
  std::vector<KernelMemory::Chunk> chunks;
  for (auto [begin, end] : runs) {
    for (std::uint64_t first = begin; first < end; first += per_run) {
      if (stop && stop()) {
        out.stopped = true;
        return out;
      }
      const std::uint64_t n = std::min(per_run, end - first);
      chunks.assign(n * chunks_per_page, {});
      for (std::uint64_t i = 0; i < n * chunks_per_page; ++i) {
        const std::uint64_t off = (first * chunks_per_page + i) * KernelMemory::kChunk;
        chunks[i].kaddr = arena_kernel_address(r, r.user_vm_start + off);
        chunks[i].len = KernelMemory::kChunk;
      }
      SCXSNAP_TRY_VOID(kr.read(chunks));
      for (std::uint64_t p = 0; p < n; ++p) {
        auto* c = chunks.data() + p * chunks_per_page;
        ++out.scanned;
        if (!std::all_of(c, c + chunks_per_page, [](const auto& x) { return x.rc == 0; })) continue;
        if (cap && out.pages.size() >= cap) {
          out.capped = true;
          --out.scanned;
          return out;
        }
        ArenaPage page;
        page.user_addr = r.user_vm_start + (first + p) * r.page;
        page.bytes.reserve(r.page);
        for (std::uint64_t i = 0; i < chunks_per_page; ++i)
          page.bytes.insert(page.bytes.end(), c[i].bytes.begin(), c[i].bytes.end());
        out.pages.push_back(std::move(page));
      }
    }
  }
  return out;
}

GlobalsPlacement place_globals(const ArenaRange& r, std::uint64_t size,
                               const std::vector<std::uint64_t>& imms) {
  std::vector<std::uint64_t> offs;
  for (std::uint64_t imm : imms)
    if (imm >= r.user_vm_start && imm < r.user_vm_end) offs.push_back(imm - r.user_vm_start);
  if (offs.empty()) return GlobalsUnreferenced{};
  const std::uint64_t span = r.user_vm_end - r.user_vm_start;
  const std::uint64_t rounded = (size + r.page - 1) / r.page * r.page;
  std::vector<std::uint64_t> fits;
  for (std::uint64_t base : {std::uint64_t{0}, span >= rounded ? span - rounded : 0}) {
    if (std::find(fits.begin(), fits.end(), base) != fits.end()) continue;
    if (std::all_of(offs.begin(), offs.end(),
                    [&](std::uint64_t o) { return o >= base && o - base < size; }))
      fits.push_back(base);
  }
  if (fits.size() == 1) return GlobalsAt{fits.front()};
  return GlobalsAmbiguous{};
}

std::vector<std::uint8_t> section_bytes(const ArenaRange& r, const std::vector<ArenaPage>& pages,
                                        std::uint64_t base, std::uint64_t size) {
  std::vector<std::uint8_t> out(size, 0);
  const std::uint64_t lo = r.user_vm_start + base, hi = lo + size;
  for (const ArenaPage& p : pages) {
    const std::uint64_t a = std::max(lo, p.user_addr);
    const std::uint64_t b = std::min(hi, p.user_addr + p.bytes.size());
    if (a < b) std::memcpy(out.data() + (a - lo), p.bytes.data() + (a - p.user_addr), b - a);
  }
  return out;
}

}  // namespace scxsnap::capture_detail
