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
  std::filesystem::remove(list_);
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
