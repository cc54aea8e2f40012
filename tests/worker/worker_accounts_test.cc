// Account ids at the scale-out worker (worker.h, docs/privacy.md "Scale-out"), in memory: with
// keys it stores only pseudonyms and keeps the clear id sealed for the case, whichever form the
// job brings; damaged, foreign or contradictory account fields fail naming the job and open no
// case. The same on PostgreSQL, walking every table, is in
// tests/server/server_jobs_privacy_test.cc.
#include <gtest/gtest.h>

#include "privacy/account_identity.h"
#include "privacy/evidence_store.h"
#include "worker/config.h"
#include "worker/worker.h"
#include "worker_rig.h"

namespace vigil::worker {
namespace {

using testing::kAquaPdq;
using testing::kMd5;
using testing::kSha256;

const char kClear[] = "alice-clear-account-77";
const char kPseudonymKeys[] =
    "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
const char kOtherPseudonymKeys[] =
    "k9 2021222324252627282930313233343536373839404142434445464748494a4b\n";
const char kEvidenceKeys[] =
    "m1 0101010101010101010101010101010101010101010101010101010101010101\n";
const char kOtherEvidenceKeys[] =
    "m2 0202020202020202020202020202020202020202020202020202020202020202\n";

class WorkerAccountsTest : public testing::WorkerRig {
 protected:
  void SetUp() override {
    WorkerRig::SetUp();
    if (HasFatalFailure()) return;
    // The in-memory privacy store knows only registered cases: the case store's first id.
    privacy_.AddCaseForTest(1, "", clock_->Now() + std::chrono::days(365), 1);
  }

  // A worker with the keys (or none), at most 2 deliveries.
  std::unique_ptr<Worker> MakeWorker(bool with_keys) {
    WorkerOptions options;
    options.name = "w-accounts";
    options.max_deliver = 2;
    AccountKeys keys;
    if (with_keys) keys = {&pseudonyms_, &cipher_, &privacy_};
    return std::make_unique<Worker>(options, nullptr, ledger_, *pipeline_, clock_, keys);
  }

  static queue::ScanJob Job(const std::string& item, const std::string& account) {
    queue::ScanJob job;
    job.item_id = item;
    job.account_id = account;
    job.region = "eu";
    job.pdq = kAquaPdq;
    job.pdq_quality = 100;
    job.md5 = kMd5;
    job.sha256 = kSha256;
    return job;
  }

  // Handles `job` on its last delivery; returns the dead-letter reason ("" when acked).
  std::string HandleLast(Worker& w, const queue::ScanJob& job) {
    testing::FakeDelivery d(queue::EncodeJob(job), 2, "VIGIL_JOBS:9");
    EXPECT_TRUE(w.Handle(d).ok());
    EXPECT_TRUE(d.settled == "ack" || d.settled == "dead") << d.settled;
    return d.reason_;
  }

