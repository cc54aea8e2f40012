// Pseudonymisation across scale-out on PostgreSQL with a nats-server (docs/privacy.md,
// "Scale-out"): POST /v1/jobs on a server with pseudonym keys publishes the pseudonym and the
// clear id sealed, never the clear id; a worker with the keys stores the pseudonym and keeps the
// sealed clear id with the case in the ledger's transaction. Every table of the database is read
// back: no clear account id anywhere, and the report's evidence source opens it again. Skips
// without nats-server or VIGIL_TEST_POSTGRES_URL.
#include <gtest/gtest.h>

#include <fstream>

#include "match/bank_verification_sink.h"
#include "privacy/account_identity.h"
#include "queue/job.h"
#include "queue/nats.h"
#include "queue/nats_server.h"
#include "report/stored_evidence.h"
#include "server_env.h"
#include "worker/worker.h"

namespace vigil::server::testing {
namespace {

using namespace std::chrono_literals;
using auth::Role;

const char kPdq[] = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
const char kClear[] = "alice-clear-account-4711";
const char kPseudonymKeys[] =
    "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

class ServerJobsPrivacyTest : public ServerTest {
 protected:
  bool UsePostgres() const override { return true; }

  void SetUp() override {
    std::string error;
    nats_ = vigil::testing::NatsServer::Start(&error);
    if (nats_ == nullptr) GTEST_SKIP() << error;
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::ofstream(path_ + ".p.keys") << kPseudonymKeys;
    ServerConfig c = DefaultConfig();
    UseEvidenceStore(c);
    c.pseudonym_keys_file = path_ + ".p.keys";
    c.nats.url = nats_->url();
    StartServer(c);
    evidence_ = OpenTestEvidence();
    ASSERT_NE(evidence_, nullptr);
    Json(PostJson("/v1/banks", R"({"name":"hotline"})", Role::kBankManager), 201);
    Json(
        PostJson("/v1/banks/hotline/entries",
                 fmt::format(R"({{"signal_type":"pdq","signal":"{}"}})", kPdq), Role::kBankManager),
        201);
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::filesystem::remove(path_ + ".p.keys");
  }

  static std::string JobJson(const std::string& item, const std::string& account,
                             const std::string& pdq) {
    return fmt::format(
        R"({{"item_id":"{}","account_id":"{}","region":"eu","pdq":"{}","pdq_quality":100,)"
        R"("md5":"{:032x}","sha256":"{:064x}"}})",
        item, account, pdq, 1, 2);
  }

  // Every job waiting in the stream, as delivered to a worker.
  std::vector<std::unique_ptr<queue::Delivery>> FetchAll(queue::JobSource& source, size_t n) {
    std::vector<std::unique_ptr<queue::Delivery>> out;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto batch = source.Fetch(static_cast<int>(n - out.size()), 500ms);
      if (!batch.ok()) continue;
      for (auto& d : *batch) out.push_back(std::move(d));
    }
    return out;
  }

  // A worker node on the server's database, with the keys (as `vigil worker` builds it).
  struct Node {
    std::unique_ptr<match::Matcher> matcher;
    std::unique_ptr<match::BankVerificationSink> sink;
    std::unique_ptr<cases::ReviewService> review;
    detect::RuleSet rules = detect::RuleSet::Defaults();
    std::unique_ptr<detect::Pipeline> pipeline;
    std::unique_ptr<worker::Worker> worker;
  };
  std::unique_ptr<Node> StartNode() {
    auto n = std::make_unique<Node>();
    auto clock = std::make_shared<SystemClock>();
    n->matcher = std::move(*match::Matcher::Load(db_->banks(), {}));
    n->sink = std::make_unique<match::BankVerificationSink>(db_->banks());
    n->review = std::move(*cases::ReviewService::Create(db_->cases(), *n->sink, clock, {}));
    n->pipeline = std::make_unique<detect::Pipeline>(n->matcher.get(), &n->rules, n->review.get(),
                                                     &db_->volume(), clock);
    worker::AccountKeys keys{&pseudonyms_, &evidence_->cipher(), &db_->privacy()};
    n->worker = std::make_unique<worker::Worker>(worker::WorkerOptions{}, nullptr,
                                                 db_->job_ledger(), *n->pipeline, clock, keys);
    return n;
  }

