// SPDX-License-Identifier: Apache-2.0
// SnapshotMap: entry iteration with CPU narrowing, at/find/filter/max_by and
// the NoMatch key sample (spec §3.2).
#include "scxsnap/snapshot.hpp"

#include <fmt/format.h>
#include <limits>

namespace scxsnap {
namespace {

constexpr std::size_t kNoMatchKeySample = 3;
constexpr std::size_t kNoMatchKeyCharCap = 80;

// Which vector a map's entries come from, in ktstr's priority order; the
// multi-entry ARRAY source is scxsnap's addition and comes last.
enum class Source { PercpuArray, PercpuHash, Hash, Value, Array, None };

Source source_of(const FailureDumpMap& m) {
  if (!m.percpu_entries.empty()) return Source::PercpuArray;
  if (!m.percpu_hash_entries.empty()) return Source::PercpuHash;
  if (!m.entries.empty()) return Source::Hash;
  if (m.value) return Source::Value;
  if (!m.array_entries.empty()) return Source::Array;
  return Source::None;
}

std::size_t source_len(const FailureDumpMap& m, Source s) {
  switch (s) {
    case Source::PercpuArray:
      return m.percpu_entries.size();
    case Source::PercpuHash:
      return m.percpu_hash_entries.size();
    case Source::Hash:
      return m.entries.size();
    case Source::Value:
      return 1;
    case Source::Array:
      return m.array_entries.size();
    case Source::None:
      return 0;
  }
  return 0;
}

std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Cut to 79 characters + "…" when longer than 80 characters (never mid-character).
std::string cap_key(std::string s) {
  if (s.size() <= kNoMatchKeyCharCap || utf8_chars(s) <= kNoMatchKeyCharCap) return s;
  std::size_t chars = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == kNoMatchKeyCharCap - 1) break;
      ++chars;
    }
  }
  s.resize(i);
  s += "…";
  return s;
}

std::optional<std::string> render_entry_key(const SnapshotEntry& e) {
  const auto& v = e.variant();
  std::optional<std::string> k;
  if (const auto* h = std::get_if<SnapshotEntry::Hash>(&v))
    k = h->entry->key ? h->entry->key->display() : "hex:" + h->entry->key_hex;
  else if (const auto* ph = std::get_if<SnapshotEntry::PercpuHash>(&v))
    k = ph->entry->key ? ph->entry->key->display() : "hex:" + ph->entry->key_hex;
  else if (const auto* p = std::get_if<SnapshotEntry::Percpu>(&v))
    k = std::to_string(p->entry->key);
  else if (const auto* a = std::get_if<SnapshotEntry::Array>(&v))
    k = std::to_string(a->entry->key);
  if (!k) return std::nullopt;
  return cap_key(std::move(*k));
}

}  // namespace

std::optional<std::string_view> SnapshotMap::map_error() const {
  if (!map_->error) return std::nullopt;
  return *map_->error;
}

SnapshotMap SnapshotMap::cpu(std::size_t n) const {
  SnapshotMap m = *this;
  m.cpu_ = n;
  return m;
}

std::size_t SnapshotMap::len() const {
  return source_len(*map_, source_of(*map_));
}

