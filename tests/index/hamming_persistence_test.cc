// HammingIndex Save / Load: round trips, atomic replacement, and a clear error (never a crash)
// for every kind of damaged file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "index/hash_test_util.h"
#include "index/index.h"
#include "index/xxhash64.h"

namespace vigil::index {
namespace {

namespace fs = std::filesystem;
using testing::RandomEntries;
using testing::RandomHash;
using testing::SpreadFlips;

class HammingPersistenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_index_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  static std::vector<uint8_t> ReadBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  // Rewrites the trailing checksum so that only the deliberate damage is detected.
  static void FixChecksum(std::vector<uint8_t>& bytes) {
    const uint64_t sum = internal::Xxh64::Hash({bytes.data(), bytes.size() - 8});
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
  }

  // Saves a three-entry index and returns the file's bytes.
  std::vector<uint8_t> SmallFile() {
    auto index = HammingIndex::Build(
        std::vector<HammingEntry>{{3, {{1, 2, 3, 4}}}, {5, {{5, 6, 7, 8}}}, {9, {}}});
    EXPECT_TRUE(index.ok());
    EXPECT_TRUE((*index)->Save(Path("small.idx")).ok());
    return ReadBytes(Path("small.idx"));
  }

  Status LoadStatus(const std::vector<uint8_t>& bytes) {
    WriteBytes(Path("damaged.idx"), bytes);
    return HammingIndex::Load(Path("damaged.idx")).status();
  }

  fs::path dir_;
};

TEST_F(HammingPersistenceTest, RoundTripKeepsEveryLiveEntryAndResult) {
  std::mt19937_64 rng(1);
  const std::vector<HammingEntry> entries = RandomEntries(20000, rng);
  auto index = HammingIndex::Build(entries);
  ASSERT_TRUE(index.ok());
  const Hash256 query = RandomHash(rng);
  for (int d = 0; d < 40; ++d) ASSERT_TRUE((*index)->Add(d, SpreadFlips(query, d, rng)).ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE((*index)->Remove(entries[i].id).ok());
  ASSERT_TRUE((*index)->Remove(7).ok());  // a removed recent entry is not saved either
  ASSERT_TRUE((*index)->Save(Path("round.idx")).ok());

  auto loaded = HammingIndex::Load(Path("round.idx"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->GetStats().live_entries, (*index)->GetStats().live_entries);
  EXPECT_EQ((*loaded)->GetStats().recent_entries, 0u);
  EXPECT_EQ((*loaded)->GetStats().removed_entries, 0u);
  for (const Hash256& q : {query, entries[0].hash, entries[100].hash, entries[5000].hash}) {
    EXPECT_EQ(*(*loaded)->Search(q, 40), *(*index)->Search(q, 40));
  }
  EXPECT_FALSE((*loaded)->Contains(entries[0].id));
  EXPECT_TRUE((*loaded)->Contains(entries[100].id));
}

TEST_F(HammingPersistenceTest, EmptyIndexRoundTrips) {
  auto index = HammingIndex::Create();
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Save(Path("empty.idx")).ok());
  EXPECT_EQ(ReadBytes(Path("empty.idx")).size(), 40u);  // header + checksum
  auto loaded = HammingIndex::Load(Path("empty.idx"));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->GetStats().live_entries, 0u);
}

TEST_F(HammingPersistenceTest, SaveReplacesTheFileAndLeavesNoTemporaryBehind) {
  auto first = HammingIndex::Build(std::vector<HammingEntry>{{1, {}}});
  auto second = HammingIndex::Build(std::vector<HammingEntry>{{2, {}}, {3, {}}});
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE((*first)->Save(Path("bank.idx")).ok());
  ASSERT_TRUE((*second)->Save(Path("bank.idx")).ok());
  auto loaded = HammingIndex::Load(Path("bank.idx"));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->GetStats().live_entries, 2u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(HammingPersistenceTest, SaveIntoAMissingDirectoryIsUnavailableAndNamesThePath) {
  auto index = HammingIndex::Create();
  ASSERT_TRUE(index.ok());
  const std::string path = Path("no/such/dir/bank.idx");
  const Status status = (*index)->Save(path);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(path), std::string::npos);
}

TEST_F(HammingPersistenceTest, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = Path("absent.idx");
  const Status status = HammingIndex::Load(path).status();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find(path), std::string::npos);
}

