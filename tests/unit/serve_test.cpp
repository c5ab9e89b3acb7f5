// `scxsnap serve` as a process, answering from the committed kernel tape (no
// root): /healthz, /metrics (what `scxsnap metrics` writes), /snapshot (what
// `capture` writes, JSON streamed or native), the token, the rate limit, the
// socket's mode, bad and hostile requests, and a clean stop on SIGTERM.
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace scxsnap;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

std::string tape() {
  return std::string(SCXSNAP_TEST_DATA) + "/tapes/objects.tape";
}

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.data(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

struct Reply {
  int status = 0;
  std::string head, body;
};

// The body of a chunked response.
std::string unchunk(std::string_view b) {
  std::string out;
  while (!b.empty()) {
    const auto eol = b.find("\r\n");
    if (eol == std::string_view::npos) break;
    const std::size_t n = std::stoul(std::string(b.substr(0, eol)), nullptr, 16);
    if (n == 0) break;
    out += b.substr(eol + 2, n);
    b.remove_prefix(eol + 2 + n + 2);
  }
  return out;
}

// One request on its own connection ("Connection: close"), the whole reply.
Reply request(const std::string& sock, const std::string& text) {
  Reply r;
  const int fd = connect_unix(sock);
  if (fd < 0) return r;
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::send(fd, text.data() + off, text.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const auto end = all.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  r.head = all.substr(0, end);
  r.body = all.substr(end + 4);
  if (r.head.size() > 12) r.status = std::atoi(r.head.c_str() + 9);
  if (r.head.find("Transfer-Encoding: chunked") != std::string::npos) r.body = unchunk(r.body);
  return r;
}

Reply get(const std::string& sock, const std::string& path, const std::string& extra = "") {
  return request(
      sock, "GET " + path + " HTTP/1.1\r\nHost: scxsnap\r\nConnection: close\r\n" + extra + "\r\n");
}

// A serve process, stopped (SIGTERM) when destroyed.
class Served {
 public:
  Served(const std::string& dir, std::vector<std::string> extra)
      : sock_(dir + "/s.sock"), log_(dir + "/log") {
    std::vector<std::string> args = {SCXSNAP_CLI,       "serve", "--listen", "unix:" + sock_,
                                     "--replay-kernel", tape(),  "--obj",    "cc"};
    if (std::find(extra.begin(), extra.end(), "--timeout-s") == extra.end())
      extra.insert(extra.end(), {"--timeout-s", "2"});
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      const int err = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 500 && !up(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~Served() { (void)stop(); }
  bool up() const {
    const int fd = connect_unix(sock_);
    if (fd >= 0) ::close(fd);
    return fd >= 0;
  }
  // SIGTERM; the exit status.
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  const std::string& sock() const { return sock_; }
  std::string log() const { return slurp(log_); }

 private:
  std::string sock_, log_;
  pid_t pid_ = -1;
};

std::string without_duration(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with("scx_capture_duration_seconds ")) out += line + "\n";
  return out;
}

TEST(Serve, AnswersHealthzMetricsAndSnapshotsAndStopsCleanly) {
  TempDir dir;
  Served s(dir.path(), {});
  ASSERT_TRUE(s.up()) << s.log();
  struct stat st {};
  ASSERT_EQ(::stat(s.sock().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Reply h = get(s.sock(), "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");

  Reply m = get(s.sock(), "/metrics");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_THAT(m.head, HasSubstr("text/plain; version=0.0.4"));
  auto direct = run_cli({"metrics", "--replay-kernel", tape(), "--obj", "cc"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(without_duration(m.body), without_duration(direct.out));
  EXPECT_THAT(m.body, HasSubstr("var=\"nr_cong_avoid\""));

  Reply j = get(s.sock(), "/snapshot?format=json&obj=cc");
  ASSERT_EQ(j.status, 200) << j.body;
  auto served = parse_report(j.body);
  ASSERT_TRUE(served.has_value()) << served.error().message();
  auto cap = run_cli(
      {"capture", "--replay-kernel", tape(), "--obj", "cc", "-q", "-o", dir.path() + "/c.json"});
  ASSERT_EQ(cap.exit_code, 0) << cap.err;
  auto captured = load_dump_file(dir.path() + "/c.json");
  ASSERT_TRUE(captured.has_value());
  EXPECT_EQ(served->maps, std::get<FailureDumpReport>(*captured).maps);

  Reply n = get(s.sock(), "/snapshot?format=native&obj=cc");
  ASSERT_EQ(n.status, 200);
  spit(dir.path() + "/n.scxsnap", n.body);
  auto native = load_any_dump(dir.path() + "/n.scxsnap");
  ASSERT_TRUE(native.has_value()) << native.error().message();
  EXPECT_EQ(std::get<FailureDumpReport>(*native).maps.size(), served->maps.size());

  EXPECT_EQ(get(s.sock(), "/nothing").status, 404);
  EXPECT_EQ(get(s.sock(), "/snapshot?format=xml").status, 400);
  EXPECT_EQ(get(s.sock(), "/snapshot?map_id=x1").status, 400);
  EXPECT_EQ(get(s.sock(), "/snapshot?bogus=1").status, 400);
  EXPECT_EQ(
      request(s.sock(),
              "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
          .status,
      405);

  const int status = s.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/s.sock"));
  // One line a request.
  const std::string log = s.log();
  EXPECT_THAT(log, HasSubstr("GET /healthz 200"));
  EXPECT_THAT(log, HasSubstr("GET /metrics 200"));
  EXPECT_THAT(log, HasSubstr("POST /metrics 405"));
}

TEST(Serve, ATokenIsNeededWholeAndTheRateLimitHolds) {
  TempDir dir;
  const std::string token = "0123456789abcdef0123456789abcdef";
  spit(dir.path() + "/token", token + "\n");
  ::chmod((dir.path() + "/token").c_str(), 0600);
  Served s(dir.path(),
           {"--token-file", dir.path() + "/token", "--snapshots-per-minute", "1", "-q"});
  ASSERT_TRUE(s.up()) << s.log();
  EXPECT_EQ(get(s.sock(), "/metrics").status, 401);
  EXPECT_EQ(get(s.sock(), "/metrics", "Authorization: Bearer wrong\r\n").status, 401);
  EXPECT_EQ(
      get(s.sock(), "/metrics", "Authorization: Bearer " + token.substr(0, 31) + "\r\n").status,
      401);
  EXPECT_EQ(get(s.sock(), "/metrics", "Authorization: Bearer " + token + "x\r\n").status, 401);
  EXPECT_EQ(get(s.sock(), "/metrics", "Authorization: Bearer " + token + "\r\n").status, 200);
  EXPECT_EQ(get(s.sock(), "/healthz").status, 200);  // health needs no token
  const std::string auth = "Authorization: Bearer " + token + "\r\n";
  EXPECT_EQ(get(s.sock(), "/snapshot?obj=cc", auth).status, 200);
  EXPECT_EQ(get(s.sock(), "/snapshot?obj=cc", auth).status, 429);

  // A token file others can read is refused before anything listens.
  ::chmod((dir.path() + "/token").c_str(), 0644);
  auto r = run_cli({"serve", "--listen", "unix:" + dir.path() + "/t.sock", "--replay-kernel",
                    tape(), "--token-file", dir.path() + "/token"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("readable by every user"));
  auto open = run_cli({"serve", "--listen", "0.0.0.0:9", "--replay-kernel", tape()});
  EXPECT_NE(open.exit_code, 0);
  EXPECT_THAT(open.err, HasSubstr("beyond loopback"));
}

TEST(Serve, HostileClientsGetAnswersAndTheServerLives) {
  TempDir dir;
  Served s(dir.path(), {"--threads", "4", "--timeout-s", "1", "-q"});
  ASSERT_TRUE(s.up()) << s.log();
  // A header past the server's limit.
  const Reply big = get(s.sock(), "/healthz", "X-Big: " + std::string(20000, 'a') + "\r\n");
  EXPECT_TRUE(big.status == 0 || big.status >= 400) << big.status;
  // Slow clients hold a connection without finishing their request: they
  // are cut at the deadline, and others are served meanwhile.
  std::vector<int> slow;
  for (int i = 0; i < 8; ++i) {
    const int fd = connect_unix(s.sock());
    ASSERT_GE(fd, 0);
    (void)::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  EXPECT_EQ(get(s.sock(), "/healthz").status, 200);
  for (int fd : slow) ::close(fd);
  // Many connections at once: each answered in turn, none crashes it.
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 4096);
  ::setrlimit(RLIMIT_NOFILE, &lim);
  // (Connecting never blocks the test: a reader drains replies meanwhile.)
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::vector<int> many;
  for (int i = 0; i < 1000; ++i) {
    const int fd = connect_unix(s.sock());
    if (fd < 0) break;
    (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    many.push_back(fd);
  }
  EXPECT_EQ(many.size(), 1000u);
  int ok = 0;
  for (int fd : many) {
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0 && std::string_view(buf, static_cast<std::size_t>(n)).starts_with("HTTP/1.1 200"))
      ++ok;
    ::close(fd);
  }
  EXPECT_EQ(ok, 1000);                               // served in turn by the workers
  EXPECT_EQ(get(s.sock(), "/healthz").status, 200);  // still serving
  const int status = s.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace

#include "../../tools/scxsnap/serve_query.hpp"

namespace {

using scxsnap::cli::parse_snapshot_query;

TEST(ServeQuery, DecodesRepeatsAndRefusesWhatItDoesNotKnow) {
  auto q = parse_snapshot_query(
      "/snapshot?format=native&obj=scx%5Flavd&obj=a+b&map=m&map_id=42&map_id=7");
  ASSERT_TRUE(q.has_value()) << q.error().message();
  EXPECT_EQ(q->format, "native");
  EXPECT_EQ(q->objs, (std::vector<std::string>{"scx_lavd", "a b"}));
  EXPECT_EQ(q->maps, (std::vector<std::string>{"m"}));
  EXPECT_EQ(q->map_ids, (std::vector<std::uint32_t>{42, 7}));
  EXPECT_EQ(parse_snapshot_query("/snapshot")->format, "json");
  for (const char* bad :
       {"/snapshot?format=xml", "/snapshot?format=json&format=json", "/snapshot?map_id=0",
        "/snapshot?map_id=4294967296", "/snapshot?map_id=1x", "/snapshot?obj=%4",
        "/snapshot?obj=%zz", "/snapshot?obj=", "/snapshot?bogus=1"}) {
    auto r = parse_snapshot_query(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_FALSE(r.error().message().empty());
    }
  }
  std::string many = "/snapshot?";
  for (std::size_t i = 0; i <= scxsnap::cli::kMaxQueryValues; ++i) many += "obj=o&";
  EXPECT_FALSE(parse_snapshot_query(many).has_value());
}

}  // namespace
