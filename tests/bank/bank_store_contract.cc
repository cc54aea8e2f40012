#include "bank/bank_store_contract.h"

#include <fmt/format.h>

#include <set>

namespace vigil::bank::testing {
namespace {

using std::chrono::seconds;

const TimePoint kStart = std::chrono::sys_days(std::chrono::year(2024) / 5 / 1);

#define SKIP_UNLESS_SUPPORTED(expr)                                   \
  do {                                                                \
    auto skip_status_ = (expr);                                       \
    if (skip_status_.status().code() == StatusCode::kUnimplemented) { \
      GTEST_SKIP() << GetParam().name << " has no such feature";      \
    }                                                                 \
  } while (false)

}  // namespace

void BankStoreContractTest::SetUp() {
  clock_ = std::make_shared<FakeClock>(kStart);
  backend_ = GetParam().make();
  ASSERT_TRUE(backend_->Open(clock_).ok());
}

Bank BankStoreContractTest::MakeBank(const std::string& name) {
  auto bank = store().CreateBank({.name = name, .owner = "NCMEC"});
  EXPECT_TRUE(bank.ok()) << bank.status().ToString();
  return bank.ok() ? *bank : Bank{};
}

std::string BankStoreContractTest::Pdq(int i) { return fmt::format("{:064x}", 0xabc00000 + i); }
std::string BankStoreContractTest::Md5(int i) { return fmt::format("{:032x}", 0xd5000 + i); }

EntryBatch BankStoreContractTest::PdqBatch(int first, int n) {
  EntryBatch batch;
  for (int i = first; i < first + n; ++i) {
    EXPECT_TRUE(batch.Add({.signal_type = SignalType::kPdq, .value = Pdq(i)}).ok());
  }
  return batch;
}

std::vector<BankEntry> BankStoreContractTest::Entries(BankId bank, bool include_retired) {
  std::vector<BankEntry> out;
  Status s =
      store().ForEachEntry(bank, {.include_retired = include_retired}, [&](const BankEntry& e) {
        out.push_back(e);
        return Status::Ok();
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST_P(BankStoreContractTest, CreatedBankIsReturnedByNameWithEveryField) {
  clock_->Advance(seconds(42));
  auto created = store().CreateBank({.name = "ncmec-esp",
                                     .owner = "NCMEC",
                                     .description = "Hash sharing, ESP list",
                                     .source_list = "NCMEC ESP",
                                     .policy = ActionPolicy::kAutoAction});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->created_at, kStart + seconds(42));
  auto got = store().GetBank("ncmec-esp");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *created);
  EXPECT_TRUE(got->auto_action());
}

TEST_P(BankStoreContractTest, DuplicateBankNameIsAlreadyExists) {
  MakeBank("own");
  auto again = store().CreateBank({.name = "own"});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "bank 'own' already exists");
  EXPECT_EQ(store().ListBanks()->size(), 1u);
}

TEST_P(BankStoreContractTest, BadBankNamesAreInvalidArgument) {
  for (const std::string& name :
       std::vector<std::string>{"", "has space", "-leading", "semi;colon", std::string(65, 'a')}) {
    EXPECT_EQ(store().CreateBank({.name = name}).status().code(), StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_TRUE(store().ListBanks()->empty());
}

TEST_P(BankStoreContractTest, UnknownBankIsNotFoundNamingIt) {
  auto bank = store().GetBank("nope");
  EXPECT_EQ(bank.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bank.status().message(), "bank 'nope' does not exist");
}

TEST_P(BankStoreContractTest, ListBanksIsOrderedByName) {
  MakeBank("zeta");
  MakeBank("alpha");
  MakeBank("mid");
  auto banks = store().ListBanks();
  ASSERT_TRUE(banks.ok());
  ASSERT_EQ(banks->size(), 3u);
  EXPECT_EQ((*banks)[0].name, "alpha");
  EXPECT_EQ((*banks)[1].name, "mid");
  EXPECT_EQ((*banks)[2].name, "zeta");
}

TEST_P(BankStoreContractTest, AddingCountsAddedAndAlreadyPresentAndIsIdempotent) {
  Bank bank = MakeBank("b");
  auto first = store().AddEntries(bank.id, PdqBatch(0, 3));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->added, 3u);
  EXPECT_EQ(first->already_present, 0u);
  auto second = store().AddEntries(bank.id, PdqBatch(1, 3));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->added, 1u);
  EXPECT_EQ(second->already_present, 2u);
  auto entries = Entries(bank.id);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries.back().value, Pdq(3));  // a later batch gets higher ids
}

