// SPDX-License-Identifier: Apache-2.0
// SnapshotError: every way a Snapshot lookup can fail, one payload struct per
// variant (named as ktstr names them), with ktstr's Display text word for
// word, equality, hashing and externally tagged JSON.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/json_value.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace scxsnap {

/// A map the active filter's whitelist kept out of view.
struct SCXSNAP_API ExcludedMap {
  std::string name;
  std::uint64_t map_kva = 0;  ///< 0 = not recorded
  std::uint32_t map_id = 0;   ///< scxsnap addition (host captures); skipped in JSON when 0
  friend bool operator==(const ExcludedMap&, const ExcludedMap&) = default;
};

/// Why a sample carries no scheduler stats.
struct SCXSNAP_API MissingStatsReason {
  enum class Kind {
    NoSchedulerBinary,
    NoScheduler,
    DuringFreeze,
    Cancelled,
    SchedulerError,
    MissingResp,
    RequestTooLarge,
    ResponseTooLarge,
    MutexPoisoned,
  };
  Kind kind = Kind::NoSchedulerBinary;
  std::string reason;       ///< NoScheduler
  std::int32_t err_no = 0;  ///< SchedulerError ("errno" in JSON)
  JsonValue args;           ///< SchedulerError, MissingResp
  std::uint64_t size = 0;   ///< RequestTooLarge, ResponseTooLarge
  std::uint64_t max = 0;    ///< RequestTooLarge, ResponseTooLarge

  std::string message() const;
  friend bool operator==(const MissingStatsReason&, const MissingStatsReason&) = default;
};

namespace errors {

struct SCXSNAP_API MapNotFound {
  std::string requested;
  std::vector<std::string> available;
  friend bool operator==(const MapNotFound&, const MapNotFound&) = default;
};
struct SCXSNAP_API VarNotFound {
  std::string requested;
  std::vector<std::string> available;
  friend bool operator==(const VarNotFound&, const VarNotFound&) = default;
};
struct SCXSNAP_API AmbiguousVar {
  std::string requested;
  std::vector<std::string> found_in;
  friend bool operator==(const AmbiguousVar&, const AmbiguousVar&) = default;
};
struct SCXSNAP_API FieldNotFound {
  std::string requested, walked, component;
  std::vector<std::string> available;
  friend bool operator==(const FieldNotFound&, const FieldNotFound&) = default;
};
struct SCXSNAP_API NotAStruct {
  std::string requested, walked, component, kind;
  friend bool operator==(const NotAStruct&, const NotAStruct&) = default;
};
struct SCXSNAP_API TypeMismatch {
  std::string expected, actual, requested;
  friend bool operator==(const TypeMismatch&, const TypeMismatch&) = default;
};
struct SCXSNAP_API IndexOutOfRange {
  std::string map;
  std::uint64_t index = 0;
  std::uint64_t len = 0;
  friend bool operator==(const IndexOutOfRange&, const IndexOutOfRange&) = default;
};
struct SCXSNAP_API PerCpuSlot {
  std::string map;
  std::uint32_t cpu = 0;
  std::uint64_t len = 0;
  bool unmapped = false;
  friend bool operator==(const PerCpuSlot&, const PerCpuSlot&) = default;
};
struct SCXSNAP_API NoMatch {
  std::string map, op;
  std::uint64_t len = 0;
  std::vector<std::string> available_keys;
  friend bool operator==(const NoMatch&, const NoMatch&) = default;
};
struct SCXSNAP_API EmptyPathComponent {
  std::string requested;
  friend bool operator==(const EmptyPathComponent&, const EmptyPathComponent&) = default;
};
struct SCXSNAP_API PerCpuNotNarrowed {
  std::string map;
  friend bool operator==(const PerCpuNotNarrowed&, const PerCpuNotNarrowed&) = default;
};
struct SCXSNAP_API NoRendered {
  std::string map, side;
  friend bool operator==(const NoRendered&, const NoRendered&) = default;
};
struct SCXSNAP_API PlaceholderSample {
  std::string tag, reason;
  friend bool operator==(const PlaceholderSample&, const PlaceholderSample&) = default;
};
struct SCXSNAP_API MissingStats {
  std::string tag;
  MissingStatsReason reason;
  friend bool operator==(const MissingStats&, const MissingStats&) = default;
};
struct SCXSNAP_API HostFieldUnavailable {
  std::string tag;
  std::uint32_t cpu = 0;
  friend bool operator==(const HostFieldUnavailable&, const HostFieldUnavailable&) = default;
};
struct SCXSNAP_API PlaceholderSnapshot {
  std::optional<std::string> tag;
  friend bool operator==(const PlaceholderSnapshot&, const PlaceholderSnapshot&) = default;
};
struct SCXSNAP_API NoActiveScheduler {
  std::string reason;
  friend bool operator==(const NoActiveScheduler&, const NoActiveScheduler&) = default;
};
struct SCXSNAP_API ActiveFilterExcludedMaps {
  std::string requested, active_obj;
  std::vector<ExcludedMap> excluded_maps;
  std::vector<std::uint64_t> whitelist_kvas;
  friend bool operator==(const ActiveFilterExcludedMaps&,
                         const ActiveFilterExcludedMaps&) = default;
};
struct SCXSNAP_API WalkerDriftedWithinPhase {
  JsonValue phase;  ///< ktstr's Phase, kept as JSON
  std::vector<std::uint64_t> pinned_kvas, sample_kvas;
  std::string requested;
  friend bool operator==(const WalkerDriftedWithinPhase&,
                         const WalkerDriftedWithinPhase&) = default;
};
struct SCXSNAP_API ProjectionFailed {
  std::string reason;
  friend bool operator==(const ProjectionFailed&, const ProjectionFailed&) = default;
};
struct SCXSNAP_API MapRenderIncomplete {
  std::string map, error;
  friend bool operator==(const MapRenderIncomplete&, const MapRenderIncomplete&) = default;
};

}  // namespace errors

