// Matcher against an in-memory bank store: which entries match, and which never do.
#include "match/matcher.h"

#include <gtest/gtest.h>

#include <random>

#include "core/text.h"

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
  ASSERT_TRUE(HexToBytes("900150983cd24fb0d6963f7d28e17f72", abc).ok());
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

// Lookup* answer from memory what Match* answer with the store's entries: the same entries in
// the same order, with the right bank and distance, and the same refusals.
TEST_F(MatcherTest, LookupsFromMemoryGiveTheSameMatchesAsTheStoreBackedOnes) {
  MatcherOptions options;
  options.pdq_radius = 40;
  auto m = Load(options);
  const auto same = [](const std::vector<BankMatch>& full, const std::vector<MatchRef>& refs) {
    ASSERT_EQ(full.size(), refs.size());
    for (size_t i = 0; i < full.size(); ++i) {
      EXPECT_EQ(refs[i].entry_id, full[i].entry.id);
      ASSERT_NE(refs[i].bank, nullptr);
      EXPECT_EQ(refs[i].bank->name, full[i].bank.name);
      EXPECT_EQ(refs[i].bank->id, full[i].entry.bank_id);
      EXPECT_EQ(refs[i].distance, full[i].distance);
    }
  };
  auto refs = m->LookupPdq(base_, 100);
  ASSERT_TRUE(refs.ok());
  // Hand-checked: exact (own, 0), near (hotline, 10), far (hotline, 40); never the retired one.
  ASSERT_EQ(refs->size(), 3u);
  EXPECT_EQ((*refs)[0].entry_id, exact_id_);
  EXPECT_EQ((*refs)[0].bank->name, "own");
  EXPECT_EQ((*refs)[1].entry_id, near_id_);
  EXPECT_EQ((*refs)[1].bank->name, "hotline");
  EXPECT_EQ((*refs)[2].entry_id, far_id_);
  EXPECT_EQ((*refs)[2].distance, 40);
  same(*m->MatchPdq(base_, 100), *refs);
  EXPECT_EQ(m->LookupPdq(base_, 49).status().code(), StatusCode::kFailedPrecondition);

  hash::Md5Digest abc{};
  ASSERT_TRUE(HexToBytes("900150983cd24fb0d6963f7d28e17f72", abc).ok());
  same(*m->MatchMd5(abc), m->LookupMd5(abc));
  ASSERT_EQ(m->LookupMd5(abc).size(), 1u);
  EXPECT_EQ(m->LookupMd5(abc)[0].bank->name, "hotline");
  EXPECT_TRUE(m->LookupSha256(hash::Sha256Digest{}).empty());

  // Live changes apply to lookups too, under the entry's own bank.
  const hash::Hash256 other = RandomHash(77);
  const bank::EntryId id = Add(auto_, bank::SignalType::kPdq, other.ToHex());
  ASSERT_TRUE(m->OnEntryAdded(*store_.GetEntry(id)).ok());
  ASSERT_EQ(m->LookupPdq(other, std::nullopt)->size(), 1u);
  EXPECT_EQ((*m->LookupPdq(other, std::nullopt))[0].bank->name, "own");
  ASSERT_TRUE(m->OnEntryRetired(*store_.RetireEntry(id, "withdrawn")).ok());
  EXPECT_TRUE(m->LookupPdq(other, std::nullopt)->empty());
  ASSERT_TRUE(m->OnEntryRetired(*store_.RetireEntry(md5_id_, "withdrawn")).ok());
  EXPECT_TRUE(m->LookupMd5(abc).empty());

  // A matcher of one bank knows only that bank's entries.
  options.banks = {"own"};
  auto own = Load(options);
  ASSERT_EQ(own->LookupPdq(base_, 100)->size(), 1u);
  EXPECT_EQ((*own->LookupPdq(base_, 100))[0].bank->name, "own");
}

