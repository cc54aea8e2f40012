// Data protection records (privacy::PrivacyStore, migration 8): the policy, legal holds and DPIA
// records on memory, SQLite and PostgreSQL; expiry stamping, erasure, the purge (resumed after a
// crash between and inside batches) and its verification on SQLite and PostgreSQL, checked by
// walking every table of the schema and the evidence directory.
#include "privacy/privacy_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "audit/audit.h"
#include "cases/cases.h"
#include "privacy/account_identity.h"
#include "privacy/evidence_store.h"
#include "privacy/purge.h"
#include "store/pg_test_database.h"
#include "store/store.h"
#include "transparency/transparency.h"

namespace vigil::store {
namespace {

using privacy::ErasureReason;
using privacy::HoldRecord;
using privacy::Purpose;
using testing::Backend;

TimePoint At(int64_t s) { return TimePoint(std::chrono::seconds(s)); }
constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'800'000'000;  // 2027-01-15

class PrivacyStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_privacy");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) return;
    auto db = OpenDatabase(storage_.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  privacy::PrivacyStore& store() { return db_ ? db_->privacy() : memory_; }

  privacy::InMemoryPrivacyStore memory_;
  testing::BackendStorage storage_;
  std::unique_ptr<Database> db_;
};

HoldRecord Hold(std::string subject, int64_t placed, std::optional<int64_t> ends) {
  return HoldRecord{.subject = std::move(subject),
                    .reason = "complaint pending",
                    .placed_by = "dpo",
                    .placed_at = At(placed),
                    .review_at = At(placed + 30 * kDay),
                    .ends_at = ends ? std::optional(At(*ends)) : std::nullopt};
}

TEST_P(PrivacyStoreTest, HoldsArePlacedListedAndReleasedOnce) {
  auto a = store().AddHold(Hold("case:7", kT0, std::nullopt));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = store().AddHold(Hold("account:p1.k.abc", kT0, kT0 + 10 * kDay));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_LT(a->id, b->id);

  auto all = store().ListHolds(std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], *a);
  EXPECT_EQ((*all)[1], *b);
  // The account hold ends on its own after 10 days.
  EXPECT_EQ(store().ListHolds(At(kT0 + 10 * kDay))->size(), 1u);
  EXPECT_EQ(store().ListHolds(At(kT0 - 1))->size(), 0u);

