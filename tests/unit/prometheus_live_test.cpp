// A real Prometheus (Debian's prometheus) on loopback scrapes a real
// `scxsnap serve` every second while the test moves a loaded object's counter:
// every value Prometheus stored is one the object held, the newest is the
// object's, and irate() is what the stored samples say.
#include "bpf_fixture.hpp"
#include "cli_util.hpp"
#include "scxsnap/json_value.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <set>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace scxsnap;

namespace {

// A loopback port nobody listens on now.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

pid_t spawn(std::vector<std::string> args, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

void stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
}

// Prometheus's answer to a query, parsed; nullopt while it cannot answer.
std::optional<JsonValue> query(int port, const std::string& q) {
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/api/v1/query", httplib::Params{{"query", q}}, httplib::Headers{});
  if (!r || r->status != 200) return std::nullopt;
  auto j = parse_json(r->body);
  if (!j) return std::nullopt;
  return *j;
}

TEST(PrometheusLive, StoresWhatTheObjectHeldAndRatesItsCounter) {
  const std::string prometheus = "/usr/bin/prometheus";
  if (::access(prometheus.c_str(), X_OK) != 0)
    GTEST_SKIP() << "prometheus is not installed (Debian: prometheus)";
#ifdef SCXSNAP_SANITIZED
  // What it checks is Prometheus's view of serve's output, not memory: the
  // uninstrumented suite runs it; serve's own tests run under ASan.
  GTEST_SKIP() << "an integration with an external server: run by the uninstrumented suite";
#endif
  LoadedObject lo("globals.bpf.o");
  ASSERT_TRUE(lo.obj);
  TempDir dir;
  std::set<std::uint64_t> written;
  std::uint64_t v = 1000;
  lo.set_global(".data", "nr_events", &v, sizeof v);
  written.insert(v);

  const int serve_port = free_port(), prom_port = free_port();
  const pid_t serve = spawn({SCXSNAP_CLI, "serve", "--listen",
                             fmt::format("127.0.0.1:{}", serve_port), "--obj", "globals", "-q"},
                            dir.path() + "/serve.log");
  spit(dir.path() + "/prometheus.yml",
       fmt::format("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                   "scrape_configs:\n  - job_name: scxsnap\n    static_configs:\n"
                   "      - targets: ['127.0.0.1:{}']\n",
                   serve_port));
  const pid_t prom = spawn({prometheus, "--config.file=" + dir.path() + "/prometheus.yml",
                            "--storage.tsdb.path=" + dir.path() + "/data",
                            fmt::format("--web.listen-address=127.0.0.1:{}", prom_port)},
                           dir.path() + "/prometheus.log");
  const std::string series = "scx_global_counter_total{obj=\"globals\",var=\"nr_events\"}";
  // Prometheus has scraped once (it takes a moment to start) ...
  for (int i = 0; i < 150; ++i) {
    auto first = query(prom_port, series);
    if (first && !first->find("data")->find("result")->items().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // ... then the counter moves by 500 a second while it scrapes.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    v += 500;
    lo.set_global(".data", "nr_events", &v, sizeof v);
    written.insert(v);
  }
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1500));  // one more scrape of the last value
  auto raw = query(prom_port, series + "[30s]");
  auto now = query(prom_port, series);
  auto irate = query(prom_port, "irate(" + series + "[30s])");
  stop(prom);
  stop(serve);
  ASSERT_TRUE(raw && now && irate)
      << slurp(dir.path() + "/prometheus.log") << slurp(dir.path() + "/serve.log");

  const JsonValue* result = raw->find("data")->find("result");
  ASSERT_TRUE(result && result->items().size() == 1) << to_json_text(*raw);
  const auto& values = result->items()[0].find("values")->items();
  ASSERT_GE(values.size(), 3u);
  std::vector<std::pair<double, std::uint64_t>> samples;
  for (const auto& s : values) {
    const double t = s.items()[0].as_f64().value();
    const std::uint64_t x = std::stoull(s.items()[1].text());
    EXPECT_TRUE(written.contains(x)) << x;  // a value the object held
    if (!samples.empty()) {
      EXPECT_GE(x, samples.back().second);
    }
    samples.emplace_back(t, x);
  }
  // The newest stored value is the object's now.
  const auto& last = now->find("data")->find("result")->items()[0].find("value")->items();
  EXPECT_EQ(std::stoull(last[1].text()), v);
  // irate() is the slope of the last two stored samples.
  const auto& ir = irate->find("data")->find("result")->items()[0].find("value")->items();
  const auto [t2, x2] = samples.back();
  const auto [t1, x1] = samples[samples.size() - 2];
  const double expect = static_cast<double>(x2 - x1) / (t2 - t1);
  EXPECT_NEAR(std::stod(ir[1].text()), expect, std::max(1e-6, expect * 1e-6));
}

}  // namespace
