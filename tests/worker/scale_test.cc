// The scale-out set-up end to end, as separate processes on loopback: a nats-server with
// JetStream (temp dir, free port), a throw-away PostgreSQL database, the ingest client
// (`vigil queue publish`) and three `vigil worker` processes. 10,000 hash-only items, every 10th
// of which is in a bank; one worker is killed with SIGKILL in the middle (and, in the second
// test, the NATS server is restarted). Every item must be processed exactly once: one ledger
// row each, volume counters of exactly 10,000, one case per banked item, none for the others.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "bank/bank.h"
#include "hash/digest.h"
#include "queue/job.h"
#include "queue/nats_server.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::worker {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kItems = 10'000;
constexpr int kBankedEvery = 10;  // a known share: 1,000 items match

std::string Hex(std::span<const uint8_t> d) { return hash::DigestToHex(d); }
std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Md5Of(int i) { return Hex(hash::Md5(Bytes("item-" + std::to_string(i)))); }

queue::ScanJob JobFor(int i) {
  queue::ScanJob job;
  job.item_id = "item-" + std::to_string(i);
  job.account_id = "acct-" + std::to_string(i);
  job.surface = "photos/upload";
  job.region = "eu";
  job.pdq = Hex(hash::Sha256(Bytes("pdq-" + std::to_string(i))));
  job.pdq_quality = 100;
  job.md5 = Md5Of(i);
  job.sha256 = Hex(hash::Sha256(Bytes("item-" + std::to_string(i))));
  return job;
}

pid_t Spawn(const std::vector<std::string>& args, const fs::path& log) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::fopen(log.c_str(), "w");
    if (out != nullptr) {
      dup2(fileno(out), 1);
      dup2(fileno(out), 2);
    }
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

class ScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_POSTGRES();
    std::string error;
    nats_ = testing::NatsServer::Start(&error);
    if (nats_ == nullptr) GTEST_SKIP() << error;
    scratch_ = store::testing::MustCreateScratch();
    ASSERT_NE(scratch_, nullptr);
    dir_ = fs::temp_directory_path() /
           ("vigil-scale-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    auto db = store::OpenDatabase(scratch_->url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto bank = (*db)->banks().CreateBank(
        {"hotline", "Hotline", "", "", bank::ActionPolicy::kReviewRequired});
    ASSERT_TRUE(bank.ok());
    bank::EntryBatch batch;
    for (int i = 0; i < kItems; i += kBankedEvery) {
      ASSERT_TRUE(batch.Add({bank::SignalType::kMd5, Md5Of(i)}).ok());
    }
    ASSERT_TRUE((*db)->banks().AddEntries(bank->id, batch).ok());
    std::ofstream jobs(dir_ / "jobs.jsonl");
    for (int i = 0; i < kItems; ++i) jobs << queue::EncodeJob(JobFor(i)) << "\n";
  }

  void TearDown() override {
    for (pid_t pid : workers_) {
      if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  pid_t StartWorker(const std::string& name) {
    const fs::path config = dir_ / (name + ".json");
    std::ofstream(config) << R"({"name":")" << name << R"(","database":")" << scratch_->url()
                          << R"(","threads":2,"batch":8,"retry_delay_ms":200,)"
                          << R"("nats":{"url":")" << nats_->url()
                          << R"(","ack_wait_ms":3000,"max_deliver":5}})";
    pid_t pid =
        Spawn({VIGIL_BINARY, "worker", "--config", config.string()}, dir_ / (name + ".log"));
    workers_.push_back(pid);
    return pid;
  }

  int64_t Scalar(const std::string& sql) {
    auto conn = scratch_->Connect();
    if (!conn.ok()) return -1;
    auto r = (*conn)->Exec(sql);
    return r.ok() ? r->Int(0, 0) : -1;
  }

  // Waits until every item has its ledger row, or `limit` passes.
  bool WaitForAll(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Scalar("SELECT COUNT(*) FROM processed_items") >= kItems) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  void ExpectExactlyOnce() {
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM processed_items"), kItems);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM processed_items WHERE flagged"), kItems / kBankedEvery);
    // Counted once per item and technology, although some were delivered twice.
    EXPECT_EQ(Scalar("SELECT SUM(processed) FROM volume_counters WHERE technology = 'md5@1'"),
              kItems);
    EXPECT_EQ(Scalar("SELECT SUM(flagged) FROM volume_counters WHERE technology = 'md5@1'"),
              kItems / kBankedEvery);
    // One case per banked item, each with its one item; nothing for the others.
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM cases"), kItems / kBankedEvery);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM case_items"), kItems / kBankedEvery);
    EXPECT_EQ(Scalar("SELECT COUNT(DISTINCT item_id) FROM case_items"), kItems / kBankedEvery);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM case_items WHERE CAST(substr(item_id, 6) AS INTEGER) "
                     "% 10 <> 0"),
              0);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM processed_items p WHERE flagged AND NOT EXISTS "
                     "(SELECT 1 FROM cases c WHERE c.id = p.case_id)"),
              0);
    // No report request twice for a case and destination (none exist before a decision).
    EXPECT_EQ(Scalar("SELECT COUNT(*) - COUNT(DISTINCT (case_id, destination)) FROM "
                     "report_requests"),
              0);
  }

  std::unique_ptr<testing::NatsServer> nats_;
  std::unique_ptr<store::testing::ScratchDatabase> scratch_;
  fs::path dir_;
  std::vector<pid_t> workers_;
};