TEST_P(BankStoreContractTest, EntryKeepsProvenanceAndNormalisedValue) {
  Bank bank = MakeBank("b");
  clock_->Advance(seconds(7));
  EntryBatch batch;
  ASSERT_TRUE(batch
                  .Add({.signal_type = SignalType::kMd5,
                        .value = "D41D8CD98F00B204E9800998ECF8427E",
                        .source_ref = "case 17",
                        .verifications = 2,
                        .needs_verification = true})
                  .ok());
  ASSERT_TRUE(batch
                  .Add({.signal_type = SignalType::kPdq,
                        .value = Pdq(1),
                        .added_at = kStart - seconds(3600)})
                  .ok());
  ASSERT_TRUE(store().AddEntries(bank.id, batch).ok());
  auto entries = Entries(bank.id);
  ASSERT_EQ(entries.size(), 2u);
  // The order of ids within one batch is unspecified.
  if (entries[0].signal_type != SignalType::kMd5) std::swap(entries[0], entries[1]);
  const BankEntry& md5 = entries[0];
  EXPECT_EQ(md5.bank_id, bank.id);
  EXPECT_EQ(md5.signal_type, SignalType::kMd5);
  EXPECT_EQ(md5.value, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5.source_ref, "case 17");
  EXPECT_EQ(md5.verifications, 2);
  EXPECT_TRUE(md5.needs_verification);
  EXPECT_EQ(md5.added_at, kStart + seconds(7));  // from the clock
  EXPECT_FALSE(md5.retired);
  EXPECT_EQ(entries[1].added_at, kStart - seconds(3600));  // as given
  EXPECT_EQ(*store().GetEntry(md5.id), md5);
}

TEST_P(BankStoreContractTest, SameValueIsDistinctPerBankAndPerType) {
  Bank a = MakeBank("a");
  Bank b = MakeBank("b");
  const std::string hex = Pdq(5);  // 64 hex digits: a valid PDQ and a valid SHA-256
  EntryBatch batch;
  ASSERT_TRUE(batch.Add({.signal_type = SignalType::kPdq, .value = hex}).ok());
  ASSERT_TRUE(batch.Add({.signal_type = SignalType::kSha256, .value = hex}).ok());
  EXPECT_EQ(store().AddEntries(a.id, batch)->added, 2u);
  EXPECT_EQ(store().AddEntries(b.id, batch)->added, 2u);
  EXPECT_EQ(Entries(a.id).size(), 2u);
  EXPECT_EQ(Entries(b.id).size(), 2u);
}

TEST_P(BankStoreContractTest, AddingToUnknownBankIsNotFoundAndWritesNothing) {
  Bank bank = MakeBank("b");
  EXPECT_EQ(store().AddEntries(bank.id + 1000, PdqBatch(0, 2)).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Entries(bank.id).empty());
}

TEST_P(BankStoreContractTest, BatchFailingMidwayLeavesNothing) {
  Bank bank = MakeBank("b");
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 2)).ok());
  // The progress callback fails after the fifth row: rows 1-5 must be rolled back.
  auto result = store().AddEntries(bank.id, PdqBatch(100, 10), [](uint64_t done) {
    return done == 5 ? UnavailableError("interrupted") : Status::Ok();
  });
  EXPECT_EQ(result.status(), UnavailableError("interrupted"));
  EXPECT_EQ(Entries(bank.id).size(), 2u);
  EXPECT_EQ(store().GetStats(bank.id)->total, 2u);
  // And the store still works.
  EXPECT_EQ(store().AddEntries(bank.id, PdqBatch(100, 10))->added, 10u);
}

TEST_P(BankStoreContractTest, RetiredEntryIsKeptFlaggedAndLeftOutOfTheActiveStream) {
  Bank bank = MakeBank("b");
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 3)).ok());
  const EntryId victim = Entries(bank.id)[1].id;
  clock_->Advance(seconds(100));
  auto retired = store().RetireEntry(victim, "false positive confirmed on review");
  ASSERT_TRUE(retired.ok()) << retired.status().ToString();
  EXPECT_TRUE(retired->retired);
  EXPECT_EQ(retired->retired_reason, "false positive confirmed on review");
  EXPECT_EQ(retired->retired_at, kStart + seconds(100));
  EXPECT_EQ(*store().GetEntry(victim), *retired);

  auto active = Entries(bank.id);
  ASSERT_EQ(active.size(), 2u);
  for (const BankEntry& e : active) EXPECT_NE(e.id, victim);
  auto all = Entries(bank.id, /*include_retired=*/true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1], *retired);
}

TEST_P(BankStoreContractTest, RetireRules) {
  Bank bank = MakeBank("b");
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 1)).ok());
  const EntryId id = Entries(bank.id)[0].id;
  EXPECT_EQ(store().RetireEntry(id, "  ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().RetireEntry(id + 1000, "x").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store().RetireEntry(id, "first").ok());
  auto again = store().RetireEntry(id, "second");
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().GetEntry(id)->retired_reason, "first");
}

