// Matcher::AddBank and Matcher::Reconcile: a bank created after the matcher was loaded joins it
// without a reload, and a change tells whether it was new to the matcher.
#include <gtest/gtest.h>

#include <random>

#include "bank/hooked_bank_store.h"
#include "core/text.h"
#include "match/matcher.h"

namespace vigil::match {
namespace {

hash::Hash256 RandomHash(uint32_t seed) {
  std::mt19937_64 rng(seed);
  hash::Hash256 h;
  for (auto& w : h.words) w = rng();
  return h;
}

const char kMd5[] = "900150983cd24fb0d6963f7d28e17f72";

class MatcherNewBankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_ =
        *store_.CreateBank({"old", "Hotline", "", "list A", bank::ActionPolicy::kReviewRequired});
    old_pdq_ = Add(old_, bank::SignalType::kPdq, RandomHash(1).ToHex());
  }

  bank::EntryId Add(const bank::Bank& b, bank::SignalType type, const std::string& value) {
    EXPECT_TRUE(bank::AddEntry(store_, b.id, {type, value}).ok());
    return store_.FindEntry(b.id, type, value)->id;
  }

  std::unique_ptr<Matcher> Load(MatcherOptions options = {}) {
    auto m = Matcher::Load(hooked_, options);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }

  static std::vector<MatchRef> Lookup(const Matcher& m, uint32_t seed) {
    auto r = m.LookupPdq(RandomHash(seed), std::nullopt);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<MatchRef>{};
  }

  bank::InMemoryBankStore store_;
  bank::testing::HookedBankStore hooked_{store_};
  bank::Bank old_;
  bank::EntryId old_pdq_ = 0;
};

TEST_F(MatcherNewBankTest, ABankCreatedAfterLoadJoinsWithItsActiveEntries) {
  auto m = Load();
  auto late = store_.CreateBank({"late", "Provider", "", "", bank::ActionPolicy::kAutoAction});
  ASSERT_TRUE(late.ok());
  const bank::EntryId pdq = Add(*late, bank::SignalType::kPdq, RandomHash(2).ToHex());
  const bank::EntryId md5 = Add(*late, bank::SignalType::kMd5, kMd5);
  const bank::EntryId gone = Add(*late, bank::SignalType::kPdq, RandomHash(3).ToHex());
  ASSERT_TRUE(store_.RetireEntry(gone, "withdrawn by source").ok());
  // Unknown to the matcher: OnEntryAdded ignores its entries.
  EXPECT_FALSE(m->HasBank(late->id));
  ASSERT_TRUE(m->OnEntryAdded(*store_.GetEntry(pdq)).ok());
  EXPECT_TRUE(Lookup(*m, 2).empty());

  auto added = m->AddBank(late->id);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(*added);
  EXPECT_TRUE(m->HasBank(late->id));
  auto refs = Lookup(*m, 2);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].entry_id, pdq);
  EXPECT_EQ(refs[0].bank->name, "late");
  EXPECT_EQ(refs[0].distance, 0);
  auto full = m->MatchPdq(RandomHash(2), std::nullopt);
  ASSERT_TRUE(full.ok() && full->size() == 1u);
  EXPECT_TRUE((*full)[0].bank.auto_action());
  hash::Md5Digest digest{};
  ASSERT_TRUE(HexToBytes(kMd5, digest).ok());
  ASSERT_EQ(m->LookupMd5(digest).size(), 1u);
  EXPECT_EQ(m->LookupMd5(digest)[0].entry_id, md5);
  EXPECT_TRUE(Lookup(*m, 3).empty());  // retired before the bank joined
  // The bank loaded first keeps its position: its entries still name it.
  auto old = Lookup(*m, 1);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].entry_id, old_pdq_);
  EXPECT_EQ(old[0].bank->name, "old");
  MatcherStats stats = m->GetStats();
  EXPECT_EQ(stats.banks, 2u);
  EXPECT_EQ(stats.pdq_entries, 2u);
  EXPECT_EQ(stats.md5_entries, 1u);

  // Once joined, later changes apply as for any bank; adding it again changes nothing.
  added = m->AddBank(late->id);
  ASSERT_TRUE(added.ok());
  EXPECT_FALSE(*added);
  const bank::EntryId later = Add(*late, bank::SignalType::kPdq, RandomHash(4).ToHex());
  ASSERT_TRUE(m->OnEntryAdded(*store_.GetEntry(later)).ok());
  EXPECT_EQ(Lookup(*m, 4).size(), 1u);
  EXPECT_EQ(m->GetStats().pdq_entries, 3u);
}