TEST_F(ScaleTest, ThreeWorkersOneKilledProcessEveryItemExactlyOnce) {
  const pid_t victim = StartWorker("w1");
  StartWorker("w2");
  StartWorker("w3");
  const pid_t publisher = Spawn(
      {VIGIL_BINARY, "queue", "publish", "--nats", nats_->url(), (dir_ / "jobs.jsonl").string()},
      dir_ / "publish.log");
  // Kill w1 mid-run, holding deliveries it has not acknowledged (some perhaps committed).
  for (int i = 0;
       i < 300 && Scalar("SELECT COUNT(*) FROM processed_items WHERE worker = 'w1'") < 200; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  const int64_t at_kill = Scalar("SELECT COUNT(*) FROM processed_items");
  EXPECT_LT(at_kill, kItems) << "the kill came after the run";
  EXPECT_GT(Scalar("SELECT COUNT(*) FROM processed_items WHERE worker = 'w1'"), 0);
  waitpid(victim, nullptr, 0);
  workers_[0] = -1;
  int status = 0;
  ASSERT_EQ(waitpid(publisher, &status, 0), publisher);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "publisher failed, see " << dir_;
  ASSERT_TRUE(WaitForAll(50s)) << Scalar("SELECT COUNT(*) FROM processed_items")
                               << " items processed; logs in " << dir_;
  ExpectExactlyOnce();
  EXPECT_GT(Scalar("SELECT COUNT(*) FROM processed_items WHERE worker = 'w2'"), 0);
  EXPECT_GT(Scalar("SELECT COUNT(*) FROM processed_items WHERE worker = 'w3'"), 0);
}

TEST_F(ScaleTest, WorkersReconnectAfterNatsRestartsAndFinish) {
  for (const char* name : {"w1", "w2", "w3"}) StartWorker(name);
  const pid_t publisher = Spawn(
      {VIGIL_BINARY, "queue", "publish", "--nats", nats_->url(), (dir_ / "jobs.jsonl").string()},
      dir_ / "publish.log");
  int status = 0;
  ASSERT_EQ(waitpid(publisher, &status, 0), publisher);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "publisher failed, see " << dir_;
  for (int i = 0; i < 300 && Scalar("SELECT COUNT(*) FROM processed_items") < 2000; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_LT(Scalar("SELECT COUNT(*) FROM processed_items"), kItems) << "finished before restart";
  ASSERT_TRUE(nats_->Restart(/*kill=*/true));
  ASSERT_TRUE(WaitForAll(50s)) << Scalar("SELECT COUNT(*) FROM processed_items")
                               << " items processed; logs in " << dir_;
  ExpectExactlyOnce();
}

}  // namespace
}  // namespace vigil::worker
