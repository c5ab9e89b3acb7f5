// Property: any report read -> write -> read is the identity, and the text
// written is the text read, in both serde_json float eras, compact and
// pretty, as a single report and inside dual and degraded dumps. Reports are
// generated at random (fixed seeds: failures reproduce) from every
// RenderedValue kind, every map content field and the host-context lists.
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"

#include <cctype>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <limits>
#include <random>

namespace scxsnap::detail {
extern std::size_t g_piecewise_value_threshold;
}  // namespace scxsnap::detail

using namespace scxsnap;

namespace {

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(std::uint64_t seed) : rng(seed) {}
  std::uint64_t u(std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(0, hi)(rng);
  }
  bool coin() { return u(1) == 1; }
  std::uint64_t any_u64() {
    switch (u(3)) {
      case 0:
        return u(10);
      case 1:
        return std::numeric_limits<std::uint64_t>::max() - u(3);
      case 2:
        return (std::uint64_t{1} << 53) + u(5);
      default:
        return rng();
    }
  }
  std::string name() {
    static const char* const kNames[] = {"nr", "ctx", "weight", "é_utf8", "q\"uote", "tab\t", "x"};
    return kNames[u(6)];
  }
  double finite_double() {
    for (;;) {
      std::uint64_t bits = rng();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      if (std::isfinite(d))
        return coin() ? d : static_cast<double>(static_cast<std::int64_t>(u(1000000))) / 8;
    }
  }
  std::string hex(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += fmt::format("{}{:02x}", i ? " " : "", u(255));
    return s;
  }
  RenderedValue value(int depth) {
    int kinds = depth > 3 ? 7 : 13;
    switch (u(static_cast<std::uint64_t>(kinds - 1))) {
      case 0:
        return RenderedValue::make_int(32, static_cast<std::int64_t>(rng()));
      case 1:
        return RenderedValue::make_uint(64, any_u64());
      case 2:
        return RenderedValue::make_bool(coin());
      case 3:
        return RenderedValue::make_char(static_cast<std::uint8_t>(u(255)));
      case 4:
        return RenderedValue::make_float(64, finite_double());
      case 5:
        return RenderedValue::make_enum(
            32, static_cast<std::int64_t>(u(5)),
            coin() ? std::optional<std::string_view>("MODE_A") : std::nullopt, coin());
      case 6:
        return RenderedValue::make_bytes(hex(u(6)));
      case 7: {
        std::vector<RenderedMember> m;
        for (std::uint64_t i = 0, n = u(3); i < n; ++i) m.emplace_back(name(), value(depth + 1));
        return RenderedValue::make_struct(
            coin() ? std::optional<std::string_view>("s") : std::nullopt, std::move(m));
      }
      case 8: {
        std::vector<RenderedValue> e;
        for (std::uint64_t i = 0, n = u(3); i < n; ++i) e.push_back(value(depth + 1));
        return RenderedValue::make_array(e.size() + u(2), std::move(e));
      }
      case 9:
        return RenderedValue::make_cpu_list(coin() ? "0-3,7" : "");
      case 10:
        return RenderedValue::make_ptr(
            any_u64(), coin() ? std::optional<RenderedValue>(value(depth + 1)) : std::nullopt,
            coin() ? std::optional<std::string>("not chased") : std::nullopt,
            coin() ? std::optional<std::string>("cast") : std::nullopt);
      case 11:
        return RenderedValue::make_truncated(u(64) + 8, u(8), value(depth + 1));
      default:
        return RenderedValue::make_unsupported("no BTF");
    }
  }
  FailureDumpMap map() {
    FailureDumpMap m;
    m.name = coin() ? "obj.bss" : "stats_" + std::to_string(u(99));
    m.map_kva = coin() ? any_u64() : 0;
    m.map_id = static_cast<std::uint32_t>(u(1000));
    m.btf_id = static_cast<std::uint32_t>(u(3));
    m.map_type = static_cast<std::uint32_t>(u(33));
    m.value_size = static_cast<std::uint32_t>(u(4096));
    m.max_entries = static_cast<std::uint32_t>(u(100000));
    switch (u(5)) {
      case 0:
        m.value = value(0);
        break;
      case 1:
        for (std::uint64_t i = 0, n = u(3) + 1; i < n; ++i)
          m.entries.push_back({coin() ? std::optional<RenderedValue>(value(1)) : std::nullopt,
                               hex(4),
                               coin() ? std::optional<RenderedValue>(value(1)) : std::nullopt,
                               hex(u(8)), std::nullopt});
        break;
      case 2:
        for (std::uint32_t i = 0; i < u(3) + 1; ++i)
          m.array_entries.push_back(
              {i, coin() ? std::optional<RenderedValue>(value(1)) : std::nullopt});
        break;
      case 3: {
        FailureDumpPercpuEntry e;
        e.key = static_cast<std::uint32_t>(u(9));
        for (int c = 0; c < 3; ++c)
          e.per_cpu.push_back(coin() ? std::optional<RenderedValue>(value(2)) : std::nullopt);
        m.percpu_entries.push_back(std::move(e));
        break;
      }
      case 4:
        m.ringbuf = FailureDumpRingbuf{4096, u(100), u(200), u(300), u(50)};
        break;
      default:
        m.error = "lookup failed: \"quoted\"\n";
        break;
    }
    return m;
  }
  FailureDumpReport report() {
    FailureDumpReport r;
    for (std::uint64_t i = 0, n = u(4); i < n; ++i) r.maps.push_back(map());
    if (coin()) r.active_obj_name = "obj";
    if (coin()) r.active_map_kvas = {any_u64(), any_u64()};
    if (coin()) r.dump_truncated_at_us = any_u64();
    if (coin()) {
      PerCpuTimeStats c;
      c.cpu = 1;
      c.cpustat_user_ns = any_u64();
      c.softirqs.assign(kNrSoftirqs, 0);
      c.softirqs[3] = any_u64();
      r.per_cpu_time.push_back(c);
    }
    if (coin()) r.prog_runtime_stats.push_back({"enqueue", any_u64(), any_u64(), u(3)});
    if (coin()) r.sdt_alloc_unavailable = "arena not read";
    return r;
  }
};

