// SPDX-License-Identifier: Apache-2.0
#include "tape_file.hpp"

#include "scxsnap/output_file.hpp"

#include <fmt/format.h>
#include <fstream>
#include <zstd.h>

namespace scxsnap::capture_detail::tape {
namespace {

// A tape decompresses to at most this much: a reader never grows without bound.
constexpr std::uint64_t kMaxTapeBytes = std::uint64_t{4} << 30;
constexpr int kLevel = 9;

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string hex(std::string_view bytes) {
  return hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::optional<std::string> unhex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::string out(text.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

struct Writer::Impl {
  explicit Impl(OutputFile f) : file(std::move(f)), cctx(ZSTD_createCCtx()) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  OutputFile file;
  ZSTD_CCtx* cctx = nullptr;
  std::string out;  // compressed bytes not yet written
  std::optional<Error> error;
  ~Impl() { ZSTD_freeCCtx(cctx); }
  void feed(std::string_view text, ZSTD_EndDirective how) {
    if (error) return;
    ZSTD_inBuffer in{text.data(), text.size(), 0};
    std::size_t left = 0;
    do {
      const std::size_t room = ZSTD_CStreamOutSize();
      const std::size_t at = out.size();
      out.resize(at + room);
      ZSTD_outBuffer ob{out.data() + at, room, 0};
      left = ZSTD_compressStream2(cctx, &ob, &in, how);
      out.resize(at + ob.pos);
      if (ZSTD_isError(left)) {
        error =
            Error(ErrorCode::Io, fmt::format("compressing the tape: {}", ZSTD_getErrorName(left)));
        return;
      }
    } while (how == ZSTD_e_end ? left != 0 : in.pos < in.size);
    if (out.size() >= (std::size_t{1} << 20) || how == ZSTD_e_end) {
      if (auto r = file.write(out); !r) error = r.error();
      out.clear();
    }
  }
};

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Writer::~Writer() = default;

Result<std::unique_ptr<Writer>> Writer::create(const std::filesystem::path& path) {
  SCXSNAP_TRY(OutputFile f, OutputFile::create(path));
  auto impl = std::make_unique<Impl>(std::move(f));
  if (!impl->cctx) return Error(ErrorCode::Internal, "cannot create a zstd context");
  ZSTD_CCtx_setParameter(impl->cctx, ZSTD_c_compressionLevel, kLevel);
  auto w = std::unique_ptr<Writer>(new Writer(std::move(impl)));
  w->impl_->feed(fmt::format("{{\"tape\":\"{}\",\"version\":{}}}\n", kMagic, kVersion),
                 ZSTD_e_continue);
  return w;
}

void Writer::line(std::string_view call, std::string_view args_json, std::string_view ans_json) {
  std::string l =
      fmt::format("{{\"call\":\"{}\",\"args\":{},\"ans\":{}}}\n", call, args_json, ans_json);
  impl_->feed(l, ZSTD_e_continue);
}

Result<void> Writer::finish() {
  impl_->feed({}, ZSTD_e_end);
  if (impl_->error) return *impl_->error;
  return impl_->file.commit();
}

Result<Contents> read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::NotFound, fmt::format("cannot open the tape {}", path.string()));
  std::string packed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A tape written by hand (or cut down for a test) may be plain JSON lines.
  if (!packed.empty() && packed[0] == '{') return parse_lines(path, packed);
  // Decompressed as a stream, bounded: a tape says nothing trusted about its size.
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) return Error(ErrorCode::Internal, "cannot create a zstd context");
  std::string text;
  ZSTD_inBuffer ib{packed.data(), packed.size(), 0};
  std::size_t last = 0;
  while (ib.pos < ib.size) {
    const std::size_t room = ZSTD_DStreamOutSize();
    const std::size_t at = text.size();
    text.resize(at + room);
    ZSTD_outBuffer ob{text.data() + at, room, 0};
    last = ZSTD_decompressStream(dctx, &ob, &ib);
    text.resize(at + ob.pos);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(dctx);
      return Error(ErrorCode::BadInput, fmt::format("{}: not a kernel tape (zstd: {})",
                                                    path.string(), ZSTD_getErrorName(last)));
    }
    if (text.size() > kMaxTapeBytes) {
      ZSTD_freeDCtx(dctx);
      return Error(ErrorCode::BadInput,
                   fmt::format("{}: the tape decompresses to more than {} bytes", path.string(),
                               kMaxTapeBytes));
    }
  }
  ZSTD_freeDCtx(dctx);
  if (last != 0)
    return Error(
        ErrorCode::BadInput,
        fmt::format("{}: the tape is truncated (its zstd frame does not end)", path.string()));
  return parse_lines(path, text);
}

Result<Contents> parse_lines(const std::filesystem::path& path, std::string_view text) {
  Contents c;
  std::size_t lineno = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineno;
    if (l.empty()) continue;
    auto bad = [&](std::string_view why) {
      return Error(ErrorCode::BadInput, fmt::format("{}: line {}: {}", path.string(), lineno, why));
    };
    auto v = parse_json(l);
    if (!v) return bad(v.error().message());
    if (lineno == 1) {
      const JsonValue* magic = v->find("tape");
      const JsonValue* version = v->find("version");
      if (!magic || !magic->is_string() || magic->text() != kMagic)
        return bad("not a kernel tape (no \"tape\":\"scxsnap kernel tape\" header)");
      if (!version || version->as_u64() != kVersion)
        return bad(fmt::format("tape version {} is not supported (this build reads {})",
                               version ? version->text() : "?", kVersion));
      c.header = std::move(*v);
      continue;
    }
    const JsonValue* call = v->find("call");
    const JsonValue* args = v->find("args");
    const JsonValue* ans = v->find("ans");
    if (!call || !call->is_string() || !args || !args->is_array() || !ans || !ans->is_object())
      return bad("a call line needs \"call\" (string), \"args\" (array) and \"ans\" (object)");
    c.lines.push_back(Line{call->text(), to_json_text(*args), *ans});
  }
  if (lineno == 0) return Error(ErrorCode::BadInput, fmt::format("{}: empty tape", path.string()));
  return c;
}

}  // namespace scxsnap::capture_detail::tape