TEST_F(MatcherNewBankTest, NamedBanksAndUnknownBanksAreNotAdded) {
  auto late = store_.CreateBank({"late", "Provider", "", "", bank::ActionPolicy::kReviewRequired});
  ASSERT_TRUE(late.ok());
  Add(*late, bank::SignalType::kPdq, RandomHash(2).ToHex());
  MatcherOptions only_old;
  only_old.banks = {"old"};
  auto named = Load(only_old);
  auto added = named->AddBank(late->id);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_FALSE(*added);
  EXPECT_FALSE(named->HasBank(late->id));
  EXPECT_TRUE(Lookup(*named, 2).empty());

  auto all = Load();
  auto missing = all->AddBank(999);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("999"), std::string::npos);
  EXPECT_EQ(all->GetStats().banks, 2u);  // both existed at load
}

TEST_F(MatcherNewBankTest, AFailedReadLeavesTheMatcherAsItWasAndATryLaterWorks) {
  auto m = Load();
  auto late = store_.CreateBank({"late", "Provider", "", "", bank::ActionPolicy::kReviewRequired});
  ASSERT_TRUE(late.ok());
  Add(*late, bank::SignalType::kPdq, RandomHash(2).ToHex());
  hooked_.read_error = UnavailableError("database connection lost");
  auto added = m->AddBank(late->id);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(m->HasBank(late->id));
  EXPECT_EQ(m->GetStats().banks, 1u);
  hooked_.read_error = Status::Ok();
  added = m->AddBank(late->id);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(*added);
  EXPECT_EQ(Lookup(*m, 2).size(), 1u);
}

TEST_F(MatcherNewBankTest, ReconcileAppliesTheStoredStateAndTellsNewFromRepeated) {
  auto m = Load();
  const bank::EntryId pdq = Add(old_, bank::SignalType::kPdq, RandomHash(5).ToHex());
  const bank::EntryId md5 = Add(old_, bank::SignalType::kMd5, kMd5);
  for (const bank::EntryId id : {pdq, md5}) {
    const bank::BankEntry active = *store_.GetEntry(id);
    auto changed = m->Reconcile(active);
    ASSERT_TRUE(changed.ok()) << changed.status().ToString();
    EXPECT_TRUE(*changed) << id;
    EXPECT_FALSE(*m->Reconcile(active)) << id;  // an add event repeated
    auto retired = store_.RetireEntry(id, "false positive confirmed on review");
    ASSERT_TRUE(retired.ok());
    EXPECT_TRUE(*m->Reconcile(*retired)) << id;
    EXPECT_FALSE(*m->Reconcile(*retired)) << id;  // a retire event repeated
    // A late add event reads the entry as retired: it stays out.
    EXPECT_FALSE(*m->Reconcile(*store_.GetEntry(id))) << id;
  }
  EXPECT_TRUE(Lookup(*m, 5).empty());
  hash::Md5Digest digest{};
  ASSERT_TRUE(HexToBytes(kMd5, digest).ok());
  EXPECT_TRUE(m->LookupMd5(digest).empty());
  // The entry loaded with the matcher is held: nothing to do.
  EXPECT_FALSE(*m->Reconcile(*store_.GetEntry(old_pdq_)));
  // Entries of a bank the matcher does not hold are not its business.
  MatcherOptions none_of_late;
  none_of_late.banks = {"old"};
  auto late = store_.CreateBank({"late", "Provider", "", "", bank::ActionPolicy::kReviewRequired});
  const bank::EntryId other = Add(*late, bank::SignalType::kPdq, RandomHash(6).ToHex());
  auto named = Load(none_of_late);
  EXPECT_FALSE(*named->Reconcile(*store_.GetEntry(other)));
  EXPECT_TRUE(Lookup(*named, 6).empty());
}

}  // namespace
}  // namespace vigil::match
