// SPDX-License-Identifier: Apache-2.0
// The kernel walk's reader, symbols and per-CPU runqueues (kernel_walk.hpp).
#include "kernel_walk.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>
#include <limits>

namespace scxsnap::capture_detail {
namespace {

// Global symbols the walkers use, looked up once.
constexpr std::array<std::string_view, 8> kSymbols = {
    "runqueues",      "scx_root",         "fair_sched_class", "rt_sched_class",
    "dl_sched_class", "idle_sched_class", "stop_sched_class", "ext_sched_class"};

}  // namespace

std::optional<std::vector<std::uint8_t>> KernelPeek::bytes(std::uint64_t kaddr, std::uint32_t len) {
  std::array<std::uint64_t, 1> one{kaddr};
  auto r = many(one, len);
  return std::move(r[0]);
}

std::vector<std::optional<std::vector<std::uint8_t>>> KernelPeek::many(
    std::span<const std::uint64_t> kaddrs, std::uint32_t len) {
  std::vector<std::optional<std::vector<std::uint8_t>>> out(kaddrs.size());
  if (len == 0) return out;
  struct Piece {
    std::size_t object;
    std::uint32_t at;
  };
  std::vector<KernelMemory::Chunk> chunks;
  std::vector<Piece> pieces;
  std::vector<bool> failed(kaddrs.size(), false);
  for (std::size_t i = 0; i < kaddrs.size(); ++i) out[i].emplace(len);
  auto flush = [&] {
    if (chunks.empty()) return;
    ++reads_;
    auto r = m_.read(chunks);
    if (!r && error_.empty()) error_ = r.error().message();
    for (std::size_t c = 0; c < chunks.size(); ++c) {
      const Piece& p = pieces[c];
      if (!r || chunks[c].rc != 0 || chunks[c].bytes.size() != chunks[c].len) {
        failed[p.object] = true;
        continue;
      }
      std::memcpy(out[p.object]->data() + p.at, chunks[c].bytes.data(), chunks[c].len);
    }
    chunks.clear();
    pieces.clear();
  };
  for (std::size_t i = 0; i < kaddrs.size(); ++i) {
    if (kaddrs[i] == 0 || kaddrs[i] > std::numeric_limits<std::uint64_t>::max() - len) {
      failed[i] = true;
      continue;
    }
    for (std::uint32_t at = 0; at < len; at += KernelMemory::kChunk) {
      KernelMemory::Chunk c;
      c.kaddr = kaddrs[i] + at;
      c.len = std::min(KernelMemory::kChunk, len - at);
      chunks.push_back(c);
      pieces.push_back({i, at});
      if (chunks.size() == KernelMemory::kBatch) flush();
    }
  }
  flush();
  for (std::size_t i = 0; i < kaddrs.size(); ++i)
    if (failed[i]) out[i].reset();
  return out;
}

std::optional<std::uint64_t> KernelPeek::word(std::uint64_t kaddr, std::uint32_t size) {
  if (size == 0 || size > 8) return std::nullopt;
  auto b = bytes(kaddr, size);
  if (!b) return std::nullopt;
  std::uint64_t v = 0;
  std::memcpy(&v, b->data(), size);  // little-endian hosts only (x86-64, arm64)
  return v;
}

Slice Slice::of(std::initializer_list<std::optional<MemberRef>> members) {
  Slice s;
  s.lo_ = std::numeric_limits<std::uint32_t>::max();
  for (const auto& m : members) {
    if (!m) continue;
    s.lo_ = std::min(s.lo_, m->offset);
    s.hi_ = std::max(s.hi_, m->offset + m->size);
  }
  if (s.hi_ == 0) s.lo_ = 0;
  return s;
}

bool Slice::read(KernelPeek& peek, std::uint64_t kva) {
  auto b = peek.bytes(kva + lo_, len());
  if (!b) return false;
  bytes_ = std::move(*b);
  return true;
}

std::uint64_t Slice::u(const std::optional<MemberRef>& m) const {
  if (!m || m->size == 0 || m->size > 8 || m->offset < lo_ ||
      m->offset - lo_ + m->size > bytes_.size())
    return 0;
  std::uint64_t v = 0;
  std::memcpy(&v, bytes_.data() + (m->offset - lo_), m->size);
  return v;
}

std::int64_t Slice::s(const std::optional<MemberRef>& m) const {
  const std::uint64_t v = u(m);
  if (!m || m->size >= 8 || m->size == 0) return static_cast<std::int64_t>(v);
  const unsigned shift = 64 - 8 * m->size;
  return static_cast<std::int64_t>(v << shift) >> shift;
}

std::string Slice::text(const std::optional<MemberRef>& m) const {
  if (!m || m->offset < lo_ || m->offset - lo_ + m->size > bytes_.size()) return {};
  const char* p = reinterpret_cast<const char*>(bytes_.data() + (m->offset - lo_));
  return std::string(p, strnlen(p, m->size));
}

Result<std::unique_ptr<KernelWalk>> KernelWalk::open(KernelSource& src, const struct btf* vmlinux) {
  if (!vmlinux) return make_error(ErrorCode::Unsupported, "no vmlinux BTF");
  const KernelTypes types(vmlinux);
  auto pptrs = types.member("bpf_array", "pptrs");
  auto rq_cpu = types.member("rq", "cpu");
  if (!pptrs || !rq_cpu)
    return make_error(ErrorCode::Unsupported,
                      "vmlinux BTF has no struct bpf_array.pptrs or struct rq.cpu");
  SCXSNAP_TRY(std::unique_ptr<KernelMemory> mem, src.kernel_memory(-1));
  std::unique_ptr<KernelWalk> w(new KernelWalk(std::move(mem), vmlinux));
  w->symbols_ = src.kernel_symbols(kSymbols);
  AnchorRequest req;
  req.pptrs_offset = pptrs->offset;
  // The running task's runqueue: task->se.cfs_rq->rq (CONFIG_FAIR_GROUP_SCHED).
  auto se_cfs_rq = types.member("task_struct", "se.cfs_rq");
  auto cfs_rq_rq = types.member("cfs_rq", "rq");
  if (se_cfs_rq && cfs_rq_rq) {
    req.chase1 = se_cfs_rq->offset;
    req.chase2 = cfs_rq_rq->offset;
  }
  SCXSNAP_TRY(KernelAnchors anchors, src.kernel_anchors(req));
  w->offsets_ = std::move(anchors.per_cpu_offsets);
  if (w->offsets_.empty() || anchors.cpu >= w->offsets_.size())
    return make_error(ErrorCode::Unsupported, "the per-CPU anchors program found no CPU");
  if (auto it = w->symbols_.find("runqueues"); it != w->symbols_.end()) {
    w->runqueues_ = it->second;
    w->runqueues_from_ = "/proc/kallsyms";
  } else if (anchors.chased2 != 0) {
    w->runqueues_ = anchors.chased2 - w->offsets_[anchors.cpu];
    w->runqueues_from_ = "the running task's cfs_rq";
  } else {
    return make_error(ErrorCode::NotFound,
                      "runqueues: not in /proc/kallsyms (a kernel without CONFIG_KALLSYMS_ALL) "
                      "and not reachable from the running task (no task_struct.se.cfs_rq and "
                      "cfs_rq.rq in BTF: CONFIG_FAIR_GROUP_SCHED off)");
  }
  // Every CPU's rq says which CPU it is: the check that the bases are right.
  std::vector<std::uint64_t> at;
  for (std::uint32_t cpu = 0; cpu < w->offsets_.size(); ++cpu)
    at.push_back(w->rq(cpu) + rq_cpu->offset);
  auto cpus = w->peek_.many(at, rq_cpu->size);
  for (std::uint32_t cpu = 0; cpu < cpus.size(); ++cpu) {
    std::uint32_t v = 0;
    if (cpus[cpu]) std::memcpy(&v, cpus[cpu]->data(), std::min<std::size_t>(4, rq_cpu->size));
    if (!cpus[cpu] || v != cpu)
      return make_error(
          ErrorCode::BadInput,
          fmt::format("runqueues (from {}) do not check out: CPU {}'s struct rq "
                      "at {:#x} {}",
                      w->runqueues_from_, cpu, w->rq(cpu),
                      cpus[cpu] ? fmt::format("says CPU {}", v) : std::string("is not readable")));
  }
  return w;
}

Result<std::vector<KernelRq>> KernelWalk::runqueues() {
  auto nr = types_.member("rq", "nr_running");
  auto curr = types_.member("rq", "curr");
  auto pid = types_.member("task_struct", "pid");
  auto comm = types_.member("task_struct", "comm");
  if (!nr || !curr || !pid || !comm)
    return make_error(ErrorCode::Unsupported,
                      "vmlinux BTF lacks struct rq.nr_running/curr or task_struct.pid/comm");
  Slice rqs = Slice::of({nr, curr});
  std::vector<std::uint64_t> at;
  for (std::uint32_t cpu = 0; cpu < offsets_.size(); ++cpu) at.push_back(rq(cpu) + rqs.lo());
  auto raw = peek_.many(at, rqs.len());
  std::vector<KernelRq> out;
  std::vector<std::uint64_t> currs;
  for (std::uint32_t cpu = 0; cpu < raw.size(); ++cpu) {
    if (!raw[cpu])
      return make_error(ErrorCode::Io, fmt::format("CPU {}'s struct rq is not readable", cpu));
    rqs.assign(std::move(*raw[cpu]));
    KernelRq k;
    k.cpu = cpu;
    k.kva = rq(cpu);
    k.nr_running = static_cast<std::uint32_t>(rqs.u(nr));
    k.curr = rqs.u(curr);
    out.push_back(k);
    currs.push_back(k.curr);
  }
  Slice task = Slice::of({pid, comm});
  for (auto& c : currs) c = c ? c + task.lo() : 0;
  auto tasks = peek_.many(currs, task.len());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (!tasks[i]) continue;  // rq->curr changed under the read, or unmapped: left unknown
    task.assign(std::move(*tasks[i]));
    out[i].curr_pid = static_cast<std::int32_t>(task.s(pid));
    out[i].curr_comm = task.text(comm);
  }
  return out;
}

}  // namespace scxsnap::capture_detail