  // Every row of every table of the scratch database, as text: what the database alone reveals.
  std::string DumpEveryTable() {
    auto conn = scratch_->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return "";
    auto tables = (*conn)->Exec(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    EXPECT_TRUE(tables.ok());
    EXPECT_GT(tables->rows(), 30);
    std::string text;
    for (int i = 0; i < tables->rows(); ++i) {
      const std::string t(tables->Text(i, 0));
      auto rows = (*conn)->Exec("SELECT t::text FROM \"" + t + "\" t");
      EXPECT_TRUE(rows.ok()) << t << ": " << rows.status().ToString();
      for (int r = 0; rows.ok() && r < rows->rows(); ++r) {
        text += t + ": " + std::string(rows->Text(r, 0)) + "\n";
      }
    }
    return text;
  }

  std::unique_ptr<vigil::testing::NatsServer> nats_;
  std::unique_ptr<privacy::EvidenceStore> evidence_;
  privacy::Pseudonymiser pseudonyms_ = *privacy::LoadPseudonymiser("", kPseudonymKeys, "");
};

TEST_F(ServerJobsPrivacyTest, TheQueueAndTheDatabaseHoldOnlyPseudonymsAndTheReportOpensTheId) {
  const std::string bob = pseudonyms_.Pseudonymise("bob-clear-account");
  const std::string body = R"({"jobs":[)" + JobJson("item-1", kClear, kPdq) + "," +
                           JobJson("item-2", bob, kPdq) + "," +
                           JobJson("item-3", kClear, std::string(64, '0')) + "]}";
  EXPECT_EQ(Json(PostJson("/v1/jobs", body, Role::kIngestClient), 202)["queued"], 3);

  queue::NatsOptions o;
  o.url = nats_->url();
  auto q = queue::NatsQueue::Connect(o);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  auto source = (*q)->OpenJobSource();
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto deliveries = FetchAll(**source, 3);
  ASSERT_EQ(deliveries.size(), 3u);
  for (const auto& d : deliveries) {
    // What crosses the queue: the pseudonym and, for a clear id, its sealed copy only.
    EXPECT_EQ(std::string(d->data()).find(kClear), std::string::npos) << d->data();
    auto job = queue::DecodeJob(d->data(), "t");
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    if (job->item_id == "item-2") {
      EXPECT_EQ(job->account_id, bob);  // already a pseudonym: unchanged, nothing sealed
      EXPECT_FALSE(job->sealed_account_id.has_value());
    } else {
      EXPECT_EQ(job->account_id, pseudonyms_.Pseudonymise(kClear));
      ASSERT_TRUE(job->sealed_account_id.has_value());
    }
  }

  auto node = StartNode();
  for (auto& d : deliveries) EXPECT_TRUE(node->worker->Handle(*d).ok());
  EXPECT_EQ(node->worker->Metrics().processed, 3u);
  EXPECT_EQ(node->worker->Metrics().dead_lettered, 0u);

  auto cases = db_->cases().ListCases({});
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  ASSERT_EQ(cases->size(), 2u);  // item-3 matched nothing
  const std::string dump = DumpEveryTable();
  EXPECT_EQ(dump.find(kClear), std::string::npos) << dump;
  EXPECT_NE(dump.find(pseudonyms_.Pseudonymise(kClear)), std::string::npos);
  EXPECT_NE(dump.find("case_accounts: "), std::string::npos);  // one sealed copy

  report::StoredEvidenceSource reports(&db_->privacy(), evidence_.get());
  for (const cases::Case& c : *cases) {
    auto user = reports.User(c);
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    if (c.account_id == bob) {
      EXPECT_EQ(user->esp_identifier, "");  // the publisher's pseudonym is what is reported
    } else {
      EXPECT_EQ(c.account_id, pseudonyms_.Pseudonymise(kClear));
      EXPECT_EQ(user->esp_identifier, kClear);
    }
  }
}

TEST_F(ServerJobsPrivacyTest, ACaseWhoseSealedIdCannotBeKeptRollsBackWithIt) {
  // A sealed id whose clear id is longer than a case may keep: the pipeline opens the case, then
  // keeping the id fails, and the transaction takes the case and the ledger row back with it.
  const std::string huge(privacy::kMaxAccountIdBytes + 1, 'x');
  queue::ScanJob job = *queue::DecodeJob(JobJson("item-9", "a", kPdq), "t");
  job.account_id = pseudonyms_.Pseudonymise(huge);
  auto sealed = evidence_->cipher().Seal(
      std::span(reinterpret_cast<const uint8_t*>(huge.data()), huge.size()),
      privacy::AccountJobSealId(job.account_id));
  ASSERT_TRUE(sealed.ok());
  std::string hex;
  for (uint8_t b : *sealed) hex += fmt::format("{:02x}", b);
  job.sealed_account_id = hex;
  queue::NatsOptions o;
  o.url = nats_->url();
  auto q = queue::NatsQueue::Connect(o);
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE((*q)->Publish("item-9", queue::EncodeJob(job)).ok());
  auto source = (*q)->OpenJobSource();
  ASSERT_TRUE(source.ok());
  auto deliveries = FetchAll(**source, 1);
  ASSERT_EQ(deliveries.size(), 1u);
  auto node = StartNode();
  ASSERT_TRUE(node->worker->Handle(*deliveries[0]).ok());
  EXPECT_EQ(node->worker->Metrics().retried, 1u);
  EXPECT_EQ(db_->cases().ListCases({})->size(), 0u);
  EXPECT_EQ(*db_->job_ledger().Count(), 0);
  const std::string dump = DumpEveryTable();
  EXPECT_EQ(dump.find("case_accounts: "), std::string::npos) << dump;
  EXPECT_EQ(dump.find("cases: "), std::string::npos) << dump;
}

TEST_F(ServerJobsPrivacyTest, ASealedIdBesideAClearIdIsRefusedAndNothingQueued) {
  std::string job = JobJson("item-1", kClear, kPdq);
  job.insert(job.size() - 1, R"(,"sealed_account_id":"abcd")");
  auto r = PostJson("/v1/jobs", R"({"jobs":[)" + JobJson("item-0", kClear, kPdq) + "," + job + "]}",
                    Role::kIngestClient);
  auto out = Json(r, 400);
  EXPECT_NE(out.dump().find("jobs[1].sealed_account_id"), std::string::npos) << out;
  EXPECT_EQ(out.dump().find(kClear), std::string::npos) << out;
  queue::NatsOptions o;
  o.url = nats_->url();
  auto q = queue::NatsQueue::Connect(o);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)->Depth()->jobs, 0u);
}

}  // namespace
}  // namespace vigil::server::testing
