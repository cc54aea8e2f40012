// The external classifier against a fake classifier server in this process, on a loopback port.
#include "classify/http_classifier.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

namespace vigil::classify {
namespace {

using namespace std::chrono_literals;

class FakeClassifierServer {
 public:
  using Reply = std::function<void(int call, const httplib::Request&, httplib::Response&)>;
  explicit FakeClassifierServer(Reply reply) : reply_(std::move(reply)) {
    server_.Post("/classify", [this](const httplib::Request& req, httplib::Response& res) {
      const int call = ++calls_;
      {
        std::lock_guard lock(mu_);
        last_body_ = req.body;
        last_auth_ = req.get_header_value("Authorization");
      }
      reply_(call, req, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~FakeClassifierServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}/classify", port_); }
  int calls() const { return calls_; }
  std::string last_body() {
    std::lock_guard lock(mu_);
    return last_body_;
  }
  std::string last_auth() {
    std::lock_guard lock(mu_);
    return last_auth_;
  }

 private:
  Reply reply_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::string last_body_, last_auth_;
};

void Json(httplib::Response& res, const std::string& body, int status = 200) {
  res.status = status;
  res.set_content(body, "application/json");
}

struct Fixture {
  std::vector<uint8_t> pixels{1, 2, 3};
  ClassifierInput input;
  std::shared_ptr<FakeClock> clock =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1700000000)));
  Fixture() {
    input.kind = InputKind::kImage;
    input.frames.push_back({1, 1, 3, pixels});
  }
  std::unique_ptr<HttpClassifier> Make(const std::string& url, int attempts = 3, int breaker = 5) {
    HttpClassifierConfig c;
    c.model = "fake-image";
    c.version = "2";
    c.url = url;
    c.authorization = "Bearer test-token";
    c.timeout = 200ms;
    c.max_attempts = attempts;
    c.backoff = 1ms;
    c.breaker_failures = breaker;
    c.breaker_open_seconds = 30;
    auto h = HttpClassifier::Create(c, clock);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(*h) : nullptr;
  }
};

TEST(HttpClassifierTest, ScoresAnImageAndSendsTheRequest) {
  FakeClassifierServer server([](int, const httplib::Request&, httplib::Response& res) {
    Json(res, R"({"score": 0.75, "frames": [0]})");
  });
  Fixture f;
  auto score = f.Make(server.url())->Classify(f.input);
  ASSERT_TRUE(score.ok()) << score.status().ToString();
  EXPECT_EQ(score->value, 0.75);
  EXPECT_EQ(score->model, "fake-image");
  EXPECT_EQ(score->version, "2");
  ASSERT_EQ(score->evidence.size(), 1u);
  EXPECT_EQ(score->evidence[0].frames, std::vector<int>{0});
  EXPECT_EQ(server.last_auth(), "Bearer test-token");
  auto body = nlohmann::json::parse(server.last_body());
  EXPECT_EQ(body["kind"], "image");
  EXPECT_EQ(body["model"], "fake-image");
  EXPECT_EQ(body["frames"][0]["pixels"], "AQID");  // base64 of 01 02 03
  EXPECT_EQ(body["frames"][0]["channels"], 3);
}

TEST(HttpClassifierTest, SendsConversations) {
  FakeClassifierServer server(
      [](int, const httplib::Request&, httplib::Response& res) { Json(res, R"({"score": 0})"); });
  Fixture f;
  auto c = ParseConversation(R"({"id": "c9", "language": "en", "participants": [{"id": "a",
      "age": 30}], "messages": [{"id": "m1", "from": "a", "time": 5, "text": "hello"}]})",
                             "c.json");
  ASSERT_TRUE(c.ok());
  ClassifierInput in;
  in.kind = InputKind::kConversation;
  in.conversation = &*c;
  auto score = f.Make(server.url())->Classify(in);
  ASSERT_TRUE(score.ok()) << score.status().ToString();
  EXPECT_EQ(score->value, 0);
  auto body = nlohmann::json::parse(server.last_body());
  EXPECT_EQ(body["conversation"]["messages"][0]["text"], "hello");
  EXPECT_EQ(body["conversation"]["participants"][0]["age"], 30);
}

TEST(HttpClassifierTest, RetriesServerErrorsWithBackoff) {
  FakeClassifierServer server([](int call, const httplib::Request&, httplib::Response& res) {
    if (call < 3) return Json(res, "{}", 503);
    Json(res, R"({"score": 0.5})");
  });
  Fixture f;
  auto score = f.Make(server.url())->Classify(f.input);
  ASSERT_TRUE(score.ok()) << score.status().ToString();
  EXPECT_EQ(score->value, 0.5);
  EXPECT_EQ(server.calls(), 3);
}

