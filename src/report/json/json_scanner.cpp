// SPDX-License-Identifier: Apache-2.0
// The byte-level JSON scanner (json_scanner.hpp).
#include "json_scanner.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace scxsnap::detail {
namespace {

// A byte class table for the scanner: which bytes matter when skipping a value.
enum : std::uint8_t { kPlain = 0, kQuote = 1, kOpen = 2, kClose = 3 };
constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> c{};
  c['"'] = kQuote;
  c['{'] = kOpen;
  c['['] = kOpen;
  c['}'] = kClose;
  c[']'] = kClose;
  return c;
}
constexpr std::array<std::uint8_t, 256> kClass = make_classes();

// Containers at least this large are remembered by a ScanMemo.
constexpr std::size_t kMemoMinBytes = std::size_t{64} << 10;

// A scan with drop_behind drops the pages behind it every this many bytes.
constexpr std::size_t kDropEvery = std::size_t{8} << 20;

struct Memo {
  const char* begin = nullptr;
  const char* end = nullptr;
  bool drop_behind = false;
  const char* next_drop = nullptr;  // a scan passing this drops the pages behind it
  const char* dropped_to = nullptr;
  std::unordered_map<const char*, const char*> ends;  // '{' or '[' -> just past its close
  std::vector<const char*> open;                      // the scan's open containers
};
thread_local Memo* t_memo = nullptr;

Memo* memo_for(std::string_view t) {
  Memo* m = t_memo;
  return m && t.data() >= m->begin && t.data() + t.size() <= m->end ? m : nullptr;
}

// A pass over the text (a scan, an array's elements, an object's members)
// starts at `at`: going over text again, it drops behind itself from there.
void pass_begins(Memo* m, const char* at) {
  if (!m || !m->drop_behind || at >= m->dropped_to) return;
  m->dropped_to = at;
  m->next_drop = at + kDropEvery;
}

// A pass has reached `at`: past the next mark, drop the whole pages from the
// last drop to here. Clean pages of a private file mapping: whoever reads
// them again gets them back from the page cache, unchanged. (Touching one
// byte maps a whole page-cache folio, which can be megabytes: even a walk
// that skips from element to element makes a file resident.)
inline void pass_reaches(Memo* m, const char* at) {
  if (!m || at < m->next_drop) return;
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  auto misalign = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p) % page; };
  const char* from = m->dropped_to + (page - misalign(m->dropped_to)) % page;
  const char* to = at - misalign(at);
  if (to > from)
    ::madvise(const_cast<char*>(from), static_cast<std::size_t>(to - from), MADV_DONTNEED);
  m->dropped_to = at;
  m->next_drop = at + kDropEvery;
}

}  // namespace

ScanMemo::ScanMemo(std::string_view text, bool drop_behind) {
  if (!t_memo)
    t_memo = new Memo{text.data(),
                      text.data() + text.size(),
                      drop_behind,
                      // without drop_behind the mark is never reached
                      drop_behind ? text.data() + kDropEvery : text.data() + text.size() + 1,
                      text.data(),
                      {},
                      {}};
}
ScanMemo::~ScanMemo() {
  delete t_memo;
  t_memo = nullptr;
}

namespace {

// The scalar scanner: from `k`, with the given state, to the end of the
// container that is `depth` deep (or of the string when depth is 0).
std::optional<std::size_t> scan_scalar(std::string_view t, std::size_t k, bool in_string,
                                       std::size_t depth, std::size_t skip) {
  for (; k < t.size(); ++k) {
    if (k == skip) continue;
    const char c = t[k];
    if (in_string) {
      if (c == '\\') {
        skip = k + 1;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return k + 1;
      }
      continue;
    }
    switch (kClass[static_cast<unsigned char>(c)]) {
      case kQuote:
        in_string = true;
        break;
      case kOpen:
        ++depth;
        break;
      case kClose:
        if (--depth == 0) return k + 1;
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

// The same, 16 bytes at a time: a block without a quote, backslash or
// bracket is skipped whole, and inside one only those bytes are visited.
// This scanner runs over every byte of a large file once or more before
// simdjson sees any of it, so it is worth the intrinsics (SSE2 is part of
// x86-64; other targets use the scalar loop).
std::optional<std::size_t> scan(std::string_view t, std::size_t k, bool in_string,
                                std::size_t depth) {
  std::size_t skip = static_cast<std::size_t>(-1);  // the byte after a backslash
  Memo* memo = memo_for(t);
  if (memo) {
    memo->open.clear();
    if (depth == 1) memo->open.push_back(t.data() + k - 1);
    pass_begins(memo, t.data() + k);
  }
  // A container closes at `pos`: remember it when large.
  auto closed = [&](std::size_t pos) {
    if (!memo || memo->open.empty()) return;
    const char* start = memo->open.back();
    memo->open.pop_back();
    if (static_cast<std::size_t>(t.data() + pos - start) >= kMemoMinBytes)
      memo->ends.emplace(start, t.data() + pos + 1);
  };
#if defined(__SSE2__)
  const char* base = t.data();
  const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
  const __m128i open1 = _mm_set1_epi8('{'), open2 = _mm_set1_epi8('[');
  const __m128i close1 = _mm_set1_epi8('}'), close2 = _mm_set1_epi8(']');
  while (k + 16 <= t.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + k));
    auto bits = [&](__m128i c) {
      return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, c)));
    };
    const unsigned q = bits(quote), bs = bits(slash);
    const unsigned op = bits(open1) | bits(open2), cl = bits(close1) | bits(close2);
    unsigned all = q | bs | op | cl;
    while (all) {
      const unsigned j = static_cast<unsigned>(__builtin_ctz(all));
      all &= all - 1;
      const std::size_t pos = k + j;
      if (pos == skip) continue;
      const unsigned bit = 1u << j;
      if (in_string) {
        if (bs & bit) {
          skip = pos + 1;
        } else if (q & bit) {
          in_string = false;
          if (depth == 0) return pos + 1;
        }
      } else if (q & bit) {
        in_string = true;
      } else if (op & bit) {
        ++depth;
        if (memo) memo->open.push_back(base + pos);
      } else if (cl & bit) {
        closed(pos);
        if (--depth == 0) return pos + 1;
      }
    }
    k += 16;
    pass_reaches(memo, base + k);
  }
