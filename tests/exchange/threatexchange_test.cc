// ThreatExchange threat_updates: the parser on hand-written answers (opinions from descriptor
// statuses, deletions, unknown types) and hostile JSON, and the client against a fake Graph API
// on loopback that checks the access token, pages through paging.next and fails on demand; the
// stored cursor never holds the token.
#include "exchange/threatexchange.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "bank/bank.h"
#include "exchange/exchange.h"

namespace vigil::exchange {
namespace {

const std::string kPdqA(64, 'a');
const std::string kMd5B(32, 'b');

std::string Record(const std::string& id, const std::string& type, const std::string& indicator,
                   const std::string& statuses, bool should_delete = false) {
  std::string descriptors;
  for (char s : statuses) {
    if (!descriptors.empty()) descriptors += ",";
    descriptors += fmt::format(R"({{"owner":{{"id":"1"}},"status":"{}","tags":[]}})",
                               s == 'm' ? "MALICIOUS" : "NON_MALICIOUS");
  }
  return fmt::format(
      R"({{"id":"{}","indicator":"{}","type":"{}","last_updated":1700000000,"should_delete":{}{}}})",
      id, indicator, type, should_delete ? "true" : "false",
      statuses.empty() ? "" : fmt::format(R"(,"descriptors":{{"data":[{}]}})", descriptors));
}

TEST(ThreatUpdatesParseTest, OpinionsFollowTheDescriptors) {
  const std::string json =
      R"({"data":[)" + Record("1", "HASH_PDQ", std::string(64, 'A'), "mm") + "," +
      Record("2", "HASH_MD5", kMd5B, "mn") + "," +
      Record("3", "HASH_MD5", std::string(32, 'c'), "nn") + "," +
      Record("4", "HASH_MD5", std::string(32, 'd'), "m", true) + "," +
      Record("5", "HASH_MD5", std::string(32, 'e'), "") + "," +
      Record("6", "URI", "http://example.com", "m") +
      R"(],"paging":{"cursors":{"after":"x"},"next":"https://graph.example/v1/1/threat_updates?access_token=1|abc&after=x"}})";
  auto page = ParseThreatUpdates(json, "t");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->records, 6u);
  EXPECT_EQ(page->skipped, 1u);
  ASSERT_EQ(page->updates.size(), 5u);
  EXPECT_EQ(page->updates[0],
            (HashUpdate{.type = bank::SignalType::kPdq, .value = kPdqA, .source_ref = "te:1"}));
  EXPECT_EQ(page->updates[1].opinion, Opinion::kDisputed);
  EXPECT_EQ(page->updates[2].opinion, Opinion::kWithdrawn);
  EXPECT_EQ(page->updates[2].reason, "marked non-malicious at ThreatExchange");
  EXPECT_EQ(page->updates[3].opinion, Opinion::kWithdrawn);
  EXPECT_EQ(page->updates[3].reason, "deleted at ThreatExchange");
  EXPECT_EQ(page->updates[4].opinion, Opinion::kWithdrawn);  // no descriptors left
  EXPECT_EQ(WithoutAccessToken(page->next), "https://graph.example/v1/1/threat_updates?after=x");
}

TEST(ThreatUpdatesParseTest, HostileOrMalformedAnswersAreRefusedByName) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const std::string& bad :
       {std::string("{\"data\": [1, 2"), std::string("[]"), std::string("{\"data\": {}}"), deep,
        std::string(R"({"data":[{"id":"1","type":"HASH_MD5"}]})"),
        R"({"data":[)" + Record("9", "HASH_MD5", "zz", "m") + "]}",
        std::string(R"({"data":[],"paging":{"next":"file:///etc/passwd"}})")}) {
    auto page = ParseThreatUpdates(bad, "answer from fake");
    ASSERT_FALSE(page.ok()) << bad.substr(0, 80);
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(page.status().message().find("answer from fake"), std::string::npos);
  }
  EXPECT_EQ(WithoutAccessToken("https://x/y?a=1&access_token=s3cret&b=2"), "https://x/y?a=1&b=2");
  EXPECT_EQ(WithoutAccessToken("https://x/y?access_token=s3cret"), "https://x/y");
}

// A fake Graph API serving privacy group 1234's updates in two pages.
class FakeGraph {
 public:
  FakeGraph() {
    server_.Get("/v21.0/1234/threat_updates/", [this](const httplib::Request& req,
                                                      httplib::Response& res) {
      ++requests;
      if (req.get_param_value("access_token") != "1111|token") {
        res.status = 400;  // Graph API answers a bad token with 400 and an OAuthException
        res.set_content(R"({"error":{"type":"OAuthException"}})", "application/json");
        return;
      }
      if (fail_next > 0) {
        --fail_next;
        res.status = 503;
        return;
      }
      if (req.get_param_value("after") == "p2") {
        res.set_content(R"({"data":[)" + Record("11", "HASH_MD5", kMd5B, "m", true) + "]}",
                        "application/json");
        return;
      }
      first_fields = req.get_param_value("fields");
      res.set_content(
          R"({"data":[)" + Record("10", "HASH_PDQ", kPdqA, "m") + "," +
              Record("11", "HASH_MD5", kMd5B, "m") +
              fmt::format(
                  R"(],"paging":{{"next":"http://127.0.0.1:{}/v21.0/1234/threat_updates/?access_token=1111%7Ctoken&limit=500&after=p2"}}}})",
                  port_),
          "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeGraph() {
    server_.stop();
    thread_.join();
  }
  std::string endpoint() const { return fmt::format("http://127.0.0.1:{}/v21.0", port_); }

  std::atomic<int> fail_next{0}, requests{0};
  std::string first_fields;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class ThreatExchangeSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(banks_.CreateBank({.name = "te"}).ok());
    ASSERT_TRUE(store_
                    .CreateExchange({.name = "te",
                                     .type = ExchangeType::kThreatExchange,
                                     .bank = "te",
                                     .organisation = "Meta ThreatExchange",
                                     .endpoint = graph_.endpoint(),
                                     .credentials_ref = "env:TE_TOKEN",
                                     .options = R"({"privacy_group": "1234"})"},
                                    clock_->Now())
                    .ok());
    options_.sleep = [](std::chrono::milliseconds) {};
  }
  Result<SyncReport> Sync() {
    ASSIGN_OR_RETURN(ExchangeRecord r, store_.GetExchange("te"));
    ASSIGN_OR_RETURN(std::unique_ptr<Exchange> x,
                     OpenExchange(r.config, {.banks = &banks_, .clock = clock_, .getenv = env_}));
    return SyncExchange(store_, *x, "te", *clock_, options_);
  }

  FakeGraph graph_;
  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'795'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  InMemoryExchangeStore store_{banks_};
  SyncOptions options_;
  std::function<std::optional<std::string>(const std::string&)> env_ =
      [](const std::string&) -> std::optional<std::string> { return "1111|token"; };
};

TEST_F(ThreatExchangeSyncTest, PagesAreFollowedAndTheTokenNeverReachesTheCursor) {
  options_.max_pages = 1;
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(graph_.first_fields,
            "id,indicator,type,last_updated,should_delete,descriptors{owner{id},status,tags,"
            "added_on}");
  const std::string cursor = store_.GetExchange("te")->state.cursor;
  EXPECT_EQ(cursor.find("token"), std::string::npos) << cursor;
  EXPECT_NE(cursor.find("after=p2"), std::string::npos) << cursor;
  options_.max_pages = 0;
  graph_.fail_next = 1;
  auto rest = Sync();
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->retries, 1u);
  EXPECT_EQ(rest->removed, 1u);
  EXPECT_TRUE(banks_.FindEntry(1, bank::SignalType::kMd5, kMd5B)->retired);
  EXPECT_FALSE(banks_.FindEntry(1, bank::SignalType::kPdq, kPdqA)->retired);
  EXPECT_EQ(store_.GetExchange("te")->state.cursor, "1795000000");
}

TEST_F(ThreatExchangeSyncTest, BadTokenAndBadOptionsAreClearErrors) {
  env_ = [](const std::string&) -> std::optional<std::string> { return "wrong"; };
  options_.max_attempts = 1;
  auto failed = Sync();
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message().find("wrong"), std::string::npos);
  ASSERT_TRUE(store_
                  .CreateExchange({.name = "nogroup",
                                   .type = ExchangeType::kThreatExchange,
                                   .bank = "te",
                                   .organisation = "Meta",
                                   .endpoint = graph_.endpoint()},
                                  clock_->Now())
                  .ok());
  auto r = store_.GetExchange("nogroup");
  auto x = OpenExchange(r->config, {.banks = &banks_, .getenv = env_});
  EXPECT_EQ(x.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(x.status().message().find("privacy_group"), std::string::npos);
}

}  // namespace
}  // namespace vigil::exchange
