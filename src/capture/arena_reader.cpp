// SPDX-License-Identifier: Apache-2.0
// Arena pages and `__arena` globals (arena_reader.hpp).
//
// Page k of an arena lives at kern_vm_start + (u32)(user_vm_start + k * page)
// in the kernel (the low 32 bits of its user address index the 4 GiB kernel
// range); a page the arena never allocated is unmapped there, and the kernel
// reader's copy of it fails instead of allocating it.
//
// The globals: libbpf places an object's `.addr_space.1` section in the
// arena, at its start (libbpf 1.6 and later) or at its end (1.4, 1.5), and
// relocates each reference to a global into an ld_imm64 of its user address.
// The object's programs' translated instructions therefore say where the
// section is: the one placement that holds every such address.
#include "arena_reader.hpp"

#include "btf/arena_pointers.hpp"
#include "btf/map_contents.hpp"
#include "fd.hpp"
#include "kernel_abi.hpp"
#include "kernel_reader.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace scxsnap::capture_detail {
namespace {

constexpr const char* kArenaSection = ".addr_space.1";

struct ArenaRange {
  std::uint64_t user_vm_start = 0, user_vm_end = 0, kern_vm_start = 0, page = 4096;
  std::uint64_t pages() const { return (user_vm_end - user_vm_start) / page; }
};

Result<ArenaRange> arena_range(KernelReader& kr, const ArenaLayout& l, std::uint64_t page) {
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

// Page runs [first, end) to look at.
using Runs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// The arena's free page ranges [start, last], sorted, from its range tree;
// nullopt when a node cannot be read or the ranges make no sense (the tree
// changed under the walk, or the layout is not what BTF said).
std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> free_ranges(
    KernelReader& kr, const ArenaLayout::FreeTree& t, std::uint64_t npages) {
  auto root = kr.read_u64(kr.map_address() + t.root);
  if (!root) return std::nullopt;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  std::vector<std::uint64_t> level;
  if (*root) level.push_back(*root);
  std::vector<KernelReader::Chunk> chunks;
  auto field = [](const KernelReader::Chunk& c, std::uint32_t off, auto& v) {
    std::memcpy(&v, c.bytes.data() + off, sizeof v);
  };
  while (!level.empty()) {
    std::vector<std::uint64_t> next;
    for (std::size_t i = 0; i < level.size(); i += KernelReader::kBatch) {
      const std::size_t n = std::min<std::size_t>(KernelReader::kBatch, level.size() - i);
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

// The pages the range tree does not list as free (walked until two walks
// agree); nullopt when there is no tree to read or it would not hold still.
std::optional<Runs> tree_pages(KernelReader& kr, const ArenaLayout& l, std::uint64_t npages) {
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

Runs candidate_pages(KernelReader& kr, const ArenaLayout& l, std::uint64_t npages) {
  if (auto runs = tree_pages(kr, l, npages)) return *runs;
  return Runs{{0, npages}};
}

struct PageScan {
  std::vector<ArenaPage> pages;
  std::uint64_t scanned = 0;  // pages looked at
  bool capped = false;        // the entry cap stopped it
  bool stopped = false;       // the deadline or a signal stopped it
};

// Reads the pages of `runs`; a page whose copy fails is not allocated.
Result<PageScan> scan_pages(KernelReader& kr, const ArenaRange& r, const Runs& runs,
                            std::uint32_t cap, const std::function<bool()>& stop) {
  PageScan out;
  const std::uint64_t chunks_per_page = r.page / KernelReader::kChunk;
  const std::uint64_t per_run = std::max<std::uint64_t>(1, KernelReader::kBatch / chunks_per_page);
  std::vector<KernelReader::Chunk> chunks;
  for (auto [begin, end] : runs) {
    for (std::uint64_t first = begin; first < end; first += per_run) {
      if (stop && stop()) {
        out.stopped = true;
        return out;
      }
      const std::uint64_t n = std::min(per_run, end - first);
      chunks.assign(n * chunks_per_page, {});
      for (std::uint64_t i = 0; i < n * chunks_per_page; ++i) {
        const std::uint64_t off = (first * chunks_per_page + i) * KernelReader::kChunk;
        chunks[i].kaddr = r.kern_vm_start + static_cast<std::uint32_t>(r.user_vm_start + off);
        chunks[i].len = KernelReader::kChunk;
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

// The programs that use map `map_id`: their BTF and the 64-bit immediates
// of their translated instructions.
struct ProgRefs {
  std::uint32_t btf_id = 0;
  std::vector<std::uint64_t> imms;
};

std::optional<ProgRefs> prog_refs(std::uint32_t prog_id, std::uint32_t map_id) {
  Fd fd(bpf_prog_get_fd_by_id(prog_id));
  if (!fd.valid()) return std::nullopt;
  bpf_prog_info info{};
  std::uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0 || info.nr_map_ids == 0)
    return std::nullopt;
  std::vector<std::uint32_t> maps(info.nr_map_ids);
  std::vector<bpf_insn> insns(info.xlated_prog_len / sizeof(bpf_insn));
  bpf_prog_info again{};
  again.nr_map_ids = static_cast<std::uint32_t>(maps.size());
  again.map_ids = reinterpret_cast<std::uintptr_t>(maps.data());
  again.xlated_prog_len = static_cast<std::uint32_t>(insns.size() * sizeof(bpf_insn));
  again.xlated_prog_insns = reinterpret_cast<std::uintptr_t>(insns.data());
  len = sizeof again;
  if (bpf_obj_get_info_by_fd(fd.get(), &again, &len) != 0) return std::nullopt;
  maps.resize(std::min<std::size_t>(maps.size(), again.nr_map_ids));
  if (std::find(maps.begin(), maps.end(), map_id) == maps.end()) return std::nullopt;
  ProgRefs out{info.btf_id, {}};
  const std::size_t n =
      std::min<std::size_t>(insns.size(), again.xlated_prog_len / sizeof(bpf_insn));
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (insns[i].code != (BPF_LD | BPF_DW | BPF_IMM)) continue;
    out.imms.push_back(static_cast<std::uint32_t>(insns[i].imm) |
                       std::uint64_t{static_cast<std::uint32_t>(insns[i + 1].imm)} << 32);
    ++i;
  }
  return out;
}

struct Globals {
  std::uint32_t btf_id = 0, datasec = 0;
  std::uint64_t base = 0, size = 0;  // arena offset and bytes of the section
};

std::uint32_t arena_datasec(const struct btf* b, std::uint64_t& size) {
  const int id = btf__find_by_name_kind(b, kArenaSection, BTF_KIND_DATASEC);
  if (id <= 0) return 0;
  size = btf__type_by_id(b, static_cast<std::uint32_t>(id))->size;
  return static_cast<std::uint32_t>(id);
}

// Where the object's arena globals are, or why that is unknown (an empty
// result with no note: the object has none).
std::optional<Globals> locate_globals(const MapInfo& info, const ArenaRange& r, ReadContext& ctx,
                                      std::string& note) {
  std::vector<std::uint32_t> seen;
  for (std::uint32_t id = 0; bpf_prog_get_next_id(id, &id) == 0;) {
    auto p = prog_refs(id, info.id);
    if (!p || p->btf_id == 0) continue;
    if (!ctx.btfs.by_id(p->btf_id)) continue;
    Globals g{p->btf_id, 0, 0, 0};
    g.datasec = arena_datasec(ctx.btfs.raw(p->btf_id), g.size);
    if (g.datasec == 0 || g.size == 0) continue;
    std::vector<std::uint64_t> offs;
    const std::uint64_t span = r.user_vm_end - r.user_vm_start;
    for (std::uint64_t imm : p->imms)
      if (imm >= r.user_vm_start && imm < r.user_vm_end) offs.push_back(imm - r.user_vm_start);
    if (offs.empty()) {
      if (std::find(seen.begin(), seen.end(), p->btf_id) == seen.end()) seen.push_back(p->btf_id);
      continue;
    }
    const std::uint64_t rounded = (g.size + r.page - 1) / r.page * r.page;
    std::vector<std::uint64_t> fits;
    for (std::uint64_t base : {std::uint64_t{0}, span >= rounded ? span - rounded : 0}) {
      if (std::find(fits.begin(), fits.end(), base) != fits.end()) continue;
      if (std::all_of(offs.begin(), offs.end(),
                      [&](std::uint64_t o) { return o >= base && o < base + g.size; }))
        fits.push_back(base);
    }
    if (fits.size() == 1) {
      g.base = fits.front();
      return g;
    }
    note = fmt::format(
        "__arena globals ({}, {} bytes, BTF {}) not rendered: the instructions of the object's "
        "programs do not say whether libbpf placed them at the arena's start or its end",
        kArenaSection, g.size, g.btf_id);
    return std::nullopt;
  }
  if (!seen.empty())
    note = fmt::format(
        "__arena globals ({} in BTF {}) not rendered: no program instruction refers to them, so "
        "where libbpf placed them is unknown",
        kArenaSection, seen.front());
  return std::nullopt;
}

// The section's bytes from the captured pages; a page not captured reads as
// zeros (an arena page that was never allocated is zero when first touched).
std::vector<std::uint8_t> section_bytes(const ArenaRange& r, const std::vector<ArenaPage>& pages,
                                        const Globals& g) {
  std::vector<std::uint8_t> out(g.size, 0);
  const std::uint64_t lo = r.user_vm_start + g.base, hi = lo + g.size;
  for (const ArenaPage& p : pages) {
    const std::uint64_t a = std::max(lo, p.user_addr);
    const std::uint64_t b = std::min(hi, p.user_addr + p.bytes.size());
    if (a < b) std::memcpy(out.data() + (a - lo), p.bytes.data() + (a - p.user_addr), b - a);
  }
  return out;
}

void add_error(FailureDumpMap& m, const std::string& e) {
  m.error = m.error ? *m.error + "; " + e : e;
}

}  // namespace

void read_arena(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  ArenaSnapshot a;
  a.declared_pages = info.max_entries;
  a.user_vm_start = info.map_extra;
  m.arena = a;
  auto layout = arena_layout(ctx.btfs.vmlinux_btf());
  if (!layout) {
    m.error =
        "arena pages and __arena globals are not read: vmlinux BTF does not describe "
        "struct bpf_arena and struct vm_struct as scxsnap expects";
    return;
  }
  auto kr = KernelReader::create(fd);
  if (!kr) {
    if (kr.error().code() == ErrorCode::NotFound) {
      m.error =
          "the arena has no pages: it was never mapped and has no fixed address "
          "(map_extra), so nothing could allocate one";
      return;
    }
    m.error = "arena pages and __arena globals are not read: " + kr.error().message();
    return;
  }
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  auto range = arena_range(*kr, *layout, page);
  if (!range) {
    m.error = "arena pages and __arena globals are not read: " + range.error().message();
    return;
  }
  m.arena->user_vm_start = range->user_vm_start;
  m.arena->kern_vm_start = range->kern_vm_start;
  auto scan = scan_pages(*kr, *range, candidate_pages(*kr, *layout, range->pages()), ctx.entry_cap,
                         [&] { return ctx.stopped(); });
  if (!scan) {
    m.error = "arena pages are not read: " + scan.error().message();
    return;
  }
  ctx.stats.entries += scan->pages.size();
  if (scan->capped) {
    m.arena->truncated = true;
    add_error(m, fmt::format("entry cap reached: captured {} arena pages, the first of {} "
                             "pages looked at (--max-entries {})",
                             scan->pages.size(), scan->scanned, ctx.entry_cap));
  }
  if (scan->stopped) {
    m.arena->span_capped = true;
    add_error(m, fmt::format("capture stopped ({}) after looking at {} of the arena's {} pages",
                             ctx.stop_reason ? ctx.stop_reason() : std::string("stop requested"),
                             scan->scanned, range->pages()));
  }
  m.arena->pages = std::move(scan->pages);
  std::string note;
  if (auto g = locate_globals(info, *range, ctx, note)) {
    auto renderer = ctx.btfs.by_id(g->btf_id);
    if (renderer) {
      auto bytes = section_bytes(*range, m.arena->pages, *g);
      // Pointers in the globals are followed into this arena's pages first.
      RenderLimits lim = ctx.limits;
      if (auto own = arena_pointers::follower({&*m.arena})) {
        lim.follow_pointer = [own, outer = ctx.limits.follow_pointer](std::uint64_t addr,
                                                                      std::uint32_t size) {
          PointerTarget t = own(addr, size);
          return t.arena || !outer ? t : outer(addr, size);
        };
      }
      map_contents::CutLog cut;
      m.value =
          map_contents::value_tree(bytes, map_contents::Side{*renderer, g->datasec}, lim, cut);
      if (m.btf_id == 0) m.btf_id = g->btf_id;
      ctx.stats.values_truncated += cut.values;
      if (cut.values) add_error(m, map_contents::cut_error(cut, ctx.limits.max_value_bytes));
      if (cut.stopped) add_error(m, "capture stopped while rendering the __arena globals");
      if (scan->capped || scan->stopped)
        add_error(m, "__arena globals on pages not captured read as zeros");
    } else {
      add_error(m, "__arena globals not rendered: " + renderer.error().message());
    }
  } else if (!note.empty()) {
    add_error(m, note);
  }
}

Result<std::vector<ArenaPage>> arena_pages(int fd, ArenaScan how) {
  std::unique_ptr<struct btf, void (*)(struct btf*)> vmlinux(btf__load_vmlinux_btf(), btf__free);
  auto layout = arena_layout(vmlinux.get());
  if (!layout) return make_error(ErrorCode::Unsupported, "no arena layout in vmlinux BTF");
  SCXSNAP_TRY(KernelReader kr, KernelReader::create(fd));
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  SCXSNAP_TRY(ArenaRange range, arena_range(kr, *layout, page));
  Runs runs{{0, range.pages()}};
  if (how == ArenaScan::FreeTree) {
    auto tree = tree_pages(kr, *layout, range.pages());
    if (!tree)
      return make_error(ErrorCode::Unsupported, "the arena's free-range tree could not be read");
    runs = std::move(*tree);
  }
  SCXSNAP_TRY(PageScan scan, scan_pages(kr, range, runs, 0, {}));
  return std::move(scan.pages);
}

}  // namespace scxsnap::capture_detail
