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

struct PageScan {
  std::vector<ArenaPage> pages;
  std::uint64_t scanned = 0;  // pages looked at
  bool capped = false;        // the entry cap stopped it
  bool stopped = false;       // the deadline or a signal stopped it
};

Result<PageScan> scan_pages(KernelReader& kr, const ArenaRange& r, ReadContext& ctx) {
  PageScan out;
  const std::uint64_t chunks_per_page = r.page / KernelReader::kChunk;
  const std::uint64_t per_run = std::max<std::uint64_t>(1, KernelReader::kBatch / chunks_per_page);
  std::vector<KernelReader::Chunk> chunks;
  const std::uint64_t total = r.pages();
  for (std::uint64_t first = 0; first < total; first += per_run) {
    if (ctx.stopped()) {
      out.stopped = true;
      return out;
    }
    const std::uint64_t n = std::min(per_run, total - first);
    chunks.assign(n * chunks_per_page, {});
    for (std::uint64_t i = 0; i < n * chunks_per_page; ++i) {
      const std::uint64_t off = (first * chunks_per_page + i) * KernelReader::kChunk;
      chunks[i].kaddr = r.kern_vm_start + static_cast<std::uint32_t>(r.user_vm_start + off);
      chunks[i].len = KernelReader::kChunk;
    }
    SCXSNAP_TRY_VOID(kr.read(chunks));
    for (std::uint64_t p = 0; p < n; ++p) {
      auto* c = chunks.data() + p * chunks_per_page;
      if (!std::all_of(c, c + chunks_per_page, [](const auto& x) { return x.rc == 0; })) continue;
      if (ctx.entry_cap && out.pages.size() >= ctx.entry_cap) {
        out.capped = true;
        out.scanned = first + p;
        return out;
      }
      ArenaPage page;
      page.user_addr = r.user_vm_start + (first + p) * r.page;
      page.bytes.reserve(r.page);
      for (std::uint64_t i = 0; i < chunks_per_page; ++i)
        page.bytes.insert(page.bytes.end(), c[i].bytes.begin(), c[i].bytes.end());
      out.pages.push_back(std::move(page));
    }
    out.scanned = first + n;
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
  const std::size_t n = std::min<std::size_t>(insns.size(), again.xlated_prog_len / sizeof(bpf_insn));
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
    if (a < b)
      std::memcpy(out.data() + (a - lo), p.bytes.data() + (a - p.user_addr), b - a);
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
    m.error = "arena pages and __arena globals are not read: vmlinux BTF does not describe "
              "struct bpf_arena and struct vm_struct as scxsnap expects";
    return;
  }
  auto kr = KernelReader::create(fd);
  if (!kr) {
    if (kr.error().code() == ErrorCode::NotFound) {
      m.error = "the arena has no pages: it was never mapped and has no fixed address "
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
  auto scan = scan_pages(*kr, *range, ctx);
  if (!scan) {
    m.error = "arena pages are not read: " + scan.error().message();
    return;
  }
  ctx.stats.entries += scan->pages.size();
  if (scan->capped) {
    m.arena->truncated = true;
    add_error(m, fmt::format("entry cap reached: captured {} arena pages, the first of {} "
                             "scanned pages (--max-entries {})",
                             scan->pages.size(), scan->scanned, ctx.entry_cap));
  }
  if (scan->stopped) {
    m.arena->span_capped = true;
    add_error(m, fmt::format("capture stopped ({}) after scanning {} of the arena's {} pages",
                             ctx.stop_reason ? ctx.stop_reason() : std::string("stop requested"),
                             scan->scanned, range->pages()));
  }
  std::string note;
  if (auto g = locate_globals(info, *range, ctx, note)) {
    auto renderer = ctx.btfs.by_id(g->btf_id);
    if (renderer) {
      auto bytes = section_bytes(*range, scan->pages, *g);
      map_contents::CutLog cut;
      m.value = map_contents::value_tree(bytes, map_contents::Side{*renderer, g->datasec},
                                         ctx.limits, cut);
      if (m.btf_id == 0) m.btf_id = g->btf_id;
      ctx.stats.values_truncated += cut.values;
      if (cut.values) add_error(m, map_contents::cut_error(cut, ctx.limits.max_value_bytes));
      if (cut.stopped) add_error(m, "capture stopped while rendering the __arena globals");
      if (scan->capped || scan->stopped)
        add_error(m, "__arena globals on pages not captured read as zeros");
    }
  } else if (!note.empty()) {
    add_error(m, note);
  }
  m.arena->pages = std::move(scan->pages);
}

}  // namespace scxsnap::capture_detail