TEST(HttpClassifierTest, PersistentServerErrorsAreUnavailable) {
  FakeClassifierServer server(
      [](int, const httplib::Request&, httplib::Response& res) { Json(res, "{}", 500); });
  Fixture f;
  auto score = f.Make(server.url())->Classify(f.input);
  EXPECT_EQ(score.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(score.status().message().find("after 3 attempt(s)"), std::string::npos);
  EXPECT_NE(score.status().message().find("HTTP 500"), std::string::npos);
  EXPECT_EQ(server.calls(), 3);
}

TEST(HttpClassifierTest, NonsenseAnswersAreDataLossAndNotRetried) {
  for (const char* body :
       {"garbage", R"({"score": NaN})", R"({"score": "NaN"})", R"({"score": 1.5})",
        R"({"score": -0.1})", R"({"frames": [1]})", R"({"score": 0.5, "frames": "x"})", "[0.5]"}) {
    FakeClassifierServer server(
        [&](int, const httplib::Request&, httplib::Response& res) { Json(res, body); });
    Fixture f;
    auto score = f.Make(server.url())->Classify(f.input);
    EXPECT_EQ(score.status().code(), StatusCode::kDataLoss) << body;
    EXPECT_NE(score.status().message().find("fake-image@2 response"), std::string::npos);
    EXPECT_EQ(server.calls(), 1) << body;
  }
}

TEST(HttpClassifierTest, ClientErrorsAreNotRetried) {
  FakeClassifierServer server(
      [](int, const httplib::Request&, httplib::Response& res) { Json(res, "{}", 401); });
  Fixture f;
  auto score = f.Make(server.url())->Classify(f.input);
  EXPECT_EQ(score.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(score.status().message().find("HTTP 401"), std::string::npos);
  EXPECT_EQ(server.calls(), 1);
}

TEST(HttpClassifierTest, SlowServerTimesOut) {
  FakeClassifierServer server([](int, const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(600ms);
    Json(res, R"({"score": 0.5})");
  });
  Fixture f;
  auto score = f.Make(server.url(), 1)->Classify(f.input);
  EXPECT_EQ(score.status().code(), StatusCode::kUnavailable) << score.status().ToString();
}

TEST(HttpClassifierTest, NoServerIsUnavailable) {
  int port;
  {
    FakeClassifierServer server([](int, const httplib::Request&, httplib::Response&) {});
    port = std::stoi(server.url().substr(17));
  }
  Fixture f;
  auto score = f.Make(fmt::format("http://127.0.0.1:{}/classify", port), 2)->Classify(f.input);
  EXPECT_EQ(score.status().code(), StatusCode::kUnavailable);
}

TEST(HttpClassifierTest, CircuitBreakerOpensFailsFastAndRecovers) {
  std::atomic<bool> healthy{false};
  FakeClassifierServer server([&](int, const httplib::Request&, httplib::Response& res) {
    if (healthy) return Json(res, R"({"score": 0.25})");
    Json(res, "{}", 502);
  });
  Fixture f;
  auto h = f.Make(server.url(), 1, 2);
  EXPECT_EQ(h->Classify(f.input).status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(h->breaker_open());
  EXPECT_EQ(h->Classify(f.input).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(h->breaker_open());
  healthy = true;
  auto fast = h->Classify(f.input);
  EXPECT_EQ(fast.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(fast.status().message().find("circuit breaker open"), std::string::npos);
  EXPECT_EQ(server.calls(), 2);  // failed fast: the server was not called
  f.clock->Advance(std::chrono::seconds(30));
  auto trial = h->Classify(f.input);
  ASSERT_TRUE(trial.ok()) << trial.status().ToString();
  EXPECT_EQ(trial->value, 0.25);
  EXPECT_FALSE(h->breaker_open());
  EXPECT_EQ(server.calls(), 3);
}

TEST(HttpClassifierTest, BadFramesAreRefusedBeforeAnyCall) {
  Fixture f;
  f.input.frames[0].width = 2;
  auto h = f.Make("http://127.0.0.1:1/classify");
  EXPECT_EQ(h->Classify(f.input).status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpClassifierTest, ConfigParsesAndNamesBadFields) {
  auto c = ParseHttpClassifierConfig(
      R"({"model": "m", "version": "1", "url": "https://classifier.example/v1/score",
          "authorization": "Bearer x", "timeout_ms": 1500, "max_attempts": 4, "backoff_ms": 50,
          "breaker_failures": 3, "breaker_open_seconds": 60})",
      "cls.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->timeout, 1500ms);
  EXPECT_EQ(c->max_attempts, 4);
  EXPECT_EQ(c->breaker_open_seconds, 60);
  auto fake = std::make_shared<FakeClock>(TimePoint{});
  EXPECT_TRUE(HttpClassifier::Create(*c, fake).ok());
  auto bad = ParseHttpClassifierConfig(R"({"url": "http://x/y", "timeout_ms": 0})", "cls.json");
  EXPECT_NE(bad.status().message().find("cls.json: 'timeout_ms' must be a positive integer"),
            std::string::npos);
  EXPECT_NE(ParseHttpClassifierConfig(R"({"model": "m"})", "cls.json")
                .status()
                .message()
                .find("'url' is required"),
            std::string::npos);
  for (const char* url : {"ftp://x/y", "http://host", "http:///path", "nonsense"}) {
    HttpClassifierConfig bad_url = *c;
    bad_url.url = url;
    EXPECT_EQ(HttpClassifier::Create(bad_url, fake).status().code(), StatusCode::kInvalidArgument)
        << url;
  }
}

TEST(HttpClassifierTest, Base64MatchesRfc4648Vectors) {
  auto enc = [](std::string_view s) {
    return Base64Encode({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace vigil::classify
