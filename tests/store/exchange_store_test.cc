// The ExchangeStore contract, run on memory, SQLite and PostgreSQL: exchanges are configured
// against existing banks, pages of hash updates are applied to the bank atomically with the
// cursor (compare-and-set), withdrawals retire entries and never delete them, sync results and
// organisation counts are kept, and everything survives reopening the database.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "bank/bank.h"
#include "exchange/exchange.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using exchange::ExchangeConfig;
using exchange::FetchedPage;
using exchange::HashUpdate;
using exchange::NewExchange;
using exchange::Opinion;
using testing::Backend;

const TimePoint kDay1{std::chrono::seconds(1'800'000'000)};  // 2027-01-15 08:00 UTC
const TimePoint kDay2 = kDay1 + std::chrono::hours(24);
const std::string kMd5A = "0123456789abcdef0123456789abcdef";
const std::string kMd5B = "fedcba9876543210fedcba9876543210";
const std::string kMd5C = "00000000000000000000000000000001";

NewExchange Ncmec(std::string name = "ncmec-esp") {
  return {.name = std::move(name),
          .type = exchange::ExchangeType::kNcmec,
          .bank = "ncmec",
          .organisation = "NCMEC",
          .organisation_kind = "ncmec",
          .endpoint = "https://report.cybertip.org/hashsharing",
          .credentials_ref = "env:NCMEC_CREDENTIALS"};
}

HashUpdate Md5(std::string value, Opinion opinion = Opinion::kPositive, std::string ref = "") {
  return {.type = bank::SignalType::kMd5,
          .value = std::move(value),
          .opinion = opinion,
          .source_ref = std::move(ref)};
}

class ExchangeStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_exchanges");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) {
      memory_banks_ = std::make_unique<bank::InMemoryBankStore>(clock_);
      memory_ = std::make_unique<exchange::InMemoryExchangeStore>(*memory_banks_);
    } else {
      Reopen();
    }
    ASSERT_TRUE(banks().CreateBank({.name = "ncmec", .owner = "NCMEC"}).ok());
    ASSERT_TRUE(banks().CreateBank({.name = "other"}).ok());
    auto x = store().CreateExchange(Ncmec(), kDay1);
    ASSERT_TRUE(x.ok()) << x.status().ToString();
    x_ = *x;
  }
  void Reopen() {
    db_.reset();
    auto db = OpenDatabase(storage_.url(), {.clock = clock_});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  bool persistent() const { return GetParam() != Backend::kMemory; }
  exchange::ExchangeStore& store() { return memory_ ? *memory_ : db_->exchanges(); }
  bank::BankStore& banks() { return memory_banks_ ? *memory_banks_ : db_->banks(); }
  exchange::ExchangeState State() {
    auto r = store().GetExchange(x_.name);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->state : exchange::ExchangeState{};
  }
  bank::BankEntry Entry(const std::string& md5) {
    auto e = banks().FindEntry(x_.bank_id, bank::SignalType::kMd5, md5);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? *e : bank::BankEntry{};
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kDay1);
  std::unique_ptr<bank::InMemoryBankStore> memory_banks_;
  std::unique_ptr<exchange::InMemoryExchangeStore> memory_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
  ExchangeConfig x_;
};

TEST_P(ExchangeStoreTest, ConfiguredExchangeRoundTripsWithEmptyState) {
  EXPECT_GT(x_.id, 0);
  EXPECT_EQ(x_.bank, "ncmec");
  EXPECT_EQ(x_.bank_id, banks().GetBank("ncmec")->id);
  EXPECT_EQ(x_.type, exchange::ExchangeType::kNcmec);
  EXPECT_EQ(x_.organisation, "NCMEC");
  EXPECT_EQ(x_.organisation_kind, "ncmec");
  EXPECT_EQ(x_.credentials_ref, "env:NCMEC_CREDENTIALS");
  EXPECT_EQ(x_.options, "{}");
  EXPECT_FALSE(x_.share);
  EXPECT_EQ(x_.created_at, kDay1);
  auto got = store().GetExchange("ncmec-esp");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->config, x_);
  EXPECT_EQ(got->state, exchange::ExchangeState{});
}

