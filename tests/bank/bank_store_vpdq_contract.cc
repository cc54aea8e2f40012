// The BankStore contract for vPDQ entries (variable-size values): part of the one contract suite
// run against the in-memory fake, SQLite and PostgreSQL.
#include <fmt/format.h>

#include <cctype>
#include <map>

#include "bank/bank_store_contract.h"

namespace vigil::bank::testing {
namespace {

// A reference-format frame line with a hash made from `seed`.
std::string Frame(int64_t number, int quality, int seed, std::string_view stamp) {
  return fmt::format("{},{},{:064x},{}", number, quality, 0x5eed0000 + seed, stamp);
}

// A video of `frames` frames, one a second, whose hashes derive from `seed`.
std::string Video(int seed, int frames) {
  std::string value;
  for (int i = 0; i < frames; ++i) {
    if (i > 0) value += ';';
    value += Frame(30 * i, 100 - i % 7, seed * 100000 + i, fmt::format("{}.000", i));
  }
  return value;
}

}  // namespace

TEST_P(BankStoreContractTest, VpdqEntryRoundTripsWithEveryFrame) {
  Bank bank = MakeBank("videos");
  // 400 frames is 19,601 raw bytes: beyond what a btree index entry may hold.
  const std::string long_video = Video(1, 400);
  // Upper-case hex, a two-decimal timestamp and a repeated hash are normalised away.
  const std::string messy = fmt::format("{};{};{}", Frame(0, 100, 7, "0.5"),
                                        Frame(29, 87, 8, "0.967"), Frame(58, 40, 7, "1.933"));
  std::string upper = messy;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EntryBatch batch;
  ASSERT_TRUE(batch.Add({.signal_type = SignalType::kVpdq, .value = long_video}).ok());
  ASSERT_TRUE(batch
                  .Add({.signal_type = SignalType::kVpdq,
                        .value = upper,
                        .source_ref = "clip.mp4",
                        .verifications = 1})
                  .ok());
  ASSERT_TRUE(batch.Add({.signal_type = SignalType::kPdq, .value = Pdq(1)}).ok());
  auto added = store().AddEntries(bank.id, batch);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->added, 3u);

  auto entries = Entries(bank.id);
  ASSERT_EQ(entries.size(), 3u);
  std::map<std::string, BankEntry> by_ref;
  for (const auto& e : entries)
    by_ref[e.source_ref + std::string(SignalTypeName(e.signal_type))] = e;
  const BankEntry& video = by_ref.at("vpdq");
  EXPECT_EQ(video.value, long_video);
  const BankEntry& clip = by_ref.at("clip.mp4vpdq");
  EXPECT_EQ(clip.value, fmt::format("{};{}", Frame(0, 100, 7, "0.500"), Frame(29, 87, 8, "0.967")));
  EXPECT_EQ(clip.verifications, 1);
  EXPECT_EQ(*store().GetEntry(clip.id), clip);
  EXPECT_EQ(by_ref.at("pdq").value, Pdq(1));

  // Found by its value in any spelling, and re-adding is idempotent.
  auto found = store().FindEntry(bank.id, SignalType::kVpdq, messy);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, clip.id);
  EXPECT_EQ(store().FindEntry(bank.id, SignalType::kVpdq, long_video)->id, video.id);
  EXPECT_EQ(store().FindEntry(bank.id, SignalType::kVpdq, Video(2, 3)).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store().AddEntries(bank.id, batch)->already_present, 3u);

  auto stats = store().GetStats(bank.id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->by_type[SignalType::kVpdq].active, 2u);

  ASSERT_TRUE(store().RetireEntry(video.id, "not abusive on review").ok());
  EXPECT_EQ(Entries(bank.id).size(), 2u);
  EXPECT_EQ(store().AddEntries(bank.id, batch)->already_present, 3u);  // not revived

  const auto all = Entries(bank.id, true);
  // Backends that keep data give the same entries back after reopening.
  if (backend_->AppliedMigrations().status().code() == StatusCode::kUnimplemented) return;
  ASSERT_TRUE(backend_->Reopen().ok());
  EXPECT_EQ(Entries(bank.id, true), all);
  EXPECT_EQ(store().FindEntry(bank.id, SignalType::kVpdq, messy)->id, clip.id);
}

TEST_P(BankStoreContractTest, VpdqValuesDifferingInOneFrameAreDistinct) {
  Bank bank = MakeBank("videos");
  const std::string a = Video(3, 100);
  std::string b = a;
  b[b.size() - 1] = '1';  // last timestamp 99.000 -> 99.001
  EntryBatch batch;
  ASSERT_TRUE(batch.Add({.signal_type = SignalType::kVpdq, .value = a}).ok());
  ASSERT_TRUE(batch.Add({.signal_type = SignalType::kVpdq, .value = b}).ok());
  EXPECT_EQ(store().AddEntries(bank.id, batch)->added, 2u);
  EXPECT_EQ(store().FindEntry(bank.id, SignalType::kVpdq, b)->value, b);
}

TEST_P(BankStoreContractTest, MalformedVpdqValuesAreRefusedNamingTheFrame) {
  Bank bank = MakeBank("videos");
  auto found = store().FindEntry(bank.id, SignalType::kVpdq, Frame(0, 100, 1, "0.000") + ";1,2");
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(found.status().message().find("vpdq frame 2"), std::string::npos)
      << found.status().ToString();
  EntryBatch batch;
  EXPECT_EQ(batch.Add({.signal_type = SignalType::kVpdq, .value = ""}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(batch.empty());
}

}  // namespace vigil::bank::testing
