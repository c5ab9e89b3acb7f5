// SPDX-License-Identifier: Apache-2.0
#include "index_spill.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <type_traits>

namespace scxsnap::native {
namespace {

// Fixed-width little pieces, in this machine's byte order (the file never
// leaves the process that wrote it).
template <class T>
void put_raw(std::string& b, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  b.append(reinterpret_cast<const char*>(&v), sizeof v);
}
// A flag, then the value (or a zero one: every record of a kind has one size).
template <class T>
void put_opt(std::string& b, const std::optional<T>& v) {
  put_raw<std::uint8_t>(b, v.has_value() ? 1 : 0);
  put_raw<T>(b, v.value_or(T{}));
}
void put_frame(std::string& b, const Frame& f) {
  for (std::uint64_t v : {f.offset, f.size, f.raw_offset, f.raw_size, f.records}) put_raw(b, v);
}

class Reader {
 public:
  explicit Reader(std::FILE* f) : f_(f) {}
  template <class T>
  T raw() {
    T v{};
    if (ok_ && std::fread(&v, sizeof v, 1, f_) != 1) ok_ = false;
    return v;
  }
  template <class T>
  std::optional<T> opt() {
    const bool has = raw<std::uint8_t>() != 0;
    T v = raw<T>();
    if (!has) return std::nullopt;
    return v;
  }
  Frame frame() {
    Frame f;
    f.offset = raw<std::uint64_t>();
    f.size = raw<std::uint64_t>();
    f.raw_offset = raw<std::uint64_t>();
    f.raw_size = raw<std::uint64_t>();
    f.records = raw<std::uint64_t>();
    return f;
  }
  std::string text(std::uint32_t n) {
    std::string s(n, '\0');
    if (ok_ && n && std::fread(s.data(), 1, n, f_) != n) ok_ = false;
    return s;
  }
  bool ok() const { return ok_; }

 private:
  std::FILE* f_;
  bool ok_ = true;
};

Error spill_error(const char* what) {
  return Error(ErrorCode::Io, fmt::format("native series: {} the index spill file: {}", what,
                                          std::strerror(errno)));
}

}  // namespace

IndexSpill::~IndexSpill() {
  if (f_) std::fclose(f_);
}

Result<void> IndexSpill::put(const Sample& s, const std::vector<TypeHandles>& handles) {
  if (!f_) {
    f_ = std::tmpfile();
    if (!f_) return spill_error("cannot create");
  }
  std::string& b = buf_;
  b.clear();
  put_raw(b, static_cast<std::uint32_t>(s.tag.size()));
  b += s.tag;
  put_opt(b, s.elapsed_ms);
  put_frame(b, s.report);
  put_raw(b, static_cast<std::uint32_t>(s.maps.size()));
  for (std::size_t i = 0; i < s.maps.size(); ++i) {
    const MapIndex& m = s.maps[i];
    put_raw(b, m.shape);
    put_opt(b, m.kernel);
    for (std::uint32_t v : {m.map_id, m.key_size, m.record_size, m.key_type, m.value_type})
      put_raw(b, v);
    put_raw(b, m.records);
    put_raw(b, m.raw_size);
    put_opt(b, m.delta_of ? std::optional<std::uint64_t>(std::uint64_t{m.delta_of->first} << 32 |
                                                         m.delta_of->second)
                          : std::nullopt);
    static const TypeHandles kNone;
    const TypeHandles& h = i < handles.size() ? handles[i] : kNone;
    put_opt(b, h.first);
    put_opt(b, h.second);
    put_raw(b, static_cast<std::uint32_t>(m.frames.size()));
    for (const Frame& f : m.frames) put_frame(b, f);
  }
  if (std::fwrite(b.data(), 1, b.size(), f_) != b.size()) return spill_error("cannot write");
  ++count_;
  return {};
}

Result<void> IndexSpill::for_each(
    const std::function<Result<void>(Sample&, std::vector<TypeHandles>&)>& fn) const {
  if (!f_) return {};
  if (std::fflush(f_) != 0 || std::fseek(f_, 0, SEEK_SET) != 0) return spill_error("cannot read");
  Reader r(f_);
  Sample s;
  std::vector<TypeHandles> handles;
  for (std::uint64_t k = 0; k < count_; ++k) {
    s = Sample{};
    handles.clear();
    s.tag = r.text(r.raw<std::uint32_t>());
    s.elapsed_ms = r.opt<std::uint64_t>();
    s.report = r.frame();
    const auto nmaps = r.raw<std::uint32_t>();
    for (std::uint32_t i = 0; i < nmaps && r.ok(); ++i) {
      MapIndex& m = s.maps.emplace_back();
      m.shape = r.raw<Shape>();
      m.kernel = r.opt<KernelMapInfo>();
      m.map_id = r.raw<std::uint32_t>();
      m.key_size = r.raw<std::uint32_t>();
      m.record_size = r.raw<std::uint32_t>();
      m.key_type = r.raw<std::uint32_t>();
      m.value_type = r.raw<std::uint32_t>();
      m.records = r.raw<std::uint64_t>();
      m.raw_size = r.raw<std::uint64_t>();
      if (auto d = r.opt<std::uint64_t>())
        m.delta_of =
            std::pair{static_cast<std::uint32_t>(*d >> 32), static_cast<std::uint32_t>(*d)};
      TypeHandles h;
      h.first = r.opt<std::uint32_t>();
      h.second = r.opt<std::uint32_t>();
      handles.push_back(h);
      const auto nframes = r.raw<std::uint32_t>();
      for (std::uint32_t j = 0; j < nframes && r.ok(); ++j) m.frames.push_back(r.frame());
    }
    if (!r.ok()) return spill_error("cannot read");
    SCXSNAP_TRY_VOID(fn(s, handles));
  }
  return {};
}

}  // namespace scxsnap::native