TEST_P(ExchangeStoreTest, NamesAreUniqueAndListedInOrder) {
  EXPECT_EQ(store().CreateExchange(Ncmec(), kDay1).status().code(), StatusCode::kAlreadyExists);
  NewExchange te{.name = "a-te",
                 .type = exchange::ExchangeType::kThreatExchange,
                 .bank = "other",
                 .organisation = "Meta ThreatExchange",
                 .endpoint = "https://graph.facebook.com/v21.0/123",
                 .options = R"({"types":["HASH_PDQ"]})",
                 .share = true};
  auto created = store().CreateExchange(te, kDay2);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->share);
  EXPECT_EQ(created->options, R"({"types":["HASH_PDQ"]})");
  auto all = store().ListExchanges();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].config.name, "a-te");
  EXPECT_EQ((*all)[1].config.name, "ncmec-esp");
}

TEST_P(ExchangeStoreTest, CreateRefusesUnknownBanksAndSecretsInPlaceOfReferences) {
  NewExchange e = Ncmec("x2");
  e.bank = "missing";
  EXPECT_EQ(store().CreateExchange(e, kDay1).status().code(), StatusCode::kNotFound);
  e = Ncmec("x2");
  e.credentials_ref = "user:hunter2";
  auto refused = store().CreateExchange(e, kDay1);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message().find("hunter2"), std::string::npos);
  e = Ncmec("x2");
  e.options = "[1]";
  EXPECT_EQ(store().CreateExchange(e, kDay1).status().code(), StatusCode::kInvalidArgument);
  e = Ncmec("bad name!");
  EXPECT_EQ(store().CreateExchange(e, kDay1).status().code(), StatusCode::kInvalidArgument);
  e = Ncmec("x2");
  e.organisation_kind = "police";
  EXPECT_EQ(store().CreateExchange(e, kDay1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().ListExchanges()->size(), 1u);
}

TEST_P(ExchangeStoreTest, PageAddsEntriesWithProvenanceAndMovesTheCursor) {
  FetchedPage page{.updates = {Md5(kMd5A, Opinion::kPositive, "image1"),
                               Md5("FEDCBA9876543210FEDCBA9876543210", Opinion::kDisputed, "v1")},
                   .next_cursor = "c1",
                   .done = false};
  auto applied = store().ApplyPage(x_.id, "", page, kDay1);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->added, 2u);
  EXPECT_EQ(applied->updated + applied->removed + applied->unchanged, 0u);
  const bank::BankEntry a = Entry(kMd5A), b = Entry(kMd5B);
  EXPECT_EQ(a.source_ref, "image1");
  EXPECT_EQ(a.added_at, kDay1);
  EXPECT_FALSE(a.needs_verification);
  EXPECT_TRUE(b.needs_verification);
  EXPECT_EQ(b.source_ref, "v1");
  ASSERT_EQ(applied->added_entries.size(), 2u);
  EXPECT_EQ(applied->added_entries[0], a);
  EXPECT_EQ(applied->added_entries[1], b);
  const auto state = State();
  EXPECT_EQ(state.cursor, "c1");
  EXPECT_EQ(state.pages, 1u);
  EXPECT_EQ(state.added, 2u);
  EXPECT_EQ(banks()
                .FindEntry(banks().GetBank("other")->id, bank::SignalType::kMd5, kMd5A)
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_P(ExchangeStoreTest, WithdrawalRetiresAndNothingRevivesIt) {
  const uint64_t changes_before = banks().GetChangeCount(x_.bank_id).value();
  ASSERT_TRUE(
      store()
          .ApplyPage(x_.id, "", {.updates = {Md5(kMd5A), Md5(kMd5B)}, .next_cursor = "c1"}, kDay1)
          .ok());
  // A server's in-memory matcher notices imports by this counter (BankStore::GetChangeCount).
  const uint64_t changes_added = banks().GetChangeCount(x_.bank_id).value();
  EXPECT_GT(changes_added, changes_before);
  clock_->Set(kDay2);  // the in-memory bank store retires on its clock
  HashUpdate gone = Md5(kMd5A, Opinion::kWithdrawn, "image1");
  gone.reason = "deleted at the source";
  auto applied = store().ApplyPage(
      x_.id, "c1",
      {.updates = {gone, Md5(kMd5B, Opinion::kDisputed), Md5(kMd5C, Opinion::kWithdrawn)},
       .next_cursor = "c2"},
      kDay2);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->removed, 1u);
  EXPECT_EQ(applied->updated, 1u);
  EXPECT_EQ(applied->unchanged, 1u);  // C was never in the bank
  const bank::BankEntry a = Entry(kMd5A);
  EXPECT_TRUE(a.retired);
  EXPECT_EQ(a.retired_at, kDay2);
  EXPECT_EQ(a.retired_reason, "withdrawn by exchange ncmec-esp: deleted at the source");
  ASSERT_EQ(applied->retired_entries.size(), 1u);
  EXPECT_EQ(applied->retired_entries[0], a);
  EXPECT_TRUE(Entry(kMd5B).needs_verification);
  EXPECT_GT(banks().GetChangeCount(x_.bank_id).value(), changes_added);

  // The source vouches for A again: it stays retired (a retired entry is never revived).
  auto again = store().ApplyPage(
      x_.id, "c2", {.updates = {Md5(kMd5A), Md5(kMd5B, Opinion::kDisputed)}, .next_cursor = "c3"},
      kDay2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 2u);
  EXPECT_TRUE(Entry(kMd5A).retired);
  const auto state = State();
  EXPECT_EQ(state.added, 2u);
  EXPECT_EQ(state.updated, 1u);
  EXPECT_EQ(state.removed, 1u);
  EXPECT_EQ(state.pages, 3u);
  EXPECT_EQ(banks().GetStats(x_.bank_id)->total, 2u);
}