class SCXSNAP_API SnapshotError {
 public:
  using Payload = std::variant<
      errors::MapNotFound, errors::VarNotFound, errors::AmbiguousVar, errors::FieldNotFound,
      errors::NotAStruct, errors::TypeMismatch, errors::IndexOutOfRange, errors::PerCpuSlot,
      errors::NoMatch, errors::EmptyPathComponent, errors::PerCpuNotNarrowed, errors::NoRendered,
      errors::PlaceholderSample, errors::MissingStats, errors::HostFieldUnavailable,
      errors::PlaceholderSnapshot, errors::NoActiveScheduler, errors::ActiveFilterExcludedMaps,
      errors::WalkerDriftedWithinPhase, errors::ProjectionFailed, errors::MapRenderIncomplete>;

  // Implicit from a payload; the requires-clause keeps copy and move intact.
  template <class V>
  requires(!std::is_same_v<std::remove_cvref_t<V>, SnapshotError> &&
           std::is_constructible_v<Payload, V>)
      // NOLINTNEXTLINE(bugprone-forwarding-reference-overload, google-explicit-constructor)
      SnapshotError(V&& v)
      : payload_(std::forward<V>(v)) {}

  template <class V>
  bool is() const {
    return std::holds_alternative<V>(payload_);
  }
  template <class V>
  const V* get_if() const {
    return std::get_if<V>(&payload_);
  }
  const Payload& payload() const { return payload_; }
  /// The variant's name ("VarNotFound").
  std::string_view variant_name() const;
  /// ktstr's Display text.
  std::string message() const;

  /// Externally tagged JSON: {"VarNotFound":{"requested":…,"available":[…]}}.
  std::string to_json() const;
  static Result<SnapshotError> from_json(std::string_view json);

  friend bool operator==(const SnapshotError& a, const SnapshotError& b) {
    return a.payload_ == b.payload_;
  }
  std::size_t hash() const;

 private:
  Payload payload_;
};

/// Result of a Snapshot operation; g++ 12 warns when one is discarded.
template <class T>
class [[nodiscard]] SnapshotResult : public std::expected<T, SnapshotError> {
 public:
  using std::expected<T, SnapshotError>::expected;
  SnapshotResult(SnapshotError e)  // NOLINT(google-explicit-constructor)
      : std::expected<T, SnapshotError>(std::unexpect, std::move(e)) {}
};

}  // namespace scxsnap

template <>
struct std::hash<scxsnap::SnapshotError> {
  std::size_t operator()(const scxsnap::SnapshotError& e) const noexcept { return e.hash(); }
};
