// `vigil serve` with "nats" follows the bank events (issue 12): a bank change made by another
// process (its own database handle and NATS connection, publishing as `vigil bank --events` and
// the workers' PublishingBankStore do) is answered by the server's lookups within one second,
// without a reload; the bank poll stays as the safety net for changes whose event was lost.
// Skips with a message without nats-server.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "queue/nats.h"
#include "queue/nats_server.h"
#include "server_env.h"
#include "worker/bank_publisher.h"

namespace vigil::server::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using auth::Role;

const char kPdq[] = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
const char kOther[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

class ServerBankEventsTest : public ServerTest {
 protected:
  void SetUp() override {
    std::string error;
    nats_ = vigil::testing::NatsServer::Start(&error);
    if (nats_ == nullptr) GTEST_SKIP() << error;
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    auto hotline = db_->banks().CreateBank({.name = "hotline", .owner = "H"});
    ASSERT_TRUE(hotline.ok()) << hotline.status().ToString();
    hotline_ = *hotline;
    // Another process: its own database handle and NATS connection.
    auto db = store::OpenDatabase(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    other_db_ = std::move(*db);
    queue::NatsOptions o;
    o.url = nats_->url();
    auto q = queue::NatsQueue::Connect(o);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    other_nats_ = std::move(*q);
    other_ = std::make_unique<worker::PublishingBankStore>(other_db_->banks(), *other_nats_);
  }

  void TearDown() override {
    other_.reset();
    other_nats_.reset();
    other_db_.reset();
    ServerTest::TearDown();
  }

  void StartWithEvents(std::chrono::seconds poll) {
    ServerConfig c = DefaultConfig();
    c.nats.url = nats_->url();
    c.bank_poll = poll;
    StartServer(c);
  }

  nlohmann::json Lookup(const char* pdq) {
    return Json(Get(std::string("/m/lookup?signal_type=pdq&signal=") + pdq, Role::kIngestClient),
                200);
  }
  // Polls the lookup (at most 5 s) until it answers `want`; true when it did.
  bool Await(const char* pdq, const nlohmann::json& want) {
    const auto deadline = SteadyClock::now() + 5s;
    nlohmann::json got;
    while ((got = Lookup(pdq)) != want) {
      if (SteadyClock::now() > deadline) {
        ADD_FAILURE() << "lookup still answers " << got << ", not " << want;
        return false;
      }
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }
  static nlohmann::json Hit(const std::string& bank, int64_t id) {
    return {{bank, {{{"bank_content_id", id}, {"distance", "0"}}}}};
  }
  nlohmann::json BuiltTo() {
    return Json(Get("/m/index/status?signal_type=pdq", Role::kReporter), 200)["pdq"]["built_to"];
  }
  std::string Metrics() {
    auto r = Get("/metrics", Role::kAdmin);
    return r ? r->body : std::string();
  }
  int64_t AddByOther(const bank::Bank& b, const char* pdq) {
    EXPECT_TRUE(bank::AddEntry(*other_, b.id, {bank::SignalType::kPdq, pdq}).ok());
    return other_db_->banks().FindEntry(b.id, bank::SignalType::kPdq, pdq)->id;
  }

  std::unique_ptr<vigil::testing::NatsServer> nats_;
  bank::Bank hotline_;
  std::unique_ptr<store::Database> other_db_;
  std::unique_ptr<queue::NatsQueue> other_nats_;
  std::unique_ptr<worker::PublishingBankStore> other_;
};

TEST_F(ServerBankEventsTest, AnotherProcessesChangesAreLookedUpWithinOneSecondWithoutPolling) {
  StartWithEvents(/*poll=*/0s);  // no poll: only the events can bring the changes
  const nlohmann::json built = BuiltTo();
  ASSERT_EQ(Lookup(kPdq), nlohmann::json::object());

  auto start = SteadyClock::now();
  const int64_t id = AddByOther(hotline_, kPdq);
  ASSERT_TRUE(Await(kPdq, Hit("hotline", id)));
  EXPECT_LT(SteadyClock::now() - start, 1000ms);

  start = SteadyClock::now();
  ASSERT_TRUE(other_->RetireEntry(id, "false positive confirmed").ok());
  ASSERT_TRUE(Await(kPdq, nlohmann::json::object()));
  EXPECT_LT(SteadyClock::now() - start, 1000ms);

  // A bank another process creates after the server started.
  start = SteadyClock::now();
  auto late = other_->CreateBank({.name = "late", .owner = "P"});
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  const int64_t late_id = AddByOther(*late, kOther);
  ASSERT_TRUE(Await(kOther, Hit("late", late_id)));
  EXPECT_LT(SteadyClock::now() - start, 1000ms);

  EXPECT_EQ(BuiltTo(), built) << "the matcher was reloaded instead of changed live";
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("\nvigil_bank_events_applied 4\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nvigil_bank_events_failed 0\n"), std::string::npos) << metrics;
}

// The events keep the poll's markers right: neither another process's change that arrived as an
// event nor the server's own change (whose event comes back) makes the poll reload. A change
// made without an event (NATS was not told) is still found by the poll.
TEST_F(ServerBankEventsTest, ThePollReloadsOnlyForChangesWhoseEventWasLost) {
  StartWithEvents(/*poll=*/1s);
  const nlohmann::json built = BuiltTo();
  const int64_t id = AddByOther(hotline_, kPdq);
  ASSERT_TRUE(Await(kPdq, Hit("hotline", id)));
  auto own = Json(
      PostJson("/v1/banks/hotline/entries",
               fmt::format(R"({{"signal_type":"pdq","signal":"{}"}})", kOther), Role::kBankManager),
      201);
  ASSERT_TRUE(Await(kOther, Hit("hotline", own["id"].get<int64_t>())));
  std::this_thread::sleep_for(2500ms);  // two polls
  EXPECT_EQ(BuiltTo(), built) << "a change applied from its event also caused a reload";

  // Retired without an event (as `vigil bank retire` without --events): only the poll sees it.
  ASSERT_TRUE(other_db_->banks().RetireEntry(id, "withdrawn by source").ok());
  ASSERT_TRUE(Await(kPdq, nlohmann::json::object()));
  EXPECT_NE(BuiltTo(), built) << "the poll should have reloaded";
}

TEST(ServerBankEventsConfigTest, WithNatsThePollDefaultsToTheSafetyNetInterval) {
  EXPECT_EQ(ParseServerConfig("{}")->bank_poll, 10s);
  EXPECT_EQ(ParseServerConfig(R"({"nats":{"url":"nats://x:4222"}})")->bank_poll,
            kBankPollWithEvents);
  EXPECT_EQ(kBankPollWithEvents, 60s);
  EXPECT_EQ(
      ParseServerConfig(R"({"nats":{"url":"nats://x:4222"},"bank_poll_seconds":5})")->bank_poll,
      5s);
  EXPECT_EQ(ParseServerConfig(R"({"bank_poll_seconds":0})")->bank_poll, 0s);
}

}  // namespace
}  // namespace vigil::server::testing
