// SPDX-License-Identifier: Apache-2.0
// Arena pages and `__arena` globals (arena_reader.hpp).
//
// The pages: through the kernel reader, with the arithmetic of
// arena_pages.hpp.
//
// The globals: libbpf places an object's `.addr_space.1` section in the
// arena, at its start (libbpf 1.6 and later) or at its end (1.4, 1.5), and
// relocates each reference to a global into an ld_imm64 of its user address.
// The object's programs' translated instructions therefore say where the
// section is: the one placement that holds every such address.
#include "arena_reader.hpp"

#include "arena_pages.hpp"
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

// The programs that use map `map_id`: their BTF and the 64-bit immediates
// of their translated instructions.
struct ProgRefs {
  std::uint32_t btf_id = 0;
  std::vector<std::uint64_t> imms;
};

std::optional<ProgRefs> prog_refs(KernelSource& src, std::uint32_t prog_id, std::uint32_t map_id) {
  ProgRecord p;
  if (src.prog_info(prog_id, true, &p) != 0) return std::nullopt;
  if (std::find(p.map_ids.begin(), p.map_ids.end(), map_id) == p.map_ids.end()) return std::nullopt;
  return ProgRefs{p.btf_id, std::move(p.imm64s)};
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
  for (std::uint32_t id : ctx.src.prog_ids()) {
    auto p = prog_refs(ctx.src, id, info.id);
    if (!p || p->btf_id == 0) continue;
    if (!ctx.btfs.by_id(p->btf_id)) continue;
    Globals g{p->btf_id, 0, 0, 0};
    g.datasec = arena_datasec(ctx.btfs.raw(p->btf_id), g.size);
    if (g.datasec == 0 || g.size == 0) continue;
    const GlobalsPlacement at = place_globals(r, g.size, p->imms);
    if (std::holds_alternative<GlobalsUnreferenced>(at)) {
      if (std::find(seen.begin(), seen.end(), p->btf_id) == seen.end()) seen.push_back(p->btf_id);
      continue;
    }
    if (const auto* found = std::get_if<GlobalsAt>(&at)) {
      g.base = found->offset;
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
  auto kr = ctx.src.kernel_memory(fd);
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
  auto range = arena_range(**kr, *layout, page);
  if (!range) {
    m.error = "arena pages and __arena globals are not read: " + range.error().message();
    return;
  }
  m.arena->user_vm_start = range->user_vm_start;
  m.arena->kern_vm_start = range->kern_vm_start;
  auto scan = scan_pages(**kr, *range, candidate_pages(**kr, *layout, range->pages()),
                         ctx.entry_cap, [&] { return ctx.stopped(); });
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
      auto bytes = section_bytes(*range, m.arena->pages, g->base, g->size);
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
