// Limits and lifecycle of the live server: body size (413), malformed JSON (400 naming the
// field), read timeouts on stalled clients, graceful shutdown finishing a request in flight,
// and the configuration file's validation.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

// A raw loopback connection, for requests an HTTP client library will not send.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& s) {
    ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  }
  // What arrives in one read (blocks up to 5 s).
  std::string ReadSome() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  // One whole response: headers and Content-Length bytes of body (each read blocks up to 5 s).
  std::string ReadResponse() {
    std::string out;
    for (;;) {
      const size_t end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        const size_t cl = out.find("Content-Length: ");
        const size_t want = cl == std::string::npos ? 0 : std::stoul(out.substr(cl + 16));
        if (out.size() >= end + 4 + want) return out;
      }
      std::string more = ReadSome();
      if (more.empty()) return out;
      out += more;
    }
  }
  // Everything until the server closes the connection (or 5 s pass).
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

class LimitsTest : public ServerTest {};

TEST_F(LimitsTest, OversizedBodiesAre413WithAJsonError) {
  const std::string big(300 * 1024, 'x');  // the test limit is 256 KiB
  auto res = client_->Post("/v1/match", Auth(Role::kIngestClient), big, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << res->body;
  EXPECT_EQ(j["field"], "body");
  EXPECT_NE(j["message"].get<std::string>().find("262144"), std::string::npos) << res->body;
  // A body just under the limit is read and judged on its content.
  const std::string fits(200 * 1024, ' ');
  EXPECT_EQ(Json(client_->Post("/v1/match", Auth(Role::kIngestClient), fits, "application/json"),
                 400)["field"],
            "body");
  // Uploads count too.
  auto upload = PostFiles("/h/hash", {{"photo", big, "big.bmp", ""}}, Role::kIngestClient);
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 413);
}

TEST_F(LimitsTest, MalformedAndMistypedJsonNamesTheField) {
  EXPECT_EQ(Json(PostJson("/v1/match", "{\"signal_type\": ", Role::kIngestClient), 400)["field"],
            "body");
  EXPECT_EQ(Json(PostJson("/v1/match", "", Role::kIngestClient), 400)["field"], "body");
  EXPECT_EQ(Json(PostJson("/v1/match", "[]", Role::kIngestClient), 400)["field"], "body");
  EXPECT_EQ(Json(PostJson("/v1/match", R"({"signal_type": ["pdq"], "signal": "00"})",
                          Role::kIngestClient),
                 400)["field"],
            "signal_type");
  EXPECT_EQ(
      Json(PostJson("/v1/match", R"({"signal_type": "pdq"})", Role::kIngestClient), 400)["field"],
      "signal");
  EXPECT_EQ(Json(PostJson("/v1/match", R"({"signal_type": "pdq", "signal": "00", "quality": "hi"})",
                          Role::kIngestClient),
                 400)["field"],
            "quality");
  // Invalid UTF-8 inside a string is refused by the parser rather than stored.
  EXPECT_EQ(Json(PostJson("/v1/banks", "{\"name\": \"a\xff\"}", Role::kBankManager), 400)["field"],
            "body");
  // Deeply nested hostile JSON is a clear 400, not a crash.
  EXPECT_EQ(
      Json(PostJson("/v1/match", std::string(100000, '['), Role::kIngestClient), 400)["field"],
      "body");
}

TEST_F(LimitsTest, AStalledClientIsDisconnectedAfterTheReadTimeout) {
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.connected());
  conn.Send("POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"sig");
  const auto start = std::chrono::steady_clock::now();
  const std::string reply = conn.ReadResponse();  // sent when the server gives up on the body
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::seconds(4)) << "the 500 ms read timeout did not fire";
  EXPECT_GE(waited, std::chrono::milliseconds(400));
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