// A vPDQ value of frames with these hashes and qualities, one a second.
std::string VideoValue(const std::vector<hash::Hash256>& hashes, const std::vector<int>& quality) {
  std::vector<hash::VpdqFrame> frames;
  for (size_t i = 0; i < hashes.size(); ++i) {
    frames.push_back({static_cast<int64_t>(30 * i), quality[i], hashes[i], static_cast<double>(i)});
  }
  std::string value = hash::FormatVpdq(frames);
  value.pop_back();
  for (char& c : value) c = c == '\n' ? ';' : c;
  return value;
}

std::vector<hash::VpdqFrame> Frames(const std::vector<hash::Hash256>& hashes, int quality = 100) {
  std::vector<hash::VpdqFrame> frames;
  for (size_t i = 0; i < hashes.size(); ++i) {
    frames.push_back({static_cast<int64_t>(i), quality, hashes[i], static_cast<double>(i)});
  }
  return frames;
}

TEST_F(MatcherTest, VideoSharesCountDistinctFramesOnBothSidesAsTheVpdqRule) {
  // Target: frames A B C D plus a low-quality frame L that takes no part.
  const hash::Hash256 a = RandomHash(10), b = RandomHash(11), c = RandomHash(12),
                      d = RandomHash(13), l = RandomHash(14);
  const bank::EntryId video =
      Add(review_, bank::SignalType::kVpdq, VideoValue({a, b, c, d, l}, {100, 90, 80, 70, 20}));
  auto m = Load();
  EXPECT_EQ(m->GetStats().vpdq_entries, 1u);
  EXPECT_EQ(m->GetStats().vpdq_frames, 4u);
  EXPECT_EQ(m->GetStats().pdq_entries, 4u);  // photos only
  // Query: A (twice), a frame 31 bits from B, one 32 bits from C, L, and an unrelated frame.
  // Query frames after de-duplication: A, B', C'', L, X (5); matched: A, B' (2) -> 40%.
  // Target frames: A B C D (4); matched: A, B (2) -> 50%.
  const auto query = Frames({a, a, Flip(b, 31), Flip(c, 32), l, RandomHash(15)});
  auto found = m->MatchVpdq(query, /*include_below_threshold=*/true);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 1u);
  const hash::VpdqMatchResult& r = (*found)[0].result;
  EXPECT_EQ((*found)[0].entry.id, video);
  EXPECT_EQ(r.query_frames, 5);
  EXPECT_EQ(r.query_frames_matched, 2);
  EXPECT_EQ(r.target_frames, 4);
  EXPECT_EQ(r.target_frames_matched, 2);
  EXPECT_EQ(r.query_match_percent, 40.0);
  EXPECT_EQ(r.target_match_percent, 50.0);
  EXPECT_FALSE(r.is_match);
  const auto brute = hash::MatchVpdq(query, Frames({a, b, c, d}));
  EXPECT_EQ(brute.query_match_percent, r.query_match_percent);
  EXPECT_EQ(brute.target_match_percent, r.target_match_percent);
  // Below the default 80/80 it is not reported; with lower thresholds it is.
  EXPECT_TRUE(m->MatchVpdq(query)->empty());
  MatcherOptions low;
  low.vpdq.query_match_threshold_percent = 40;
  low.vpdq.target_match_threshold_percent = 50;
  ASSERT_EQ(Load(low)->MatchVpdq(query)->size(), 1u);
  // The video's frames never answer a photo query.
  EXPECT_TRUE(m->MatchPdq(a, 100)->empty());
}

TEST_F(MatcherTest, VideoOfOnlyLowQualityFramesIsNotMatched) {
  Add(review_, bank::SignalType::kVpdq, VideoValue({RandomHash(20)}, {100}));
  auto m = Load();
  auto found = m->MatchVpdq(Frames({RandomHash(20)}, 49));
  EXPECT_EQ(found.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(found.status().message().find("quality 50"), std::string::npos);
  MatcherOptions bad;
  bad.vpdq.max_distance = 257;
  EXPECT_EQ(Matcher::Load(store_, bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::match