#endif
  if (memo) {
    // The scalar tail is short: it does not record.
    memo->open.clear();
  }
  return scan_scalar(t, k, in_string, depth, skip);
}

}  // namespace

// Index just past the string starting at `i` ('"').
std::optional<std::size_t> string_end(std::string_view t, std::size_t i) {
  return scan(t, i + 1, true, 0);
}

// Index just past the JSON value starting at `i` (strings and nesting aware).
std::optional<std::size_t> value_end(std::string_view t, std::size_t i) {
  if (i >= t.size()) return std::nullopt;
  char c = t[i];
  if (c == '"') return string_end(t, i);
  if (c == '{' || c == '[') {
    if (Memo* m = memo_for(t)) {
      auto it = m->ends.find(t.data() + i);
      if (it != m->ends.end() && it->second <= t.data() + t.size())
        return static_cast<std::size_t>(it->second - t.data());
    }
    return scan(t, i + 1, false, 1);
  }
  std::size_t k = i;
  while (k < t.size() && t[k] != ',' && t[k] != '}' && t[k] != ']' &&
         !std::isspace(static_cast<unsigned char>(t[k])))
    ++k;
  return k;
}

std::size_t skip_ws(std::string_view t, std::size_t i) {
  while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
  return i;
}

// Element ranges of the array starting at `i` ('['); `end` gets the index past ']'.
std::optional<Ranges> array_elements(std::string_view t, std::size_t i, std::size_t* end) {
  Ranges out;
  if (i >= t.size() || t[i] != '[') return std::nullopt;
  Memo* memo = memo_for(t);
  pass_begins(memo, t.data() + i);
  i = skip_ws(t, i + 1);
  if (i < t.size() && t[i] == ']') {
    if (end) *end = i + 1;
    return out;
  }
  while (true) {
    auto e = value_end(t, i);
    if (!e) return std::nullopt;
    out.emplace_back(i, *e);
    pass_reaches(memo, t.data() + *e);
    i = skip_ws(t, *e);
    if (i < t.size() && t[i] == ',') {
      i = skip_ws(t, i + 1);
      continue;
    }
    if (i < t.size() && t[i] == ']') {
      if (end) *end = i + 1;
      return out;
    }
    return std::nullopt;
  }
}

// Members of the object starting at `i` ('{'); array members named in
// `split` are walked element by element (one pass) instead of skipped.
std::optional<std::vector<Member>> object_members(std::string_view t, std::size_t i,
                                                  std::span<const std::string_view> split) {
  std::vector<Member> out;
  i = skip_ws(t, i);
  if (i >= t.size() || t[i] != '{') return std::nullopt;
  Memo* memo = memo_for(t);
  pass_begins(memo, t.data() + i);
  i = skip_ws(t, i + 1);
  if (i < t.size() && t[i] == '}') return out;
  while (true) {
    if (i >= t.size() || t[i] != '"') return std::nullopt;
    auto ke = string_end(t, i);
    if (!ke) return std::nullopt;
    std::string_view key = t.substr(i + 1, *ke - i - 2);
    i = skip_ws(t, *ke);
    if (i >= t.size() || t[i] != ':') return std::nullopt;
    i = skip_ws(t, i + 1);
    Member m{key, i, 0, std::nullopt};
    if (i < t.size() && t[i] == '[' && std::find(split.begin(), split.end(), key) != split.end()) {
      std::size_t e = 0;
      m.elements = array_elements(t, i, &e);
      if (!m.elements) return std::nullopt;
      m.value_end = e;
    } else {
      auto ve = value_end(t, i);
      if (!ve) return std::nullopt;
      m.value_end = *ve;
    }
    pass_reaches(memo, t.data() + m.value_end);
    i = skip_ws(t, m.value_end);
    out.push_back(std::move(m));
    if (i < t.size() && t[i] == ',') {
      i = skip_ws(t, i + 1);
      continue;
    }
    if (i < t.size() && t[i] == '}') return out;
    return std::nullopt;
  }
}

}  // namespace scxsnap::detail
