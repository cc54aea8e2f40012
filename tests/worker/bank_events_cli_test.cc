// `vigil bank create|add|retire|import --events URL` (or VIGIL_NATS_URL) as a user runs them: each
// change reaches a running worker's matcher (a LiveMatcher on its own database handle and NATS
// connection) within one second of the command's exit. Needs nats-server; skips without it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_runner.h"
#include "hash/digest.h"
#include "queue/nats.h"
#include "queue/nats_server.h"
#include "store/store.h"
#include "worker/live_matcher.h"

namespace vigil::worker {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using vigil::testing::CliRun;
using vigil::testing::RunVigil;

const char kPdq[] = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
const char kMd5[] = "0123456789abcdef0123456789abcdef";

class BankEventsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("VIGIL_DATABASE_URL");
    unsetenv("VIGIL_NATS_URL");
    std::string error;
    nats_ = vigil::testing::NatsServer::Start(&error);
    if (nats_ == nullptr) GTEST_SKIP() << error;
    db_ = (tmp_.path() / "vigil.db").string();
    CliRun r = Bank("create hotline --owner H");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto db = store::OpenDatabase(db_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_handle_ = std::move(*db);
    queue::NatsOptions o;
    o.url = nats_->url();
    auto q = queue::NatsQueue::Connect(o);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(*q);
    auto live = LiveMatcher::Start(db_handle_->banks(), {}, *queue_);
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    live_ = std::move(*live);
  }

  CliRun Bank(const std::string& args) { return RunVigil("bank " + args + " --db '" + db_ + "'"); }
  std::string Events() const { return " --events '" + nats_->url() + "'"; }