// The marker a process keeping a bank in memory polls: one step per adding or retiring call,
// nothing for calls that change nothing or only verification flags, per bank.
TEST_P(BankStoreContractTest, ChangeCountGrowsWithAddsAndRetirementsOnly) {
  Bank bank = MakeBank("b");
  Bank other = MakeBank("o");
  auto count = [&](BankId id) {
    auto c = store().GetChangeCount(id);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : uint64_t{0};
  };
  const uint64_t start = count(bank.id);
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 1)).ok());
  EXPECT_EQ(count(bank.id), start + 1);
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 1)).ok());  // already present
  EXPECT_EQ(count(bank.id), start + 1);
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(1, 3)).ok());
  const uint64_t after_batch = count(bank.id);
  EXPECT_GT(after_batch, start + 1);
  const EntryId id = Entries(bank.id)[0].id;
  ASSERT_TRUE(store().FlagForVerification(id).ok());
  EXPECT_EQ(count(bank.id), after_batch);
  ASSERT_TRUE(store().RetireEntry(id, "withdrawn").ok());
  EXPECT_EQ(count(bank.id), after_batch + 1);
  EXPECT_FALSE(store().RetireEntry(id, "again").ok());
  EXPECT_EQ(count(bank.id), after_batch + 1);
  EXPECT_EQ(count(other.id), start);  // another bank's changes do not count
  EXPECT_EQ(store().GetChangeCount(bank.id + 1000).status().code(), StatusCode::kNotFound);
}

TEST_P(BankStoreContractTest, FlagForVerificationSetsTheFlagIdempotentlyAndPersists) {
  Bank bank = MakeBank("b");
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 2)).ok());
  const EntryId id = Entries(bank.id)[0].id;
  EXPECT_FALSE(store().GetEntry(id)->needs_verification);
  auto flagged = store().FlagForVerification(id);
  ASSERT_TRUE(flagged.ok()) << flagged.status().ToString();
  EXPECT_TRUE(flagged->needs_verification);
  EXPECT_TRUE(store().FlagForVerification(id).ok());  // again: no error
  EXPECT_TRUE(store().GetEntry(id)->needs_verification);
  EXPECT_FALSE(store().GetEntry(Entries(bank.id)[1].id)->needs_verification);
  EXPECT_EQ(store().GetStats(bank.id)->needs_verification, 1u);
  EXPECT_EQ(store().FlagForVerification(id + 1000).status().code(), StatusCode::kNotFound);
}

TEST_P(BankStoreContractTest, ReaddingARetiredValueDoesNotReviveIt) {
  Bank bank = MakeBank("b");
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 1)).ok());
  const EntryId id = Entries(bank.id)[0].id;
  ASSERT_TRUE(store().RetireEntry(id, "wrong").ok());
  auto again = store().AddEntries(bank.id, PdqBatch(0, 1));
  EXPECT_EQ(again->added, 0u);
  EXPECT_EQ(again->already_present, 1u);
  EXPECT_TRUE(Entries(bank.id).empty());
}

TEST_P(BankStoreContractTest, EntryImportedRetiredStaysRetired) {
  Bank bank = MakeBank("b");
  EntryBatch batch;
  ASSERT_TRUE(batch
                  .Add({.signal_type = SignalType::kPdq,
                        .value = Pdq(1),
                        .retired_at = kStart - seconds(5),
                        .retired_reason = "retired at the source"})
                  .ok());
  ASSERT_TRUE(store().AddEntries(bank.id, batch).ok());
  EXPECT_TRUE(Entries(bank.id).empty());
  auto all = Entries(bank.id, true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0].retired);
  EXPECT_EQ(all[0].retired_at, kStart - seconds(5));
  EXPECT_EQ(all[0].retired_reason, "retired at the source");
}

TEST_P(BankStoreContractTest, FindEntryByValueInAnyCase) {
  Bank bank = MakeBank("b");
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 2)).ok());
  std::string upper = Pdq(1);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  auto found = store().FindEntry(bank.id, SignalType::kPdq, upper);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->value, Pdq(1));
  EXPECT_EQ(store().FindEntry(bank.id, SignalType::kSha256, Pdq(1)).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store().FindEntry(bank.id, SignalType::kPdq, "xyz").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store().GetEntry(999999).status().code(), StatusCode::kNotFound);
}