  std::string StoredAccount() { return cases_.ListCases({})->at(0).account_id; }
  std::optional<std::string> Revealed() {
    auto r = privacy::RevealClearAccountId(privacy_, cipher_, 1);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  privacy::InMemoryPrivacyStore privacy_;
  privacy::Pseudonymiser pseudonyms_ = *privacy::LoadPseudonymiser("", kPseudonymKeys, "");
  privacy::EvidenceCipher cipher_ = *privacy::LoadEvidenceCipher("", kEvidenceKeys, "");
};

TEST_F(WorkerAccountsTest, ASealedIdFromIngestIsOpenedCheckedAndKeptBesideThePseudonym) {
  auto sealed = privacy::SealAccountForJob(pseudonyms_, cipher_, kClear);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  ASSERT_TRUE(sealed->sealed_account_id.has_value());
  queue::ScanJob job = Job("m1", sealed->account_id);
  job.sealed_account_id = sealed->sealed_account_id;
  // The message on the queue never holds the clear id.
  EXPECT_EQ(queue::EncodeJob(job).find(kClear), std::string::npos);
  auto w = MakeWorker(true);
  EXPECT_EQ(HandleLast(*w, job), "");
  ASSERT_EQ(CaseCount(), 1u);
  EXPECT_EQ(StoredAccount(), pseudonyms_.Pseudonymise(kClear));
  EXPECT_EQ(Revealed(), std::optional<std::string>(kClear));
}

TEST_F(WorkerAccountsTest, AClearIdIsPseudonymisedAtTheWorkerAndKeptSealed) {
  auto w = MakeWorker(true);
  EXPECT_EQ(HandleLast(*w, Job("m1", kClear)), "");
  ASSERT_EQ(CaseCount(), 1u);
  // HMAC-SHA-256 under k1, as the ingest would have computed it.
  EXPECT_EQ(StoredAccount(), pseudonyms_.Pseudonymise(kClear));
  EXPECT_TRUE(StoredAccount().starts_with("p1.k1."));
  EXPECT_EQ(Revealed(), std::optional<std::string>(kClear));
}

TEST_F(WorkerAccountsTest, APseudonymAlonePassesThroughWithNothingSealed) {
  // Pseudonymised by the publisher under a key this worker does not even have.
  const std::string theirs =
      privacy::LoadPseudonymiser("", kOtherPseudonymKeys, "")->Pseudonymise(kClear);
  auto w = MakeWorker(true);
  EXPECT_EQ(HandleLast(*w, Job("m1", theirs)), "");
  ASSERT_EQ(CaseCount(), 1u);
  EXPECT_EQ(StoredAccount(), theirs);
  EXPECT_EQ(Revealed(), std::nullopt);
}

TEST_F(WorkerAccountsTest, WithoutKeysASealedIdIsRefusedAndAPlainIdTakenAsGiven) {
  auto sealed = *privacy::SealAccountForJob(pseudonyms_, cipher_, kClear);
  queue::ScanJob job = Job("m1", sealed.account_id);
  job.sealed_account_id = sealed.sealed_account_id;
  auto w = MakeWorker(false);
  testing::FakeDelivery first(queue::EncodeJob(job), 1, "VIGIL_JOBS:9");
  ASSERT_TRUE(w->Handle(first).ok());
  EXPECT_EQ(first.settled, "retry");  // another worker may have the keys
  const std::string reason = HandleLast(*w, job);
  EXPECT_NE(reason.find("job VIGIL_JOBS:9: carries a sealed account id"), std::string::npos)
      << reason;
  EXPECT_NE(reason.find("pseudonym_keys, evidence_keys"), std::string::npos) << reason;
  EXPECT_EQ(CaseCount(), 0u);
  EXPECT_EQ(*ledger_.Count(), 0);
  // Pseudonymisation is opt-in: without keys an id is stored as the publisher sent it.
  EXPECT_EQ(HandleLast(*w, Job("m2", "acct-42")), "");
  EXPECT_EQ(StoredAccount(), "acct-42");
}

TEST_F(WorkerAccountsTest, BadSealedIdsFailNamingTheJobAndOpenNoCase) {
  const privacy::JobAccount good = *privacy::SealAccountForJob(pseudonyms_, cipher_, kClear);
  auto with = [&](std::string account, std::string sealed) {
    queue::ScanJob job = Job("m1", std::move(account));
    job.sealed_account_id = std::move(sealed);
    return job;
  };
  std::string flipped = *good.sealed_account_id;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == '0' ? '1' : '0';
  const std::string truncated = good.sealed_account_id->substr(0, 40);
  // Another account's pseudonym beside alice's sealed id (a copied value).
  const std::string bob = pseudonyms_.Pseudonymise("bob");
  // The pseudonym under a key this worker lacks, with a seal that opens.
  auto k9 = *privacy::LoadPseudonymiser("", kOtherPseudonymKeys, "");
  const privacy::JobAccount foreign_key = *privacy::SealAccountForJob(k9, cipher_, kClear);
  // Sealed under a master key this worker lacks.
  auto m2 = *privacy::LoadEvidenceCipher("", kOtherEvidenceKeys, "");
  const privacy::JobAccount foreign_master = *privacy::SealAccountForJob(pseudonyms_, m2, kClear);
  struct Case {
    queue::ScanJob job;
    const char* message;
  };
  const Case cases[] = {
      {with(good.account_id, flipped), "sealed account id"},
      {with(good.account_id, truncated), "sealed account id"},
      {with(bob, *good.sealed_account_id), "sealed account id"},
      {with(foreign_key.account_id, *foreign_key.sealed_account_id), "key 'k9' is not among"},
      {with(good.account_id, *foreign_master.sealed_account_id), "m2"},
      {with(kClear, *good.sealed_account_id), "not a clear id"},
  };
  auto w = MakeWorker(true);
  for (const Case& c : cases) {
    const std::string reason = HandleLast(*w, c.job);
    EXPECT_NE(reason.find("job VIGIL_JOBS:9"), std::string::npos) << reason;
    EXPECT_NE(reason.find(c.message), std::string::npos) << reason;
    EXPECT_EQ(reason.find(kClear), std::string::npos) << reason;
  }
  EXPECT_EQ(CaseCount(), 0u);
  EXPECT_EQ(*ledger_.Count(), 0);
  EXPECT_EQ(w->Metrics().dead_lettered, std::size(cases));
}

TEST_F(WorkerAccountsTest, TheConfigurationNamesTheKeyFiles) {
  auto c = ParseWorkerConfig(
      R"({"database":"postgresql://h/db","pseudonym_keys":"/k/p","evidence_keys":"/k/e"})", "w");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pseudonym_keys_file, "/k/p");
  EXPECT_EQ(c->evidence_keys_file, "/k/e");
  auto bad = ParseWorkerConfig(R"({"database":"x","pseudonym_keys":1})", "w");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'pseudonym_keys' must be a string"), std::string::npos);
}

}  // namespace
}  // namespace vigil::worker