TEST_F(HammingPersistenceTest, DirectoryIsInvalidArgument) {
  EXPECT_EQ(HammingIndex::Load(dir_.string()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HammingPersistenceTest, WrongMagicIsInvalidArgument) {
  std::vector<uint8_t> bytes = SmallFile();
  bytes[0] = 'X';
  const Status status = LoadStatus(bytes);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("bad magic"), std::string::npos);
  EXPECT_NE(status.message().find(Path("damaged.idx")), std::string::npos);
  EXPECT_EQ(LoadStatus({'P', 'K', 3, 4}).code(), StatusCode::kInvalidArgument);
}

TEST_F(HammingPersistenceTest, UnknownFormatVersionIsUnimplemented) {
  std::vector<uint8_t> bytes = SmallFile();
  bytes[8] = 2;
  FixChecksum(bytes);
  const Status status = LoadStatus(bytes);
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented);
  EXPECT_NE(status.message().find("version 2"), std::string::npos);
}

TEST_F(HammingPersistenceTest, TruncationAtEveryLengthIsDataLoss) {
  const std::vector<uint8_t> bytes = SmallFile();
  ASSERT_EQ(bytes.size(), 32u + 3 * 40 + 8);
  for (size_t length = 0; length < bytes.size(); ++length) {
    const Status status = LoadStatus({bytes.data(), bytes.data() + length});
    EXPECT_EQ(status.code(), StatusCode::kDataLoss) << "length " << length;
    EXPECT_NE(status.message().find("truncated"), std::string::npos) << status.ToString();
  }
}

TEST_F(HammingPersistenceTest, TrailingBytesAreDataLoss) {
  std::vector<uint8_t> bytes = SmallFile();
  bytes.push_back(0);
  EXPECT_EQ(LoadStatus(bytes).code(), StatusCode::kDataLoss);
}

TEST_F(HammingPersistenceTest, EveryFlippedByteIsDetected) {
  const std::vector<uint8_t> bytes = SmallFile();
  for (size_t i = 8; i < bytes.size(); ++i) {  // the magic is covered by WrongMagic above
    std::vector<uint8_t> damaged = bytes;
    damaged[i] ^= 0x10;
    const Status status = LoadStatus(damaged);
    EXPECT_FALSE(status.ok()) << "byte " << i;
    EXPECT_TRUE(status.code() == StatusCode::kDataLoss ||
                status.code() == StatusCode::kUnimplemented)
        << "byte " << i << ": " << status.ToString();
  }
}

TEST_F(HammingPersistenceTest, ChecksumMismatchIsDataLoss) {
  std::vector<uint8_t> bytes = SmallFile();
  bytes[40] ^= 1;  // inside the first record's hash
  const Status status = LoadStatus(bytes);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("checksum"), std::string::npos);
}

TEST_F(HammingPersistenceTest, HugeEntryCountIsDataLossNotAnAllocation) {
  std::vector<uint8_t> bytes = SmallFile();
  const uint64_t count = uint64_t{1} << 62;
  std::memcpy(bytes.data() + 16, &count, 8);
  FixChecksum(bytes);
  EXPECT_EQ(LoadStatus(bytes).code(), StatusCode::kDataLoss);
}

TEST_F(HammingPersistenceTest, UnsortedOrDuplicateIdsAreDataLoss) {
  std::vector<uint8_t> bytes = SmallFile();
  const uint64_t id = 5;  // the third record's id (9) becomes a repeat of the second's
  std::memcpy(bytes.data() + size_t{32 + 2 * 40}, &id, 8);
  FixChecksum(bytes);
  const Status status = LoadStatus(bytes);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("ascending"), std::string::npos);
}

}  // namespace
}  // namespace vigil::index
