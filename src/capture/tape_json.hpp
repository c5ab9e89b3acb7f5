// SPDX-License-Identifier: Apache-2.0
// The JSON of a tape's lines (docs/TAPE.md): builders for a call's arguments
// and answer, and one description per record kind (map info, program, dir
// listing) that both the recorder and the replayer use.
#pragma once

#include "kernel_source.hpp"
#include "report/json/json_writer.hpp"
#include "scxsnap/json_value.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::capture_detail::tape {

/// A call's arguments: a JSON array, in the order the call takes them.
class Args {
 public:
  Args() { w_.begin_array(); }
  Args& u64(std::uint64_t v) {
    w_.value_u64(v);
    return *this;
  }
  Args& i64(std::int64_t v) {
    w_.value_i64(v);
    return *this;
  }
  Args& boolean(bool v) {
    w_.value_bool(v);
    return *this;
  }
  Args& str(std::string_view v) {
    w_.value_string(v);
    return *this;
  }
  Args& bytes(std::span<const std::uint8_t> b);
  Args& null() {
    w_.value_null();
    return *this;
  }
  /// The canonical text (as a replayer keys it).
  std::string text();

 private:
  std::string s_;
  detail::JsonWriter w_{s_};
};

/// A call's answer: a JSON object.
class Answer {
 public:
  Answer() { w_.begin_object(); }
  Answer& u64(std::string_view k, std::uint64_t v) {
    w_.field_u64(k, v);
    return *this;
  }
  Answer& i64(std::string_view k, std::int64_t v) {
    w_.field_i64(k, v);
    return *this;
  }
  Answer& boolean(std::string_view k, bool v) {
    w_.field_bool(k, v);
    return *this;
  }
  Answer& str(std::string_view k, std::string_view v) {
    w_.field_string(k, v);
    return *this;
  }
  Answer& bytes(std::string_view k, std::span<const std::uint8_t> b);
  Answer& u32s(std::string_view k, const std::vector<std::uint32_t>& v);
  Answer& u64s(std::string_view k, const std::vector<std::uint64_t>& v);
  detail::JsonWriter& writer() { return w_; }
  std::string text() {
    w_.end_object();
    return std::move(s_);
  }

 private:
  std::string s_;
  detail::JsonWriter w_{s_};
};

/// `[map id, key or null]`: the arguments of a keyed map call (a lookup
/// without a key peeks at a queue's head; a next-key walk starts without one).
std::string keyed_args(std::uint32_t map_id, const void* key, std::size_t key_size);
/// `[map id, cursor or null, room]`: a batch lookup's arguments.
std::string batch_args(std::uint32_t map_id, const void* cursor, std::size_t cursor_size,
                       std::uint32_t room);

void put_map_info(Answer& a, const bpf_map_info& info);
void put_prog(Answer& a, const ProgRecord& p);
void put_entries(Answer& a, const std::vector<DirEntry>& entries);

// Reading an answer back; nullopt: the field is absent or of the wrong kind.
std::optional<std::int64_t> get_i64(const JsonValue& ans, std::string_view k);
std::optional<std::uint64_t> get_u64(const JsonValue& ans, std::string_view k);
std::optional<std::string> get_str(const JsonValue& ans, std::string_view k);
std::optional<std::string> get_bytes(const JsonValue& ans, std::string_view k);
std::optional<bpf_map_info> get_map_info(const JsonValue& ans);
std::optional<ProgRecord> get_prog(const JsonValue& ans);
std::optional<std::vector<DirEntry>> get_entries(const JsonValue& ans);
std::vector<std::uint64_t> get_u64s(const JsonValue& ans, std::string_view k);

}  // namespace scxsnap::capture_detail::tape
