// SPDX-License-Identifier: Apache-2.0
// Reading reports from files and writing outputs atomically.
#include "file_error.hpp"
#include "mapped_file.hpp"
#include "report/guard.hpp"
#include "report/report_reader.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/report.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace scxsnap {

namespace {
// Files at least this large are read in pieces (see parse_report_streaming).
constexpr std::size_t kStreamingThreshold = std::size_t{32} << 20;
// The model of a report takes at least this much memory per byte of its JSON
// (1.08x measured for entry-heavy reports, up to 2x for one huge value of
// small scalars): a file refused with it surely would not fit.
constexpr double kModelBytesPerFileByte = 1.15;

std::uint64_t mem_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;  // unknown
}

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1u << 30));
}
}  // namespace

namespace {

// Read the whole file into a padded buffer (simdjson needs padding past the end).
Result<simdjson::padded_string> read_padded(const std::filesystem::path& path) {
  const bool in = path == "-";
  const std::string name = in ? std::string("<stdin>") : path.string();
  int fd = in ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return detail::file_error("cannot open", path, errno);
  auto done = [&] {
    if (!in) ::close(fd);  // NOLINT(bugprone-unused-return-value): read-only
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    done();
    return detail::file_error("cannot stat", path, e);
  }
  if (S_ISDIR(st.st_mode)) {
    done();
    return Error(ErrorCode::BadInput, fmt::format("cannot read {}: is a directory", name));
  }
  // Read to EOF: a FIFO or pipe (`show <(cat f)`) has no size, and a file
  // may grow while it is read; st_size is only a first guess. A stream is
  // bounded: its first byte must open a JSON document, and it may not grow
  // past what this machine could hold as a report (/dev/urandom, /dev/zero
  // end at once instead of filling memory).
  const bool regular = S_ISREG(st.st_mode);
  const std::uint64_t avail = mem_available();
  const std::uint64_t cap = regular || avail == 0 ? UINT64_MAX : avail / 2;
  std::string data;
  data.resize(regular ? static_cast<std::size_t>(st.st_size) + 1 : 1 << 16);
  std::size_t got = 0;
  bool opened = regular;  // a stream's first non-blank byte seen
  while (true) {
    if (got == data.size()) data.resize(data.size() * 2);
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      done();
      return detail::file_error("cannot read", path, e);
    }
    if (n == 0) break;
    if (!opened) {
      for (std::size_t k = got; k < got + static_cast<std::size_t>(n); ++k) {
        const auto c = static_cast<unsigned char>(data[k]);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        if (c != '{' && c != '[') {
          done();
          return Error(ErrorCode::BadInput,
                       fmt::format("{}: not JSON: byte {} is 0x{:02x}, where a document opens "
                                   "with '{{'",
                                   name, k, c));
        }
        opened = true;
        break;
      }
    }
    got += static_cast<std::size_t>(n);
    if (got > cap) {
      done();
      return Error(ErrorCode::BadInput,
                   fmt::format("{}: the stream passed {} bytes, half of this machine's available "
                               "memory, and has not ended: not a report this machine can hold",
                               name, got));
    }
  }
  done();
  return simdjson::padded_string(std::string_view(data.data(), got));
}

}  // namespace

Result<std::string> read_text_file(const std::filesystem::path& path) {
  SCXSNAP_TRY(simdjson::padded_string buf, read_padded(path));
  return std::string(buf.data(), buf.size());
}

// Parse a large file piecewise from a read-only mapping, dropping the pages
// already parsed; nullopt when the file is small or anything looks off (the
// caller then parses the whole document and reports the exact error).
std::optional<FailureDumpReport> load_streaming(const std::filesystem::path& path,
                                                std::string* why) {
  auto file = detail::MappedFile::open(path, kStreamingThreshold);
  if (!file) return std::nullopt;
  return detail::parse_report_streaming(
      file->text(), [&](std::size_t upto) { file->consumed(upto); }, why);
}

Result<FailureDumpReport> load_report(const std::filesystem::path& path) {
  return detail::guarded("reading a report", [&]() -> Result<FailureDumpReport> {
    struct stat st {};
    const bool large = path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
                       static_cast<std::size_t>(st.st_size) >= kStreamingThreshold;
    if (large) {
      // Say at once when the model cannot fit, instead of after filling memory.
      const auto size = static_cast<std::uint64_t>(st.st_size);
      const auto need =
          static_cast<std::uint64_t>(static_cast<double>(size) * kModelBytesPerFileByte);
      const std::uint64_t avail = mem_available();
      if (avail != 0 && need > avail)
        return Error(ErrorCode::BadInput,
                     fmt::format("{}: the report is {} and loading it takes about {} of memory; {} "
                                 "is available: capture less (--map, --obj, --max-entries, "
                                 "--max-value-bytes) or load it on a larger machine",
                                 path.string(), gib(size), gib(need), gib(avail)));
    }
    std::string why;
    if (auto streamed = load_streaming(path, &why)) return std::move(*streamed);
    if (!why.empty()) return Error(ErrorCode::BadInput, path.string() + ": " + why);
    if (large && static_cast<std::size_t>(st.st_size) > detail::kWholeParseMax)
      return Error(ErrorCode::BadInput,
                   fmt::format("{}: the piecewise reader cannot read this {} file (it is not a "
                               "well-formed report); it is too large to parse whole just to locate "
                               "the error: check it with a JSON validator",
                               path.string(), gib(static_cast<std::uint64_t>(st.st_size))));
    SCXSNAP_TRY(simdjson::padded_string buf, read_padded(path));
    Result<FailureDumpReport> r = detail::parse_report_padded(buf);
    if (!r) return r.error().with_context(path == "-" ? std::string("<stdin>") : path.string());
    return r;
  });
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view contents,
                               FileMode mode) {
  SCXSNAP_TRY(OutputFile f, OutputFile::create(path, mode));
  SCXSNAP_TRY_VOID(f.write(contents));
  return f.commit();
}

}  // namespace scxsnap