// NCMEC deletes records (member and entry id), not hashes: every active entry added from that
// record is retired, and only those.
TEST_P(ExchangeStoreTest, WithdrawalBySourceRefRetiresTheRecordsEntries) {
  HashUpdate pdq{
      .type = bank::SignalType::kPdq, .value = std::string(64, 'e'), .source_ref = "42:image1"};
  ASSERT_TRUE(store()
                  .ApplyPage(x_.id, "",
                             {.updates = {Md5(kMd5A, Opinion::kPositive, "42:image1"), pdq,
                                          Md5(kMd5B, Opinion::kPositive, "42:image2")},
                              .next_cursor = "c1"},
                             kDay1)
                  .ok());
  clock_->Set(kDay2);
  HashUpdate gone{.opinion = Opinion::kWithdrawn,
                  .source_ref = "42:image1",
                  .reason = "deleted",
                  .by_source_ref = true};
  HashUpdate unknown = gone;
  unknown.source_ref = "42:nothing";
  auto applied =
      store().ApplyPage(x_.id, "c1", {.updates = {gone, unknown}, .next_cursor = "c2"}, kDay2);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->removed, 2u);
  EXPECT_EQ(applied->unchanged, 1u);
  ASSERT_EQ(applied->retired_entries.size(), 2u);
  EXPECT_EQ(applied->retired_entries[0], Entry(kMd5A));
  EXPECT_EQ(applied->retired_entries[1].signal_type, bank::SignalType::kPdq);
  EXPECT_EQ(applied->retired_entries[1].retired_reason, "withdrawn by exchange ncmec-esp: deleted");
  EXPECT_TRUE(Entry(kMd5A).retired);
  EXPECT_FALSE(Entry(kMd5B).retired);
  HashUpdate no_ref = gone;
  no_ref.source_ref = "";
  EXPECT_EQ(store()
                .ApplyPage(x_.id, "c2", {.updates = {no_ref}, .next_cursor = "c3"}, kDay2)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_P(ExchangeStoreTest, StaleCursorAppliesNothing) {
  ASSERT_TRUE(
      store().ApplyPage(x_.id, "", {.updates = {Md5(kMd5A)}, .next_cursor = "c1"}, kDay1).ok());
  auto stale = store().ApplyPage(x_.id, "", {.updates = {Md5(kMd5B)}, .next_cursor = "c1"}, kDay1);
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(banks().FindEntry(x_.bank_id, bank::SignalType::kMd5, kMd5B).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(State().cursor, "c1");
  EXPECT_EQ(State().pages, 1u);
  EXPECT_EQ(store().ApplyPage(999, "", {}, kDay1).status().code(), StatusCode::kNotFound);
}

TEST_P(ExchangeStoreTest, MalformedUpdateAppliesNothingOfThePage) {
  auto bad = store().ApplyPage(
      x_.id, "",
      {.updates = {Md5(kMd5A), Md5("not-a-hash", Opinion::kPositive, "r7")}, .next_cursor = "c1"},
      kDay1);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("update 1"), std::string::npos) << bad.status().message();
  EXPECT_EQ(banks().GetStats(x_.bank_id)->total, 0u);
  EXPECT_EQ(State(), exchange::ExchangeState{});
}

// A failure inside the page's transaction (here a trigger refusing one row, standing in for a
// crash or a full disk) leaves neither the earlier rows of the page nor the cursor behind.
TEST_P(ExchangeStoreTest, FailureMidPageRollsBackTheWholePage) {
  if (!persistent()) GTEST_SKIP() << "the in-memory fake has no failure midway to roll back";
  if (GetParam() == Backend::kSqlite) {
    db_.reset();
    {
      auto raw = OpenDatabase(storage_.url());
      ASSERT_TRUE(raw.ok());
    }
    SQLite::Database sql(storage_.sqlite_path(), SQLite::OPEN_READWRITE);
    sql.exec(
        "CREATE TRIGGER boom BEFORE INSERT ON bank_entries WHEN NEW.source_ref = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END");
  } else {
    auto conn = storage_.scratch()->Connect();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)
                    ->ExecScript("CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ "
                                 "BEGIN IF NEW.source_ref = 'boom' THEN RAISE EXCEPTION 'boom'; "
                                 "END IF; RETURN NEW; END $$; CREATE TRIGGER boom BEFORE INSERT "
                                 "ON bank_entries FOR EACH ROW EXECUTE FUNCTION boom();")
                    .ok());
  }
  Reopen();
  auto failed = store().ApplyPage(
      x_.id, "",
      {.updates = {Md5(kMd5A), Md5(kMd5B, Opinion::kPositive, "boom")}, .next_cursor = "c1"},
      kDay1);
  EXPECT_FALSE(failed.ok());
  auto stats = banks().GetStats(x_.bank_id);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->total, 0u);
  EXPECT_EQ(State(), exchange::ExchangeState{});
  EXPECT_TRUE(store().ListOrganisationContacts(kDay1 - std::chrono::hours(48), kDay2)->empty());
}