SnapshotEntry SnapshotMap::entry_at(std::size_t i) const {
  auto narrow = [&](const std::vector<std::optional<RenderedValue>>& slots,
                    SnapshotEntry::Variant unnarrowed) -> SnapshotEntry {
    if (!cpu_) return SnapshotEntry(std::move(unnarrowed));
    std::size_t c = *cpu_;
    std::uint32_t c32 = c > std::numeric_limits<std::uint32_t>::max()
                            ? std::numeric_limits<std::uint32_t>::max()
                            : static_cast<std::uint32_t>(c);
    if (c >= slots.size())
      return SnapshotEntry(
          SnapshotEntry::Missing{errors::PerCpuSlot{map_->name, c32, slots.size(), false}});
    if (!slots[c])
      return SnapshotEntry(
          SnapshotEntry::Missing{errors::PerCpuSlot{map_->name, c32, slots.size(), true}});
    return SnapshotEntry(SnapshotEntry::Value{&*slots[c]});
  };
  switch (source_of(*map_)) {
    case Source::PercpuArray: {
      const auto& e = map_->percpu_entries[i];
      return narrow(e.per_cpu, SnapshotEntry::Percpu{&e});
    }
    case Source::PercpuHash: {
      const auto& e = map_->percpu_hash_entries[i];
      return narrow(e.per_cpu, SnapshotEntry::PercpuHash{&e});
    }
    case Source::Hash:
      return SnapshotEntry(SnapshotEntry::Hash{&map_->entries[i]});
    case Source::Value:
      // Source::Value is chosen only for a map with a value.
      return SnapshotEntry(
          SnapshotEntry::Value{&*map_->value});  // NOLINT(bugprone-unchecked-optional-access)
    case Source::Array:
      return SnapshotEntry(SnapshotEntry::Array{&map_->array_entries[i]});
    case Source::None:
      break;
  }
  return SnapshotEntry(SnapshotEntry::Missing{errors::IndexOutOfRange{map_->name, i, 0}});
}

void SnapshotMap::for_each(const std::function<bool(SnapshotEntry&&)>& fn) const {
  std::size_t n = len();
  for (std::size_t i = 0; i < n; ++i)
    if (!fn(entry_at(i))) return;
}

SnapshotEntry SnapshotMap::at(std::size_t n) const {
  std::size_t count = len();
  if (count == 0 && map_->error)
    return SnapshotEntry(
        SnapshotEntry::Missing{errors::MapRenderIncomplete{map_->name, *map_->error}});
  if (n >= count)
    return SnapshotEntry(SnapshotEntry::Missing{errors::IndexOutOfRange{map_->name, n, count}});
  return entry_at(n);
}

SnapshotEntry SnapshotMap::find(const std::function<bool(const SnapshotEntry&)>& pred) const {
  std::optional<SnapshotEntry> hit;
  std::uint64_t seen = 0;
  std::vector<std::string> keys;
  for_each([&](SnapshotEntry&& e) {
    if (pred(e)) {
      hit.emplace(std::move(e));
      return false;
    }
    ++seen;
    if (keys.size() < kNoMatchKeySample)
      if (auto k = render_entry_key(e)) keys.push_back(std::move(*k));
    return true;
  });
  if (hit) return std::move(*hit);
  if (seen == 0 && map_->error)
    return SnapshotEntry(
        SnapshotEntry::Missing{errors::MapRenderIncomplete{map_->name, *map_->error}});
  return SnapshotEntry(
      SnapshotEntry::Missing{errors::NoMatch{map_->name, "find", seen, std::move(keys)}});
}

std::vector<SnapshotEntry> SnapshotMap::filter(
    const std::function<bool(const SnapshotEntry&)>& pred) const {
  std::vector<SnapshotEntry> out;
  for_each([&](SnapshotEntry&& e) {
    if (pred(e)) out.push_back(std::move(e));
    return true;
  });
  return out;
}

SnapshotEntry SnapshotMap::max_by(
    const std::function<std::uint64_t(const SnapshotEntry&)>& key_fn) const {
  std::optional<SnapshotEntry> best;
  std::uint64_t best_key = 0;
  for_each([&](SnapshotEntry&& e) {
    std::uint64_t k = key_fn(e);
    if (!best || k > best_key) {  // ties keep the first
      best.emplace(std::move(e));
      best_key = k;
    }
    return true;
  });
  if (best) return std::move(*best);
  if (map_->error)
    return SnapshotEntry(
        SnapshotEntry::Missing{errors::MapRenderIncomplete{map_->name, *map_->error}});
  return SnapshotEntry(SnapshotEntry::Missing{errors::NoMatch{map_->name, "max_by", 0, {}}});
}

}  // namespace scxsnap