  auto released = store().ReleaseHold(a->id, "dpo-2", At(kT0 + kDay));
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(released->released_at, At(kT0 + kDay));
  EXPECT_EQ(released->released_by, "dpo-2");
  EXPECT_EQ(store().ListHolds(At(kT0 + kDay))->size(), 1u);  // only the account hold
  EXPECT_EQ(store().ListHolds(At(kT0 + kDay - 1))->size(), 2u);
  EXPECT_EQ(store().ReleaseHold(a->id, "dpo", At(kT0 + 2 * kDay)).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().ReleaseHold(999, "dpo", At(kT0)).status().code(), StatusCode::kNotFound);
}

TEST_P(PrivacyStoreTest, HoldsWithoutReasonEndOrReviewAreRefused) {
  HoldRecord h = Hold("case:1", kT0, std::nullopt);
  h.review_at.reset();
  auto no_date = store().AddHold(h);
  EXPECT_EQ(no_date.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_date.status().message().find("end date or a review date"), std::string::npos);
  h = Hold("case:1", kT0, std::nullopt);
  h.reason.clear();
  EXPECT_EQ(store().AddHold(h).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().AddHold(Hold("user:1", kT0, std::nullopt)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store().AddHold(Hold("case:1", kT0, kT0 - 1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(store().ListHolds(std::nullopt)->empty());
}

TEST_P(PrivacyStoreTest, DpiaRecordsAreKeptPerTechnology) {
  privacy::DpiaRecord r{.technology = "grooming-v1",
                        .assessed_on = At(kT0),
                        .authority = "Data Protection Commission (IE)",
                        .outcome = "prior consultation: no objection",
                        .link = "https://intranet.example/dpia/grooming-v1.pdf",
                        .recorded_by = "dpo",
                        .recorded_at = At(kT0 + 5)};
  auto a = store().AddDpia(r);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  r.technology = "nudity-v2";
  ASSERT_TRUE(store().AddDpia(r).ok());
  auto grooming = store().ListDpia("grooming-v1");
  ASSERT_TRUE(grooming.ok());
  ASSERT_EQ(grooming->size(), 1u);
  EXPECT_EQ((*grooming)[0], *a);
  EXPECT_EQ(store().ListDpia(std::nullopt)->size(), 2u);
  EXPECT_TRUE(store().ListDpia("pdq")->empty());
  r.link.clear();
  EXPECT_EQ(store().AddDpia(r).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(PrivacyStoreTest, RetentionPolicyOverTwelveMonthsIsRefused) {
  auto initial = store().GetRetentionPolicy();
  ASSERT_TRUE(initial.ok()) << initial.status().ToString();
  EXPECT_EQ(initial->max_age, privacy::DefaultRetentionPolicy().max_age);
  privacy::RetentionPolicy p = privacy::DefaultRetentionPolicy();
  p.max_age[Purpose::kReporting] = std::chrono::days(366);
  const Status refused = store().PutRetentionPolicy(p, At(kT0));
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("reporting"), std::string::npos) << refused.message();
  p.max_age[Purpose::kReporting] = std::chrono::days(90);
  ASSERT_TRUE(store().PutRetentionPolicy(p, At(kT0)).ok());
  EXPECT_EQ(store().GetRetentionPolicy()->max_age.at(Purpose::kReporting).count(), 90);
}

INSTANTIATE_TEST_SUITE_P(Backends, PrivacyStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

// Erasure and purge: databases only (they need real cases).

class NullSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

constexpr char kAccount[] = "acct-secret-7";
constexpr char kHashHex[] = "d41d8cd98f00b204e9800998ecf8427e";
constexpr char kMedia[] = "benign-media-bytes-for-the-test";

class PurgeTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_purge");
    if (IsSkipped() || HasFatalFailure()) return;
    clock_ = std::make_shared<FakeClock>(At(kT0));
    auto db = OpenDatabase(storage_.url(), {.clock = clock_});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("vigil_evidence_{}_{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    privacy::MasterKey key{};
    key.fill(7);
    auto cipher = privacy::EvidenceCipher::Create({{"m1", key}}, "m1");
    ASSERT_TRUE(cipher.ok());
    auto evidence = privacy::EvidenceStore::Open(dir_, *std::move(cipher));
    ASSERT_TRUE(evidence.ok()) << evidence.status().ToString();
    evidence_ = std::move(*evidence);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  privacy::PrivacyStore& store() { return db_->privacy(); }

  // A case of `account` opened now with two items (hashes and flags) and their evidence.
  cases::Case OpenCase(const std::string& account, const std::string& item_prefix) {
    const TimePoint now = clock_->Now();
    cases::CaseOpening opening;
    opening.new_case = {.account_id = account, .surface = "photos/upload"};
    for (int i = 0; i < 2; ++i) {
      opening.new_case.items.push_back(
          {.item_id = fmt::format("{}-{}", item_prefix, i),
           .content_type = "image/jpeg",
           .received_at = now - std::chrono::seconds(60),
           .hashes = {{.algorithm = "md5", .hex = kHashHex}},
           .flags = {
               {.technology = "md5", .raw_value = 0, .bank_entry_id = 3, .bank_name = "known"}}});
    }
    opening.at = now;
    opening.event = {.at = now,
                     .actor = "system",
                     .action = "opened",
                     .details = fmt::format("{} items of {}", 2, account)};
    auto opened = db_->cases().CreateCase(opening);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    const cases::Case c = opened->opened;
    const std::string media = kMedia;
    for (int64_t pos = 0; pos < 2; ++pos) {
      const Status s = privacy::StoreEvidence(
          store(), *evidence_, c.id, pos,
          std::span(reinterpret_cast<const uint8_t*>(media.data()), media.size()), now);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return c;
  }

  // Every table's every row as text, keyed by table: what an attacker with the database sees.
  std::map<std::string, std::string> DumpAllTables() {
    std::map<std::string, std::string> out;
    if (GetParam() == Backend::kSqlite) {
      SQLite::Database db(storage_.sqlite_path(), SQLite::OPEN_READONLY);
      SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
      std::vector<std::string> names;
      while (tables.executeStep()) names.push_back(tables.getColumn(0).getString());
      for (const std::string& t : names) {
        SQLite::Statement rows(db, "SELECT * FROM \"" + t + "\"");
        std::string& text = out[t];
        while (rows.executeStep()) {
          for (int i = 0; i < rows.getColumnCount(); ++i)
            text += rows.getColumn(i).getString() + "|";
          text += "\n";
        }
      }
      return out;
    }
    auto conn = storage_.scratch()->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    auto tables = (*conn)->Exec(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    EXPECT_TRUE(tables.ok());
    for (int i = 0; i < tables->rows(); ++i) {
      const std::string t(tables->Text(i, 0));
      auto rows = (*conn)->Exec("SELECT t::text FROM \"" + t + "\" t");
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      std::string& text = out[t];
      for (int r = 0; r < rows->rows(); ++r) text += std::string(rows->Text(r, 0)) + "\n";
    }
    return out;
  }

  // The tables (and evidence files) in which `needle` still occurs.
  std::vector<std::string> WhereFound(const std::string& needle) {
    std::vector<std::string> found;
    for (const auto& [table, text] : DumpAllTables()) {
      if (text.find(needle) != std::string::npos) found.push_back(table);
    }
    return found;
  }

  int64_t Rows(const std::string& table) {
    const std::string text = DumpAllTables()[table];
    return std::count(text.begin(), text.end(), '\n');
  }

  // The annual report's figures for the year of kT0 (2027), with the erasure counts.
  std::map<std::string, transparency::Figure> Report() {
    transparency::ReportStores stores{&db_->cases(), &db_->volume(), &db_->banks()};
    stores.erasures = [this](TimePoint from,
                             TimePoint to) -> Result<std::vector<transparency::ErasureTotal>> {
      ASSIGN_OR_RETURN(auto counts, store().ListErasureCounts(from, to));
      std::vector<transparency::ErasureTotal> out;
      for (const auto& c : counts) {
        out.push_back({std::string(privacy::ErasureReasonName(c.reason)), c.purpose, c.records});
      }
      return out;
    };
    auto r = transparency::BuildAnnualReport(
        stores, *transparency::BuiltInForm(transparency::kDefaultFormId),
        transparency::ReportConfig{}, 2027, clock_->Now());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->figures : std::map<std::string, transparency::Figure>{};
  }

  std::vector<std::string> Violations() {
    auto v = privacy::VerifyRetention(store(), evidence_.get(), clock_->Now());
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : std::vector<std::string>{"(verification failed)"};
  }

  testing::BackendStorage storage_;
  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<Database> db_;
  std::filesystem::path dir_;
  std::unique_ptr<privacy::EvidenceStore> evidence_;
};

TEST_P(PurgeTest, EveryRecordOfACaseIsStampedWithTheLongestPurposeOfThePolicy) {
  privacy::RetentionPolicy p = privacy::DefaultRetentionPolicy();
  for (auto& [purpose, days] : p.max_age) days = std::chrono::days(30);
  p.max_age[Purpose::kBlocking] = std::chrono::days(200);  // the longest case purpose
  p.max_age[Purpose::kHashing] = std::chrono::days(365);   // not a purpose of cases
  ASSERT_TRUE(store().PutRetentionPolicy(p, At(kT0)).ok());
  const cases::Case c = OpenCase(kAccount, "item");
  const TimePoint expiry = At(kT0 + 200 * kDay);
  auto evidence = store().ListEvidence(c.id);
  ASSERT_TRUE(evidence.ok());
  ASSERT_EQ(evidence->size(), 2u);
  EXPECT_EQ((*evidence)[0].expires_at, expiry);
  EXPECT_EQ((*evidence)[0].file, "case-1/item-0.vgev");
  EXPECT_TRUE(store().DueCases(expiry - std::chrono::seconds(1), 10)->empty());
  EXPECT_EQ(*store().DueCases(expiry, 10), std::vector<int64_t>{c.id});
  // Items, hashes and the case carry the same expiry (the dump shows it in every table).
  const std::string stamp = std::to_string(kT0 + 200 * kDay);
  for (const char* table : {"cases", "case_items", "case_item_hashes", "evidence_files"}) {
    EXPECT_NE(DumpAllTables()[table].find(stamp), std::string::npos) << table;
  }
}

TEST_P(PurgeTest, NotCsamErasesContentAndIdentifiersAndKeepsErrorAccounting) {
  const cases::Case c = OpenCase(kAccount, "item-secret");
  const cases::Case other = OpenCase("acct-other", "item-other");
  // Review decides it was not CSAM (writes the false positives and a rationale).
  NullSink sink;
  auto review = cases::ReviewService::Create(db_->cases(), sink, clock_, cases::ReviewConfig{});
  ASSERT_TRUE(review.ok()) << review.status().ToString();
  ASSERT_TRUE((*review)->Claim(c.id, "rev-1").ok());
  auto decided = (*review)->Decide(c.id, {.reviewer = "rev-1",
                                          .decision = cases::Decision::kNotCsam,
                                          .rationale = "a beach photo of item-secret-0"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  auto report_before = Report();
  auto fps_before = db_->cases().ListFalsePositives(At(0), At(kT0 + kDay));
  ASSERT_TRUE(fps_before.ok());
  ASSERT_EQ(fps_before->size(), 2u);
  EXPECT_FALSE(WhereFound(kAccount).empty());

  auto erased = privacy::EraseNotCsam(store(), evidence_.get(), c.id, clock_->Now());
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_TRUE(erased->erased);
  // case + 2 items + 2 hashes + 2 evidence rows.
  EXPECT_EQ(erased->records, 7);

  // Walk the schema: neither the account, nor the item ids, nor the hash, nor the rationale
  // remain anywhere; the other case is untouched.
  EXPECT_EQ(WhereFound(kAccount), std::vector<std::string>{});
  EXPECT_EQ(WhereFound("item-secret"), std::vector<std::string>{});
  EXPECT_EQ(WhereFound("beach photo"), std::vector<std::string>{});
  EXPECT_EQ(WhereFound("acct-other"), (std::vector<std::string>{"case_events", "cases"}));
  EXPECT_FALSE(WhereFound("item-other-1").empty());
  EXPECT_EQ(WhereFound(kHashHex), std::vector<std::string>{"case_item_hashes"});  // other's
  EXPECT_FALSE(std::filesystem::exists(dir_ / fmt::format("case-{}", c.id)));
  EXPECT_TRUE(std::filesystem::exists(dir_ / fmt::format("case-{}/item-0.vgev", other.id)));
  EXPECT_EQ(Rows("evidence_files"), 2);

  // Error accounting keeps technology, bank entry, decision and date.
  auto fps = db_->cases().ListFalsePositives(At(0), At(kT0 + kDay));
  ASSERT_TRUE(fps.ok());
  ASSERT_EQ(fps->size(), 2u);
  for (const cases::FalsePositive& fp : *fps) {
    EXPECT_EQ(fp.technology, "md5");
    EXPECT_EQ(fp.bank_entry_id, 3);
    EXPECT_EQ(fp.recorded_at, (*fps_before)[0].recorded_at);
    EXPECT_EQ(fp.item_id, "");
    EXPECT_EQ(fp.reviewer, "");
  }
  auto after = db_->cases().GetCase(c.id);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->progress.outcome, cases::Decision::kNotCsam);
  ASSERT_EQ(after->items.size(), 2u);
  EXPECT_EQ(after->items[0].flags.size(), 1u);
  EXPECT_EQ(after->items[0].flags[0].bank_entry_id, 3);
  EXPECT_TRUE(after->items[0].hashes.empty());

  // The transparency report's error figures still count the erased false positives.
  auto report_after = Report();
  for (const char* key :
       {"errors.known.A", "errors.known.B", "errors.known.C", "errors.known.rate"}) {
    EXPECT_EQ(report_after.at(key).count, report_before.at(key).count) << key;
    EXPECT_EQ(report_after.at(key).numerator, report_before.at(key).numerator) << key;
    EXPECT_EQ(report_after.at(key).denominator, report_before.at(key).denominator) << key;
  }
  EXPECT_EQ(report_after.at("errors.known.A").count, 4);  // both cases' items
  EXPECT_EQ(report_after.at("errors.known.B").count, 2);  // the erased case's two flags
  EXPECT_EQ(report_after.at("retention.erased_not_csam").count, 4 * 7);

  // Counted once for each purpose of the case, and nothing to verify against.
  auto counts = store().ListErasureCounts(At(kT0), At(kT0 + kDay));
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 4u);
  for (const privacy::ErasureCount& n : *counts) {
    EXPECT_EQ(n.reason, ErasureReason::kNotCsam);
    EXPECT_EQ(n.records, 7);
  }
  EXPECT_EQ(Violations(), std::vector<std::string>{});
  // A second erasure does nothing.
  EXPECT_FALSE(privacy::EraseNotCsam(store(), evidence_.get(), c.id, clock_->Now())->erased);
  // The erased case takes no more evidence.
  EXPECT_EQ(store().AddEvidence(c.id, 5, "x", 1, clock_->Now()).code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(PurgeTest, PurgeStoppedBetweenAndInsideBatchesFinishesOnTheNextRun) {
  std::vector<cases::Case> cases;
  for (int i = 0; i < 4; ++i) {
    cases.push_back(OpenCase(fmt::format("acct-{}", i), fmt::format("item-{}", i)));
    clock_->Advance(std::chrono::hours(24));
  }
  const cases::Case late = OpenCase("acct-late", "item-late");  // opened 4 days later
  // Day 365 after the first: cases 0-3 expired, the late one not yet.
  clock_->Set(At(kT0 + 365 * kDay + 3 * kDay));
  EXPECT_EQ(Violations().size(), 4u);

  // Crash after the first batch of one.
  privacy::PurgeOptions stop_after_one{.batch_size = 1};
  stop_after_one.after_batch = [](int batch) {
    return batch == 1 ? UnavailableError("crash") : Status::Ok();
  };
  EXPECT_EQ(privacy::Purge(store(), evidence_.get(), clock_->Now(), stop_after_one).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(Violations().size(), 3u);
  // Crash inside a batch: the second case's files are gone, its records not yet.
  privacy::PurgeOptions crash_inside{.batch_size = 2};
  crash_inside.before_erase = [&](int64_t id) {
    return id == cases[1].id ? UnavailableError("crash") : Status::Ok();
  };
  EXPECT_FALSE(privacy::Purge(store(), evidence_.get(), clock_->Now(), crash_inside).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / fmt::format("case-{}", cases[1].id)));
  EXPECT_FALSE(Violations().empty());

  auto finished = privacy::Purge(store(), evidence_.get(), clock_->Now(), {.batch_size = 2});
  ASSERT_TRUE(finished.ok()) << finished.status().ToString();
  EXPECT_EQ(finished->cases, 3);
  EXPECT_EQ(finished->records, 3 * 7);
  EXPECT_EQ(finished->records_by_purpose.at("reporting"), 3 * 7);
  EXPECT_FALSE(finished->records_by_purpose.contains("hashing"));
  EXPECT_EQ(Violations(), std::vector<std::string>{});
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(WhereFound(fmt::format("acct-{}|", i)), std::vector<std::string>{}) << i;
    EXPECT_EQ(WhereFound(fmt::format("item-{}-", i)), std::vector<std::string>{}) << i;
  }
  EXPECT_FALSE(WhereFound("item-late-0").empty());  // nothing lost: not yet expired
  EXPECT_TRUE(std::filesystem::exists(dir_ / fmt::format("case-{}/item-1.vgev", late.id)));
  auto counts = store().ListErasureCounts(At(kT0), clock_->Now() + std::chrono::days(1));
  ASSERT_TRUE(counts.ok());
  int64_t reporting = 0;
  for (const auto& n : *counts) {
    if (n.purpose == "reporting") reporting += n.records;
  }
  EXPECT_EQ(reporting, 4 * 7);  // the case of the first run counts too

  // Moving the clock past the late case's expiry makes it due; the purge takes it.
  clock_->Advance(std::chrono::days(2));
  EXPECT_EQ(Violations().size(), 1u);
  ASSERT_TRUE(privacy::Purge(store(), evidence_.get(), clock_->Now()).ok());
  EXPECT_EQ(Violations(), std::vector<std::string>{});
  EXPECT_EQ(evidence_->ListFiles()->size(), 0u);
}

TEST_P(PurgeTest, LegalHoldsSuspendExpiryAndAreAudited) {
  const cases::Case held_case = OpenCase("acct-a", "item-a");
  const cases::Case held_account = OpenCase("acct-b", "item-b");
  const cases::Case free_case = OpenCase("acct-c", "item-c");
  auto h1 = privacy::PlaceHold(
      store(), db_->audit(), Hold(fmt::format("case:{}", held_case.id), kT0, std::nullopt), "cli");
  ASSERT_TRUE(h1.ok()) << h1.status().ToString();
  auto h2 = privacy::PlaceHold(store(), db_->audit(), Hold("account:acct-b", kT0, kT0 + 400 * kDay),
                               "cli");
  ASSERT_TRUE(h2.ok()) << h2.status().ToString();

  clock_->Set(At(kT0 + 366 * kDay));
  auto run = privacy::Purge(store(), evidence_.get(), clock_->Now());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->cases, 1);
  EXPECT_EQ(Violations(), std::vector<std::string>{});  // held data is not a violation
  EXPECT_FALSE(WhereFound("item-a-0").empty());
  EXPECT_FALSE(WhereFound("item-b-0").empty());
  EXPECT_EQ(WhereFound("item-c-0"), std::vector<std::string>{});

  // Releasing the case hold makes that case due; the account hold ends on day 400 by itself.
  ASSERT_TRUE(
      privacy::ReleaseHold(store(), db_->audit(), h1->id, "dpo", clock_->Now(), "cli").ok());
  EXPECT_EQ(Violations().size(), 1u);
  ASSERT_EQ(privacy::Purge(store(), evidence_.get(), clock_->Now())->cases, 1);
  clock_->Set(At(kT0 + 400 * kDay));
  EXPECT_EQ(Violations().size(), 1u);
  ASSERT_EQ(privacy::Purge(store(), evidence_.get(), clock_->Now())->cases, 1);
  EXPECT_EQ(Violations(), std::vector<std::string>{});
  EXPECT_EQ(WhereFound("item-"), std::vector<std::string>{});

  // Every hold placed and released is in the hash-chained audit log.
  auto log = db_->audit().List(1, 100);
  ASSERT_TRUE(log.ok());
  std::vector<std::string> actions;
  for (const auto& r : *log) actions.push_back(r.event.action + " " + r.event.target);
  EXPECT_EQ(actions,
            (std::vector<std::string>{fmt::format("privacy.hold.place case:{}", held_case.id),
                                      "privacy.hold.place account:acct-b",
                                      fmt::format("privacy.hold.release case:{}", held_case.id)}));
  EXPECT_TRUE(audit::VerifyChain(db_->audit()).ok());
  (void)free_case;
  (void)held_account;
}

TEST_P(PurgeTest, SealedClearAccountIdExpiresAndIsErasedWithItsCase) {
  const std::string pseudonym = "p1.k1." + std::string(64, 'e');
  const cases::Case c = OpenCase(pseudonym, "item");
  const cases::Case other = OpenCase(pseudonym, "later");
  const privacy::EvidenceCipher& cipher = evidence_->cipher();
  ASSERT_TRUE(privacy::KeepClearAccountId(store(), cipher, c.id, kAccount, clock_->Now()).ok());
  ASSERT_TRUE(privacy::KeepClearAccountId(store(), cipher, other.id, kAccount, clock_->Now()).ok());
  ASSERT_TRUE(privacy::KeepClearAccountId(store(), cipher, c.id, "second", clock_->Now()).ok());
  EXPECT_EQ(Rows("case_accounts"), 2);
  // What an attacker with the database sees: the pseudonym, never the clear id.
  EXPECT_EQ(WhereFound(kAccount), std::vector<std::string>{});
  EXPECT_FALSE(WhereFound(pseudonym).empty());
  EXPECT_EQ(*privacy::RevealClearAccountId(store(), cipher, c.id),
            std::optional<std::string>(kAccount));
  // Stamped with its case's expiry (the default policy: 365 days).
  EXPECT_NE(DumpAllTables()["case_accounts"].find(std::to_string(kT0 + 365 * kDay)),
            std::string::npos);
  EXPECT_EQ(store().PutSealedAccount(99, "00", clock_->Now()).code(), StatusCode::kNotFound);

  // "Not CSAM" erases the case's sealed id at once (counted with its records); the other stays.
  auto erased = privacy::EraseNotCsam(store(), evidence_.get(), c.id, clock_->Now());
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(erased->records, 8);  // case, 2 items, 2 hashes, 2 evidence rows, the sealed id
  EXPECT_EQ(*privacy::RevealClearAccountId(store(), cipher, c.id), std::nullopt);
  EXPECT_EQ(store().PutSealedAccount(c.id, "00", clock_->Now()).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Rows("case_accounts"), 1);
  EXPECT_EQ(Violations(), std::vector<std::string>{});
  // At expiry the purge takes the other one.
  clock_->Set(At(kT0 + 365 * kDay));
  EXPECT_EQ(Violations().size(), 1u);
  ASSERT_TRUE(privacy::Purge(store(), evidence_.get(), clock_->Now()).ok());
  EXPECT_EQ(Rows("case_accounts"), 0);
  EXPECT_EQ(Violations(), std::vector<std::string>{});
}

TEST_P(PurgeTest, EvidenceFileWithoutItsRowFailsVerification) {
  const cases::Case c = OpenCase(kAccount, "item");
  const std::string media = kMedia;
  ASSERT_TRUE(
      evidence_
          ->Write(c.id, 9, std::span(reinterpret_cast<const uint8_t*>(media.data()), media.size()))
          .ok());
  const auto problems = Violations();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("case-1/item-9.vgev"), std::string::npos) << problems[0];
}

INSTANTIATE_TEST_SUITE_P(Databases, PurgeTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