TEST_P(ExchangeStoreTest, SyncResultsAreKept) {
  ASSERT_TRUE(store().RecordSyncResult(x_.id, UnavailableError("HTTP 503"), kDay1).ok());
  auto s = State();
  EXPECT_EQ(s.last_error, "HTTP 503");
  EXPECT_EQ(s.last_error_at, kDay1);
  EXPECT_FALSE(s.last_sync_at);
  ASSERT_TRUE(store().RecordSyncResult(x_.id, Status::Ok(), kDay2).ok());
  s = State();
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(s.last_sync_at, kDay2);
  EXPECT_EQ(s.last_error_at, kDay1);
  EXPECT_EQ(store().RecordSyncResult(999, Status::Ok(), kDay2).code(), StatusCode::kNotFound);
}

TEST_P(ExchangeStoreTest, OrganisationsAreCountedPerDayAndDirection) {
  ASSERT_TRUE(
      store()
          .ApplyPage(x_.id, "", {.updates = {Md5(kMd5A), Md5(kMd5B)}, .next_cursor = "1"}, kDay1)
          .ok());
  ASSERT_TRUE(
      store().ApplyPage(x_.id, "1", {.updates = {Md5(kMd5C)}, .next_cursor = "2"}, kDay2).ok());
  ASSERT_TRUE(store().RecordShared(x_.id, 4, kDay2).ok());
  ASSERT_TRUE(store().RecordShared(x_.id, 0, kDay2).ok());
  EXPECT_EQ(store().RecordShared(999, 1, kDay2).code(), StatusCode::kNotFound);
  const TimePoint day1_start(std::chrono::seconds(exchange::DayOf(kDay1)));
  auto both = store().ListOrganisationContacts(day1_start, day1_start + std::chrono::hours(48));
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  const std::vector<exchange::OrganisationContact> want = {
      {"NCMEC", "ncmec", exchange::Direction::kReceived, 3},
      {"NCMEC", "ncmec", exchange::Direction::kShared, 4}};
  EXPECT_EQ(*both, want);
  auto first_day =
      store().ListOrganisationContacts(day1_start, day1_start + std::chrono::hours(24));
  ASSERT_TRUE(first_day.ok());
  ASSERT_EQ(first_day->size(), 1u);
  EXPECT_EQ((*first_day)[0].hashes, 2u);
}

TEST_P(ExchangeStoreTest, StateSurvivesReopening) {
  if (!persistent()) GTEST_SKIP() << "memory keeps nothing across restarts";
  ASSERT_TRUE(
      store().ApplyPage(x_.id, "", {.updates = {Md5(kMd5A)}, .next_cursor = "c1"}, kDay1).ok());
  ASSERT_TRUE(store().RecordSyncResult(x_.id, Status::Ok(), kDay2).ok());
  Reopen();
  const auto s = State();
  EXPECT_EQ(s.cursor, "c1");
  EXPECT_EQ(s.added, 1u);
  EXPECT_EQ(s.last_sync_at, kDay2);
  EXPECT_EQ(store().GetExchange("ncmec-esp")->config, x_);
}

INSTANTIATE_TEST_SUITE_P(Backends, ExchangeStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