TEST_F(LimitsTest, StopFinishesARequestInFlight) {
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.connected());
  const std::string body = R"({"signal_type": "pdq", "signal": ")" + std::string(64, 'a') + "\"}";
  conn.Send("POST /v1/match HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
            SecretFor(Role::kIngestClient) + "\r\nContent-Type: application/json\r\n" +
            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread stopper([&] { server_->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  conn.Send(body.substr(10));
  const std::string reply = conn.ReadAll();
  stopper.join();
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find("\"matches\":[]"), std::string::npos) << reply;
  // And nothing is accepted afterwards.
  RawConnection late(server_->port());
  EXPECT_FALSE(late.connected());
}

TEST(ServerConfigTest, ParsesEveryKeyAndRefusesUnknownOrMistypedOnes) {
  auto c = ParseServerConfig(R"({"address": "0.0.0.0", "port": 9000, "database": "x.db",
      "banks": ["a", "b"], "threads": 3, "pdq_radius": 20, "min_pdq_quality": 40,
      "rules": "r.json", "auth_cache_seconds": 0, "reporting": "/etc/vigil/reporting.json",
      "bank_poll_seconds": 0,
      "evidence_dir": "/var/lib/vigil/evidence", "evidence_keys": "/etc/vigil/evidence.keys",
      "purge_interval_seconds": 3600,
      "limits": {"max_body_bytes": 1000, "read_timeout_ms": 50, "write_timeout_ms": 60,
                 "keep_alive_timeout_s": 2, "keep_alive_max_requests": 7, "max_list": 9}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->address, "0.0.0.0");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->banks, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c->threads, 3);
  EXPECT_EQ(c->pdq_radius, 20);
  EXPECT_EQ(c->limits.max_body_bytes, 1000u);
  EXPECT_EQ(c->limits.read_timeout, std::chrono::milliseconds(50));
  EXPECT_EQ(c->limits.keep_alive_max_requests, 7);
  EXPECT_EQ(c->limits.max_list, 9u);
  EXPECT_EQ(c->auth_cache, std::chrono::seconds(0));
  EXPECT_EQ(c->reporting_file, "/etc/vigil/reporting.json");
  EXPECT_EQ(c->bank_poll, std::chrono::seconds(0));
  EXPECT_EQ(ParseServerConfig("{}")->bank_poll, std::chrono::seconds(10));
  EXPECT_EQ(c->evidence_dir, "/var/lib/vigil/evidence");
  EXPECT_EQ(c->evidence_keys_file, "/etc/vigil/evidence.keys");
  EXPECT_EQ(c->purge_interval, std::chrono::seconds(3600));
  for (const auto& [json, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"prot": 1})", "'prot'"},
           {R"({"port": "80"})", "'port'"},
           {R"({"port": 70000})", "'port'"},
           {R"({"limits": {"max_body": 1}})", "'limits.max_body'"},
           {R"({"limits": {"read_timeout_ms": 0}})", "'limits.read_timeout_ms'"},
           {R"({"banks": "a"})", "'banks'"},
           {R"({"reporting": ["ncmec"]})", "'reporting'"},
           {R"({"bank_poll_seconds": -1})", "'bank_poll_seconds'"},
           {R"({"bank_poll_seconds": 86401})", "'bank_poll_seconds'"},
           {R"({"bank_poll_seconds": "10"})", "'bank_poll_seconds'"},
           {R"({"purge_interval_seconds": 5})", "'purge_interval_seconds'"},
           {R"({"purge_interval_seconds": 999999999})", "'purge_interval_seconds'"},
           {R"([1])", "JSON object"}}) {
    auto bad = ParseServerConfig(json);
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_NE(bad.status().message().find(key), std::string::npos) << bad.status().message();
  }
  EXPECT_EQ(LoadServerConfig("/nonexistent/vigil.json").status().code(), StatusCode::kNotFound);
}

TEST_F(LimitsTest, AnUnusablePortOrMissingBankFailsClearly) {
  ServerConfig c = DefaultConfig();
  c.port = server_->port();  // taken by the running server
  auto second = Server::Create(c, *db_, *audit_);
  ASSERT_TRUE(second.ok());
  Status s = (*second)->Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(std::to_string(c.port)), std::string::npos);
  c.banks = {"nope"};
  EXPECT_EQ(Server::Create(c, *db_, *audit_).status().code(), StatusCode::kNotFound);
  // A reporting config that is missing or bad stops the start, naming the file.
  c.banks = {};
  c.reporting_file = "/nonexistent/reporting.json";
  auto missing = Server::Create(c, *db_, *audit_);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/reporting.json"), std::string::npos);
  c.reporting_file = path_ + ".reporting.json";
  { std::ofstream(c.reporting_file) << R"({"destinations": ["ncmec"], "report_limit_hours": 0})"; }
  auto bad = Server::Create(c, *db_, *audit_);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("report_limit_hours"), std::string::npos);
  std::filesystem::remove(c.reporting_file);
}

}  // namespace
}  // namespace vigil::server::testing