TEST_P(BankStoreContractTest, StreamIsInIdOrderAcrossManyEntriesAndStopsOnError) {
  Bank bank = MakeBank("b");
  constexpr int kN = 20000;  // more than one page of a paging backend
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, kN)).ok());
  auto entries = Entries(bank.id);
  ASSERT_EQ(entries.size(), static_cast<size_t>(kN));
  for (int i = 1; i < kN; ++i) ASSERT_LT(entries[i - 1].id, entries[i].id);
  // Ids within one batch may follow any order; every value is there once.
  std::set<std::string> values;
  for (const auto& e : entries) values.insert(e.value);
  EXPECT_EQ(values.size(), static_cast<size_t>(kN));
  EXPECT_TRUE(values.contains(Pdq(0)));
  EXPECT_TRUE(values.contains(Pdq(kN - 1)));

  int seen = 0;
  Status s = store().ForEachEntry(bank.id, {}, [&](const BankEntry&) {
    return ++seen == 10 ? InternalError("stop") : Status::Ok();
  });
  EXPECT_EQ(s, InternalError("stop"));
  EXPECT_EQ(seen, 10);
  EXPECT_EQ(store()
                .ForEachEntry(bank.id + 1000, {}, [](const BankEntry&) { return Status::Ok(); })
                .code(),
            StatusCode::kNotFound);
}

TEST_P(BankStoreContractTest, StatsCountTypesActiveRetiredAndVerified) {
  Bank bank = MakeBank("b");
  Bank other = MakeBank("other");
  EntryBatch batch;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        batch.Add({.signal_type = SignalType::kPdq, .value = Pdq(i), .verifications = i}).ok());
  }
  ASSERT_TRUE(
      batch.Add({.signal_type = SignalType::kMd5, .value = Md5(0), .needs_verification = true})
          .ok());
  ASSERT_TRUE(store().AddEntries(bank.id, batch).ok());
  ASSERT_TRUE(store().AddEntries(other.id, PdqBatch(50, 5)).ok());
  const EntryId verified = store().FindEntry(bank.id, SignalType::kPdq, Pdq(2))->id;
  ASSERT_TRUE(store().RetireEntry(verified, "wrong").ok());

  auto stats = store().GetStats(bank.id);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  BankStats want;
  want.total = 4;
  want.active = 3;
  want.retired = 1;
  want.verified = 1;
  want.needs_verification = 1;
  want.by_type[SignalType::kPdq] = {.active = 2, .retired = 1};
  want.by_type[SignalType::kMd5] = {.active = 1, .retired = 0};
  EXPECT_EQ(*stats, want);
  EXPECT_EQ(store().GetStats(bank.id + 1000).status().code(), StatusCode::kNotFound);
}

TEST_P(BankStoreContractTest, EverythingPersistsAcrossReopen) {
  Bank bank = MakeBank("b");
  ASSERT_TRUE(store().AddEntries(bank.id, PdqBatch(0, 3)).ok());
  const auto before = Entries(bank.id, true);
  ASSERT_TRUE(store().RetireEntry(before[0].id, "wrong").ok());
  const auto with_retired = Entries(bank.id, true);
  SKIP_UNLESS_SUPPORTED(backend_->AppliedMigrations());
  ASSERT_TRUE(backend_->Reopen().ok());
  EXPECT_EQ(*store().GetBank("b"), bank);
  EXPECT_EQ(Entries(bank.id, true), with_retired);
  EXPECT_EQ(store().AddEntries(bank.id, PdqBatch(0, 3))->already_present, 3u);
}

TEST_P(BankStoreContractTest, MigrationsAreAppliedOnce) {
  auto first = backend_->AppliedMigrations();
  SKIP_UNLESS_SUPPORTED(first);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->empty());
  // Versions ascend from 1; numbers may be skipped (they are reserved per feature in advance).
  EXPECT_EQ((*first)[0].first, 1);
  for (size_t i = 0; i < first->size(); ++i) {
    if (i > 0) {
      EXPECT_GT((*first)[i].first, (*first)[i - 1].first);
    }
    EXPECT_EQ((*first)[i].second, kStart);
  }
  clock_->Advance(seconds(3600));
  ASSERT_TRUE(backend_->Reopen().ok());
  ASSERT_TRUE(backend_->Reopen().ok());
  EXPECT_EQ(*backend_->AppliedMigrations(), *first);  // same versions, original times
}

TEST_P(BankStoreContractTest, NewerSchemaIsRefused) {
  SKIP_UNLESS_SUPPORTED(backend_->AppliedMigrations());
  ASSERT_TRUE(backend_->CloseAndMarkNewerSchema().ok());
  Status s = backend_->Reopen();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find(backend_->storage_name()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("newer than this vigil knows"), std::string::npos) << s.message();
}

TEST_P(BankStoreContractTest, CorruptStorageIsAClearError) {
  SKIP_UNLESS_SUPPORTED(backend_->AppliedMigrations());
  ASSERT_TRUE(backend_->CloseAndCorrupt().ok());
  Status s = backend_->Reopen();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find(backend_->storage_name()), std::string::npos) << s.message();
}

}  // namespace vigil::bank::testing