// How many documents showed each era's exponent: the property must have met both.
int g_zmij_exponents = 0, g_ryu_exponents = 0;

void check_round_trip(const FailureDumpFile& f, const std::string& what) {
  for (FloatStyle fs : {FloatStyle::Zmij, FloatStyle::Ryu}) {
    FailureDumpFile g = f;
    std::visit(
        [&](auto& d) {
          using T = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<T, FailureDumpReport>)
            d.float_style = fs;
          else if constexpr (std::is_same_v<T, DualFailureDumpReport>) {
            d.late.float_style = fs;
            if (d.early) d.early->float_style = fs;
          } else
            d.float_style = fs;
        },
        g);
    for (JsonStyle js : {JsonStyle::Compact, JsonStyle::Pretty}) {
      std::string text = to_json(g, js);
      if (text.find("e+") != std::string::npos) ++g_zmij_exponents;
      for (std::size_t e = text.find('e'); e != std::string::npos; e = text.find('e', e + 1))
        if (e > 0 && std::isdigit(static_cast<unsigned char>(text[e - 1])) && e + 1 < text.size() &&
            std::isdigit(static_cast<unsigned char>(text[e + 1]))) {
          ++g_ryu_exponents;
          break;
        }
      auto back = parse_dump_file(text);
      ASSERT_TRUE(back.has_value()) << what << ": " << back.error().message() << "\n" << text;
      std::string again = to_json(*back, js);
      ASSERT_EQ(again, text) << what;
      // The model survives too (a document without an exponent reads as zmij).
      ASSERT_EQ(to_json(*back, JsonStyle::Compact), to_json(g, JsonStyle::Compact)) << what;
      // The streaming converter (a file, read piece by piece) writes the same,
      // in either output style.
      static TempDir dir;
      spit(dir.path() + "/in.json", text);
      for (JsonStyle out : {JsonStyle::Compact, JsonStyle::Pretty}) {
        auto c = convert_dump_file(dir.path() + "/in.json", dir.path() + "/out.json", out);
        ASSERT_TRUE(c.has_value()) << what << ": " << c.error().message();
        ASSERT_EQ(slurp(dir.path() + "/out.json"), to_json(*back, out)) << what;
      }
    }
  }
}

TEST(ReportProperty, ReadWriteReadIsTheIdentityForRandomDumps) {
  const std::size_t saved = detail::g_piecewise_value_threshold;
#ifdef SCXSNAP_SANITIZED
  constexpr std::uint64_t kSeeds = 100;  // the sanitizers look at every access of each
#else
  constexpr std::uint64_t kSeeds = 300;
#endif
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    // Every other seed, every value is converted member by member.
    detail::g_piecewise_value_threshold = seed % 2 ? 0 : saved;
    Gen g(seed);
    FailureDumpReport r = g.report();
    check_round_trip(FailureDumpFile(r), fmt::format("single, seed {}", seed));
    DualFailureDumpReport d;
    d.late = r;
    if (g.coin()) d.early = g.report();
    d.early_max_age_jiffies = g.u(3);
    if (g.coin()) d.early_skipped_reason = "scan prerequisites unavailable: rq";
    check_round_trip(FailureDumpFile(d), fmt::format("dual, seed {}", seed));
    DegradedFailureDumpReport deg;
    deg.reason = "vCPU rendezvous timed out before parked acknowledgement";
    deg.bss_latch_state = "out_of_bounds";
    if (g.coin()) deg.exit_kind = static_cast<std::uint32_t>(g.u(2000));
    deg.elapsed_ms = g.u(5);
    check_round_trip(FailureDumpFile(deg), fmt::format("degraded, seed {}", seed));
    if (HasFatalFailure()) return;
  }
  detail::g_piecewise_value_threshold = saved;
  EXPECT_GT(g_zmij_exponents, 10);
  EXPECT_GT(g_ryu_exponents, 10);
}

}  // namespace
