// Matcher against an in-memory bank store: which entries match, and which never do.
#include "match/matcher.h"

#include <gtest/gtest.h>

#include <random>

namespace vigil::match {
namespace {

hash::Hash256 RandomHash(uint32_t seed) {
  std::mt19937_64 rng(seed);
  hash::Hash256 h;
  for (auto& w : h.words) w = rng();
  return h;
}

// `h` with its first `bits` bits inverted: exactly that Hamming distance away.
hash::Hash256 Flip(hash::Hash256 h, int bits) {
  for (int k = 0; k < bits; ++k) h.words[k / 64] ^= uint64_t{1} << (k % 64);
  return h;
}

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    review_ = *store_.CreateBank(
        {"hotline", "Hotline", "", "list A", bank::ActionPolicy::kReviewRequired});
    auto_ =
        *store_.CreateBank({"own", "Provider", "", "confirmed", bank::ActionPolicy::kAutoAction});
    base_ = RandomHash(1);
    near_id_ = Add(review_, bank::SignalType::kPdq, Flip(base_, 10).ToHex());
    exact_id_ = Add(auto_, bank::SignalType::kPdq, base_.ToHex());
    far_id_ = Add(review_, bank::SignalType::kPdq, Flip(base_, 40).ToHex());
    retired_id_ = Add(review_, bank::SignalType::kPdq, Flip(base_, 3).ToHex());
    ASSERT_TRUE(store_.RetireEntry(retired_id_, "false positive confirmed on review").ok());
    md5_id_ = Add(review_, bank::SignalType::kMd5, "900150983cd24fb0d6963f7d28e17f72");
    Add(auto_, bank::SignalType::kPdq, RandomHash(2).ToHex());  // unrelated
  }

  bank::EntryId Add(const bank::Bank& b, bank::SignalType type, const std::string& value) {
    bank::NewEntry e;
    e.signal_type = type;
    e.value = value;
    EXPECT_TRUE(bank::AddEntry(store_, b.id, e).ok());
    return store_.FindEntry(b.id, type, value)->id;
  }

  std::unique_ptr<Matcher> Load(MatcherOptions options = {}) {
    auto m = Matcher::Load(store_, options);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }

  bank::InMemoryBankStore store_;
  bank::Bank review_, auto_;
  hash::Hash256 base_;
  bank::EntryId near_id_ = 0, exact_id_ = 0, far_id_ = 0, retired_id_ = 0, md5_id_ = 0;
};

TEST_F(MatcherTest, PdqMatchesWithinRadiusNearestFirstAndNeverRetired) {
  auto m = Load();
  auto matches = m->MatchPdq(base_, 100);
  ASSERT_TRUE(matches.ok()) << matches.status().ToString();
  ASSERT_EQ(matches->size(), 2u);
  EXPECT_EQ((*matches)[0].entry.id, exact_id_);
  EXPECT_EQ((*matches)[0].distance, 0);
  EXPECT_EQ((*matches)[0].bank.name, "own");
  EXPECT_TRUE((*matches)[0].bank.auto_action());
  EXPECT_EQ((*matches)[1].entry.id, near_id_);
  EXPECT_EQ((*matches)[1].distance, 10);
  EXPECT_EQ((*matches)[1].entry.value, Flip(base_, 10).ToHex());
  EXPECT_FALSE((*matches)[1].bank.auto_action());
}

TEST_F(MatcherTest, WiderRadiusReachesFartherEntries) {
  MatcherOptions options;
  options.pdq_radius = 40;
  auto matches = Load(options)->MatchPdq(base_, 100);
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches->size(), 3u);
  EXPECT_EQ(matches->back().entry.id, far_id_);
  EXPECT_EQ(matches->back().distance, 40);
}

TEST_F(MatcherTest, LowQualityPdqIsNotMatched) {
  auto m = Load();
  auto r = m->MatchPdq(base_, 49);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("49"), std::string::npos);
  EXPECT_TRUE(m->MatchPdq(base_, 50).ok());
  EXPECT_EQ(m->MatchPdq(base_, std::nullopt)->size(), 2u);  // quality unknown: matched
}

TEST_F(MatcherTest, BankSelectionLimitsMatchesAndUnknownBankIsNotFound) {
  MatcherOptions options;
  options.banks = {"hotline"};
  auto matches = Load(options)->MatchPdq(base_, 100);
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches->size(), 1u);
  EXPECT_EQ((*matches)[0].entry.id, near_id_);

  options.banks = {"nope"};
  auto missing = Matcher::Load(store_, options);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
}

TEST_F(MatcherTest, DigestsMatchExactly) {
  auto m = Load();
  hash::Md5Digest abc{};  // MD5("abc")
  ASSERT_TRUE(bank::HexToBytes("900150983cd24fb0d6963f7d28e17f72", abc));
  auto hit = m->MatchMd5(abc);
  ASSERT_TRUE(hit.ok());
  ASSERT_EQ(hit->size(), 1u);
  EXPECT_EQ((*hit)[0].entry.id, md5_id_);
  abc[0] ^= 1;
  EXPECT_TRUE(m->MatchMd5(abc)->empty());
  EXPECT_TRUE(m->MatchSha256(hash::Sha256Digest{})->empty());
}

TEST_F(MatcherTest, BankChangesApplyWithoutReloading) {
  auto m = Load();
  const hash::Hash256 other = RandomHash(99);
  EXPECT_TRUE(m->MatchPdq(other, 100)->empty());
  const bank::EntryId id = Add(review_, bank::SignalType::kPdq, other.ToHex());
  ASSERT_TRUE(m->OnEntryAdded(*store_.GetEntry(id)).ok());
  ASSERT_EQ(m->MatchPdq(other, 100)->size(), 1u);

  auto retired = store_.RetireEntry(id, "withdrawn by source");
  ASSERT_TRUE(retired.ok());
  ASSERT_TRUE(m->OnEntryRetired(*retired).ok());
  EXPECT_TRUE(m->MatchPdq(other, 100)->empty());
  EXPECT_EQ(m->GetStats().pdq_entries, 4u);  // exact, near, far, unrelated
}

}  // namespace
}  // namespace vigil::match
