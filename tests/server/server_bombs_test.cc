// Hostile clients against the live server (issue 14, resource bombs): slow-loris connections
// that trickle a request in just inside the per-read timeout, bodies that never end (chunked or
// trickled), and deeply nested JSON. Each must cost bounded time, and the server must go on
// answering others meanwhile.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;
using Clock = std::chrono::steady_clock;

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{0, 50000};  // reads below poll for the server's answer or close
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// True when the server has closed `fd` (a read returns end-of-file or an error other than a
// timeout). Whatever it sent before closing is appended to `*got`.
bool Closed(int fd, std::string* got) {
  char buf[4096];
  const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
  if (n > 0) {
    got->append(buf, static_cast<size_t>(n));
    return false;
  }
  return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

// Sends `head` and then `trickle` one byte per `gap` until the server closes the connection or
// `give_up` passes; returns how long the connection lived and what the server sent.
struct Trickled {
  std::chrono::milliseconds lived{0};
  bool closed_by_server = false;
  std::string reply;
};
Trickled Trickle(int port, const std::string& head, char trickle, std::chrono::milliseconds gap,
                 std::chrono::milliseconds give_up) {
  const int fd = Connect(port);
  const auto start = Clock::now();
  Trickled t;
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  while (Clock::now() - start < give_up) {
    if (::send(fd, &trickle, 1, MSG_NOSIGNAL) != 1 || Closed(fd, &t.reply)) {
      t.closed_by_server = true;
      break;
    }
    std::this_thread::sleep_for(gap);
  }
  t.lived = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  ::close(fd);
  return t;
}

class BombsTest : public ServerTest {
 protected:
  // Two workers, a 500 ms read timeout and a 1.5 s request deadline: a handful of slow clients
  // would take every worker if only the per-read timeout applied.
  void SetUp() override {
    ServerTest::SetUp();
    ServerConfig c = DefaultConfig();
    c.threads = 2;
    c.limits.request_timeout = std::chrono::milliseconds(1500);
    StartServer(c);
  }
};

TEST_F(BombsTest, SlowLorisHeadersAreCutOffAndOthersAreStillServed) {
  const int port = server_->port();
  std::vector<Trickled> slow(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < slow.size(); ++i) {
    threads.emplace_back([&, i] {
      // A header line that never ends, one byte every 200 ms (inside the 500 ms read timeout).
      slow[i] = Trickle(port, "GET /healthz HTTP/1.1\r\nX-Slow: ", 'a',
                        std::chrono::milliseconds(200), std::chrono::seconds(8));
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both workers are taken now
  const auto start = Clock::now();
  httplib::Client other("127.0.0.1", port);
  other.set_read_timeout(8, 0);
  auto res = other.Get("/healthz");
  const auto waited = Clock::now() - start;
  for (auto& t : threads) t.join();
  ASSERT_TRUE(res) << "the server stopped answering while slow clients held its workers";
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(waited, std::chrono::seconds(4));
  for (const Trickled& t : slow) {
    EXPECT_TRUE(t.closed_by_server) << "a slow-loris connection lived " << t.lived.count() << " ms";
    EXPECT_GE(t.lived, std::chrono::milliseconds(1200));
    EXPECT_LT(t.lived, std::chrono::milliseconds(4000));
  }
}

TEST_F(BombsTest, ATrickledBodyIsCutOffAtTheRequestDeadline) {
  // A body announced at 100 KiB (under the body limit) arriving a byte per 100 ms.
  Trickled t = Trickle(server_->port(),
                       "POST /v1/match HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                           SecretFor(Role::kIngestClient) +
                           "\r\nContent-Type: application/json\r\nContent-Length: 102400\r\n\r\n",
                       ' ', std::chrono::milliseconds(100), std::chrono::seconds(8));
  EXPECT_TRUE(t.closed_by_server);
  EXPECT_GE(t.lived, std::chrono::milliseconds(1200));
  EXPECT_LT(t.lived, std::chrono::milliseconds(4000));
}

// cpp-httplib would read a chunked body into memory whole, past the body limit, so the server
// refuses chunked bodies (411) before reading any of it.
TEST_F(BombsTest, AnEndlessChunkedBodyIsRefusedBeforeItIsRead) {
  const int fd = Connect(server_->port());
  const std::string head = "POST /v1/match HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                           SecretFor(Role::kIngestClient) +
                           "\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  const std::string chunk = "4000\r\n" + std::string(0x4000, ' ') + "\r\n";  // 16 KiB chunks
  std::string reply;
  size_t sent = 0;
  const auto start = Clock::now();
  // Up to 64 MiB, 256 times the 256 KiB limit: the server must stop reading long before.
  while (sent < (64u << 20) && Clock::now() - start < std::chrono::seconds(10)) {
    if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(chunk.size()))
      break;
    sent += chunk.size();
    if (Closed(fd, &reply) || !reply.empty()) break;
  }
  // Read until the explanation in the body has come too: headers and body may arrive in
  // separate segments.
  for (int i = 0; i < 40 && reply.find("send Content-Length") == std::string::npos; ++i) {
    if (Closed(fd, &reply)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::close(fd);
  EXPECT_LT(sent, 8u << 20) << "the server kept reading an endless body";
  EXPECT_EQ(reply.rfind("HTTP/1.1 411", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("send Content-Length"), std::string::npos);
  // And it still serves.
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

TEST_F(BombsTest, DeeplyNestedJsonIsA400InBoundedTime) {
  // 200 000 levels (under the 256 KiB body limit), balanced and unbalanced, in an object and as
  // the whole body: parsing is iterative, so none of them may exhaust the stack.
  const size_t depth = 100000;
  const std::vector<std::string> bodies = {
      std::string(depth, '[') + std::string(depth, ']'),
      "{\"signal_type\": " + std::string(depth, '[') + std::string(depth, ']') + "}",
      "{\"signal\": " + std::string(depth, '{'),
      std::string(depth / 2, '[') + std::string(depth / 2, '{'),
  };
  for (const std::string& body : bodies) {
    const auto start = Clock::now();
    auto res = PostJson("/v1/match", body, Role::kIngestClient);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  }
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

TEST(ServerConfigTest, RequestTimeoutIsConfigurableAndZeroTurnsItOff) {
  EXPECT_EQ(ServerLimits{}.request_timeout, std::chrono::milliseconds(30000));
  auto c = ParseServerConfig(R"({"limits": {"request_timeout_ms": 2500, "max_list": 7}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.request_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c->limits.max_list, 7u);
  auto off = ParseServerConfig(R"({"limits": {"request_timeout_ms": 0}})");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->limits.request_timeout.count(), 0);
  auto bad = ParseServerConfig(R"({"limits": {"request_timeout_ms": -1}})");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("limits.request_timeout_ms"), std::string::npos);
}

}  // namespace
}  // namespace vigil::server::testing
