// The scheduled exchange sync in `vigil serve`: with exchange_sync_minutes set, the server syncs
// every exchange at start, and what a page adds or withdraws is matched (or no longer matched)
// at once by the live matcher; the sync's error is kept as the exchange's last error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "exchange/exchange.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

const std::string kPdq(64, 'f');

class ServerExchangeTest : public ServerTest {
 protected:
  void WaitForSync(const std::string& name) {
    for (int i = 0; i < 500; ++i) {
      auto r = db_->exchanges().GetExchange(name);
      if (r.ok() && (r->state.last_sync_at || !r->state.last_error.empty())) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "exchange " << name << " was never synced";
  }
};

TEST_F(ServerExchangeTest, ScheduledSyncFeedsTheLiveMatcher) {
  const std::string list_ = path_ + ".list.csv";
  Json(PostJson("/c/banks", R"({"name": "shared"})", Role::kBankManager), 201);
  std::ofstream(list_) << "signal_type,signal_value\npdq," << kPdq << "\n";
  ASSERT_TRUE(
      db_->exchanges()
          .CreateExchange(
              {.name = "tc", .bank = "shared", .organisation = "Tech Coalition", .endpoint = list_},
              SystemClock().Now())
          .ok());
  ASSERT_TRUE(db_->exchanges()
                  .CreateExchange({.name = "broken",
                                   .bank = "shared",
                                   .organisation = "X",
                                   .endpoint = list_ + ".missing"},
                                  SystemClock().Now())
                  .ok());
  const std::string q = "/m/raw_lookup?signal_type=pdq&signal=" + kPdq;
  EXPECT_EQ(Json(Get(q, Role::kIngestClient), 200)["matches"].size(), 0u);

  ServerConfig config = DefaultConfig();
  config.exchange_sync_interval = std::chrono::minutes(60);
  StartServer(config);
  WaitForSync("tc");
  WaitForSync("broken");
  EXPECT_EQ(Json(Get(q, Role::kIngestClient), 200)["matches"].size(), 1u);
  EXPECT_NE(db_->exchanges().GetExchange("broken")->state.last_error.find("no such file"),
            std::string::npos);

  // The same state over HTTP, for the roles that look after banks and reporting.
  const auto listed = Json(Get("/v1/exchanges", Role::kAuditor), 200)["exchanges"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["name"], "broken");  // by name
  EXPECT_NE(listed[0]["last_error"].get<std::string>().find("no such file"), std::string::npos);
  EXPECT_TRUE(listed[0]["last_sync_at"].is_null());
  const auto tc = Json(Get("/v1/exchanges/tc", Role::kBankManager), 200);
  EXPECT_EQ(tc["organisation"], "Tech Coalition");
  EXPECT_EQ(tc["added"], 1);
  EXPECT_EQ(tc["last_error"], "");
  EXPECT_TRUE(tc["last_sync_at"].is_string());
  EXPECT_FALSE(tc.contains("endpoint"));  // a URL may carry a token
  EXPECT_EQ(tc["shares"]["pending"], 0);
  std::filesystem::remove(list_);
}

TEST_F(ServerExchangeTest, ExchangeStatusIsRoleCheckedAndShowsPendingShares) {
  Json(PostJson("/c/banks", R"({"name": "own"})", Role::kBankManager), 201);
  auto x = db_->exchanges().CreateExchange({.name = "te",
                                            .bank = "own",
                                            .organisation = "Partner",
                                            .endpoint = "/nowhere.csv",
                                            .share = true},
                                           SystemClock().Now());
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  const std::vector<exchange::SharedHash> hashes = {
      {.type = bank::SignalType::kPdq, .value = kPdq, .source_ref = "case 1"}};
  ASSERT_TRUE(*db_->share_queue().Enqueue(0, 1, hashes, SystemClock().Now()));
  StartServer(DefaultConfig());
  const auto te = Json(Get("/v1/exchanges/te", Role::kReporter), 200);
  EXPECT_EQ(te["share"], true);
  EXPECT_EQ(te["shares"]["pending"], 1);
  EXPECT_TRUE(te["shares"]["oldest_pending"].is_string());
  EXPECT_EQ(Get("/v1/exchanges", Role::kReviewer)->status, 403);
  EXPECT_EQ(Get("/v1/exchanges", Role::kIngestClient)->status, 403);
  EXPECT_EQ(Get("/v1/exchanges/nope", Role::kAuditor)->status, 404);
}

TEST(ServerConfigExchangeTest, SyncIntervalIsReadInMinutes) {
  auto c = ParseServerConfig(R"({"exchange_sync_minutes": 15})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->exchange_sync_interval, std::chrono::minutes(15));
  EXPECT_EQ(ParseServerConfig("{}")->exchange_sync_interval, std::chrono::seconds(0));
  EXPECT_FALSE(ParseServerConfig(R"({"exchange_sync_minutes": -1})").ok());
}

}  // namespace
}  // namespace vigil::server::testing