  bool MatchesPdq() const {
    auto r = live_->matcher().MatchPdq(*hash::Hash256::FromHex(kPdq), std::nullopt);
    return r.ok() && !r->empty();
  }
  bool MatchesMd5() const {
    hash::Md5Digest d{};
    for (size_t i = 0; i < d.size(); ++i) {
      d[i] = static_cast<uint8_t>(std::stoi(std::string(kMd5 + 2 * i, 2), nullptr, 16));
    }
    auto r = live_->matcher().MatchMd5(d);
    return r.ok() && !r->empty();
  }
  // Polls `pred` for at most 5 s; true when it held.
  template <typename Pred>
  static bool Await(Pred pred) {
    const auto deadline = SteadyClock::now() + 5s;
    while (!pred()) {
      if (SteadyClock::now() > deadline) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  vigil::testing::TempDir tmp_;
  std::string db_;
  std::unique_ptr<vigil::testing::NatsServer> nats_;
  std::unique_ptr<store::Database> db_handle_;
  std::unique_ptr<queue::NatsQueue> queue_;
  std::unique_ptr<LiveMatcher> live_;
};

TEST_F(BankEventsCliTest, AddRetireAndImportReachARunningWorkerWithinOneSecond) {
  CliRun add = Bank(std::string("add hotline pdq ") + kPdq + Events());
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto after = SteadyClock::now();
  ASSERT_TRUE(Await([&] { return MatchesPdq(); })) << "the worker never matched the added hash";
  EXPECT_LT(SteadyClock::now() - after, 1000ms);

  CliRun retire =
      Bank(std::string("retire hotline pdq ") + kPdq + " --reason 'false positive'" + Events());
  ASSERT_EQ(retire.exit_code, 0) << retire.err;
  after = SteadyClock::now();
  ASSERT_TRUE(Await([&] { return !MatchesPdq(); })) << "the worker kept matching it";
  EXPECT_LT(SteadyClock::now() - after, 1000ms);

  const std::string csv =
      tmp_.Write("list.csv", std::string("signal_type,signal_value\nmd5,") + kMd5 + "\n");
  setenv("VIGIL_NATS_URL", nats_->url().c_str(), 1);  // the URL from the environment this time
  CliRun import = Bank("import hotline '" + csv + "' -q");
  unsetenv("VIGIL_NATS_URL");
  ASSERT_EQ(import.exit_code, 0) << import.err;
  after = SteadyClock::now();
  ASSERT_TRUE(Await([&] { return MatchesMd5(); })) << "the worker never matched the import";
  EXPECT_LT(SteadyClock::now() - after, 1000ms);
  EXPECT_EQ(live_->failed_events(), 0u);
}

// Issue 12: a bank created while the worker runs is matched without a restart.
TEST_F(BankEventsCliTest, ABankCreatedWhileTheWorkerRunsIsMatchedWithinOneSecond) {
  CliRun create = Bank("create late --owner P" + Events());
  ASSERT_EQ(create.exit_code, 0) << create.err;
  auto late = db_handle_->banks().GetBank("late");
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  auto after = SteadyClock::now();
  ASSERT_TRUE(Await([&] { return live_->matcher().HasBank(late->id); }))
      << "the worker never took up the new bank";
  EXPECT_LT(SteadyClock::now() - after, 1000ms);
  CliRun add = Bank(std::string("add late pdq ") + kPdq + Events());
  ASSERT_EQ(add.exit_code, 0) << add.err;
  after = SteadyClock::now();
  ASSERT_TRUE(Await([&] { return MatchesPdq(); })) << "the worker never matched the new bank";
  EXPECT_LT(SteadyClock::now() - after, 1000ms);
  EXPECT_EQ(live_->failed_events(), 0u);
}

TEST_F(BankEventsCliTest, WithoutEventsTheWorkerIsNotTold) {
  CliRun add = Bank(std::string("add hotline pdq ") + kPdq);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  // Nothing was published: the stream's last sequence is still 0 (no fixed wait needed).
  auto last = queue_->LastSequence();
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(*last, 0u);
  EXPECT_FALSE(MatchesPdq());
}

TEST_F(BankEventsCliTest, AnUnreachableNatsServerIsAnErrorBeforeAnyChange) {
  const int port = vigil::testing::FreeLoopbackPort();
  CliRun add = Bank(std::string("add hotline pdq ") + kPdq +
                    " --events nats://127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(add.exit_code, 10) << add.err;  // kUnavailable
  EXPECT_NE(add.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << add.err;
  // The bank is unchanged: the command connects before it writes.
  CliRun stats = Bank("stats hotline");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("entries: 0 total"), std::string::npos) << stats.out;
}

// Issue 6: a change that commits but whose bank events cannot be published (here the events
// stream exists but listens on another subject, so JetStream has no responder) is still in the
// audit log, marked "not published", and the command exits 10 naming the loss.
TEST_F(BankEventsCliTest, AChangeWhoseEventsAreLostIsStillAudited) {
  std::string error;
  auto broken = vigil::testing::NatsServer::Start(&error);
  ASSERT_NE(broken, nullptr) << error;
  queue::NatsOptions o;
  o.url = broken->url();
  o.events_subject = "vigil.elsewhere";
  auto misconfigured = queue::NatsQueue::Connect(o);
  ASSERT_TRUE(misconfigured.ok()) << misconfigured.status().ToString();
  const std::string lost = " --by erin --events '" + broken->url() + "'";
  const std::string list = (tmp_.path() / "list.csv").string();
  std::ofstream(list) << "signal_type,signal_value\nmd5," << kMd5 << "\n";

  const std::vector<std::string> commands = {
      "create second --owner S", "add hotline pdq " + std::string(kPdq),
      "retire hotline --id 1 --reason r", "import hotline '" + list + "' -q"};
  for (const std::string& command : commands) {
    CliRun run = Bank(command + lost);
    EXPECT_EQ(run.exit_code, 10) << command << ": " << run.err;
    EXPECT_NE(run.err.find("not published"), std::string::npos) << command << ": " << run.err;
  }
  CliRun published = Bank(std::string("add hotline pdq ") + kPdq + " --by erin" + Events());
  ASSERT_EQ(published.exit_code, 0) << published.err;

  // Every change committed: the second bank, the retired PDQ entry, the imported MD5 entry.
  CliRun stats = Bank("stats hotline");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("entries: 2 total"), std::string::npos) << stats.out;
  EXPECT_EQ(Bank("stats second").exit_code, 0);

  CliRun log = RunVigil("audit list -f jsonl --db '" + db_ + "'");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  std::vector<nlohmann::json> records;
  std::istringstream lines(log.out);
  for (std::string line; std::getline(lines, line);) records.push_back(nlohmann::json::parse(line));
  // The fixture's `create hotline` (no --events, so no "events" field) comes first.
  ASSERT_EQ(records.size(), 6u) << log.out;
  const std::vector<std::string> actions = {"bank.create", "bank.add", "bank.retire", "bank.import",
                                            "bank.add"};
  for (size_t i = 0; i < actions.size(); ++i) {
    const auto& r = records[i + 1];
    EXPECT_EQ(r["action"], actions[i]) << i;
    EXPECT_EQ(r["actor"], "erin") << i;
    const auto details = nlohmann::json::parse(r["details"].get<std::string>());
    EXPECT_EQ(details["events"], i + 1 < actions.size() ? "not published" : "published") << i;
  }
  EXPECT_FALSE(nlohmann::json::parse(records[0]["details"].get<std::string>()).contains("events"));
  EXPECT_EQ(RunVigil("audit verify --db '" + db_ + "'").exit_code, 0);
}

}  // namespace
}  // namespace vigil::worker
