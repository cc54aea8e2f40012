// EntryBatch: compact storage must give back exactly what went in.
#include "bank/entry_batch.h"

#include <gtest/gtest.h>

namespace vigil::bank {
namespace {

NewEntry Entry(SignalType type, char digit, std::string ref = "") {
  return {.signal_type = type,
          .value = std::string(2 * SignalValueBytes(type), digit),
          .source_ref = std::move(ref)};
}

TEST(EntryBatchTest, GivesBackEveryFieldNormalised) {
  EntryBatch batch;
  NewEntry e{.signal_type = SignalType::kMd5,
             .value = std::string(32, 'A'),
             .source_ref = "ref,1",
             .added_at = TimePoint(std::chrono::seconds(1700000000)),
             .verifications = 3,
             .needs_verification = true,
             .retired_at = TimePoint(std::chrono::seconds(1700000100)),
             .retired_reason = "false positive"};
  ASSERT_TRUE(batch.Add(e).ok());
  ASSERT_EQ(batch.size(), 1u);
  NewEntry got = batch.Get(0);
  EXPECT_EQ(got.value, std::string(32, 'a'));
  EXPECT_EQ(got.signal_type, SignalType::kMd5);
  EXPECT_EQ(got.source_ref, "ref,1");
  EXPECT_EQ(got.added_at, e.added_at);
  EXPECT_EQ(got.verifications, 3);
  EXPECT_TRUE(got.needs_verification);
  EXPECT_EQ(got.retired_at, e.retired_at);
  EXPECT_EQ(got.retired_reason, "false positive");
  EXPECT_EQ(batch.value_bytes(0).size(), 16u);
}

TEST(EntryBatchTest, InvalidEntryIsRefusedAndBatchUnchanged) {
  EntryBatch batch;
  ASSERT_TRUE(batch.Add(Entry(SignalType::kPdq, 'a')).ok());
  Status s = batch.Add({.signal_type = SignalType::kPdq, .value = "abc"});
  EXPECT_EQ(s.message(), "pdq value needs 64 hex digits, got 3 characters");
  EXPECT_EQ(batch.size(), 1u);
}

TEST(EntryBatchTest, FindsDuplicatesByTypeAndValueAndRemovesThem) {
  EntryBatch batch;
  ASSERT_TRUE(batch.Add(Entry(SignalType::kPdq, 'a', "r0")).ok());
  ASSERT_TRUE(batch.Add(Entry(SignalType::kSha256, 'a', "r1")).ok());  // same hex, other type
  ASSERT_TRUE(batch.Add(Entry(SignalType::kPdq, 'b', "r2")).ok());
  ASSERT_TRUE(batch.Add(Entry(SignalType::kPdq, 'a', "r3")).ok());
  ASSERT_TRUE(batch.Add(Entry(SignalType::kPdq, 'b', "r4")).ok());
  ASSERT_TRUE(batch.Add(Entry(SignalType::kPdq, 'a', "r5")).ok());
  ASSERT_TRUE(batch.Add(Entry(SignalType::kMd5, 'c', "r6")).ok());
  using P = std::pair<size_t, size_t>;
  const auto dups = batch.FindDuplicates();
  EXPECT_EQ(dups, (std::vector<P>{{3, 0}, {4, 2}, {5, 0}}));
  const std::vector<size_t> drop = {3, 4, 5};
  batch.Remove(drop);
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch.source_ref(0), "r0");
  EXPECT_EQ(batch.source_ref(1), "r1");
  EXPECT_EQ(batch.source_ref(2), "r2");
  EXPECT_EQ(batch.source_ref(3), "r6");
  EXPECT_EQ(batch.Get(3).value, std::string(32, 'c'));
  EXPECT_TRUE(batch.FindDuplicates().empty());
}

}  // namespace
}  // namespace vigil::bank
