// SPDX-License-Identifier: Apache-2.0
// A kernel tape on disk: every answer a kernel gave a capture, one JSON line
// per call, the whole zstd-compressed (docs/TAPE.md). The first line says what
// the file is; each other line is {"call":NAME,"args":[...],"ans":{...}}.
// Byte payloads (keys, values, files, BTF) are lowercase hex without spaces.
#pragma once

#include "scxsnap/json_value.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::capture_detail::tape {

inline constexpr std::string_view kMagic = "scxsnap kernel tape";
inline constexpr std::uint64_t kVersion = 1;

std::string hex(std::span<const std::uint8_t> bytes);
std::string hex(std::string_view bytes);
/// The bytes of `text` (lowercase or uppercase hex pairs), or nullopt.
std::optional<std::string> unhex(std::string_view text);

/// Writes a tape as the calls happen (compressed as it goes).
class Writer {
 public:
  static Result<std::unique_ptr<Writer>> create(const std::filesystem::path& path);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  /// One call: `args` a JSON array, `ans` a JSON object (both as text).
  void line(std::string_view call, std::string_view args_json, std::string_view ans_json);
  /// Ends the frame and commits the file (renamed into place: nothing half-written).
  Result<void> finish();

 private:
  struct Impl;
  explicit Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct Line {
  std::string call;
  std::string args;  // canonical JSON text of the args array
  JsonValue ans;
};

struct Contents {
  JsonValue header;
  std::vector<Line> lines;
};

/// Reads a whole tape (zstd-compressed, or plain JSON lines: a tape written
/// by hand); an error names the file and the line.
Result<Contents> read(const std::filesystem::path& path);
/// The lines of a tape's text.
Result<Contents> parse_lines(const std::filesystem::path& path, std::string_view text);

}  // namespace scxsnap::capture_detail::tape
