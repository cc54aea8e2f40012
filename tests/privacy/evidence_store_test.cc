// The evidence store: files written encrypted and read back; a missing or wrong master key, a
// corrupted, truncated, missing or moved file give errors naming the file; keys come from a file
// or the environment's key text; the purge's verification finds files without an index row.
#include "privacy/evidence_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "privacy/purge.h"

namespace vigil::privacy {
namespace {

namespace fs = std::filesystem;

constexpr char kKeys[] =
    "# test keys\n"
    "m1 0101010101010101010101010101010101010101010101010101010101010101\n"
    "m2 0202020202020202020202020202020202020202020202020202020202020202\n";

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

class EvidenceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("vigil_evidence_store_{}_{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    store_ = Open(kKeys, "m1");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<EvidenceStore> Open(std::string_view keys, std::string current) {
    auto cipher = LoadEvidenceCipher("", keys, std::move(current));
    EXPECT_TRUE(cipher.ok()) << cipher.status().ToString();
    auto store = EvidenceStore::Open(dir_, *std::move(cipher));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(*store);
  }
  fs::path File(int64_t c, int64_t p) { return dir_ / EvidenceStore::FileFor(c, p); }

  fs::path dir_;
  std::unique_ptr<EvidenceStore> store_;
};

TEST_F(EvidenceStoreTest, WritesEncryptedAndReadsBack) {
  const auto plain = Bytes("an ordinary benign test image's bytes");
  auto written = store_->Write(4, 2, plain);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(*written, static_cast<int64_t>(fs::file_size(File(4, 2))));
  EXPECT_EQ(fs::status(File(4, 2)).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(File(4, 2), std::ios::binary);
  const std::string on_disk((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(on_disk.find("benign"), std::string::npos);  // not in the clear
  auto read = store_->Read(4, 2);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, plain);
  EXPECT_EQ(*store_->ListFiles(), std::vector<std::string>{"case-4/item-2.vgev"});
  ASSERT_TRUE(store_->RemoveCase(4).ok());
  EXPECT_TRUE(store_->ListFiles()->empty());
  EXPECT_TRUE(store_->RemoveCase(4).ok());  // nothing left: fine
}

TEST_F(EvidenceStoreTest, CorruptedTruncatedAndMovedFilesAreDetectedNamingTheFile) {
  ASSERT_TRUE(store_->Write(1, 0, Bytes("benign bytes")).ok());
  {
    // Invert a byte rather than set one: a set byte may already hold that value (the file is
    // random-looking ciphertext), and the test would then corrupt nothing 1 time in 256.
    std::fstream f(File(1, 0), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-3, std::ios::end);
    const char old = static_cast<char>(f.get());
    f.seekp(-3, std::ios::end);
    f.put(static_cast<char>(~old));
  }
  auto corrupt = store_->Read(1, 0);
  EXPECT_EQ(corrupt.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(corrupt.status().message().find(File(1, 0).string()), std::string::npos)
      << corrupt.status().message();

  ASSERT_TRUE(store_->Write(1, 1, Bytes("benign bytes")).ok());
  fs::resize_file(File(1, 1), fs::file_size(File(1, 1)) - 5);
  EXPECT_EQ(store_->Read(1, 1).status().code(), StatusCode::kDataLoss);

  // A file copied over another item's does not open as that item.
  ASSERT_TRUE(store_->Write(2, 0, Bytes("other item")).ok());
  fs::copy_file(File(2, 0), File(1, 1), fs::copy_options::overwrite_existing);
  auto moved = store_->Read(1, 1);
  EXPECT_EQ(moved.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(moved.status().message().find("item-1.vgev"), std::string::npos);

  auto missing = store_->Read(9, 9);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("case-9/item-9.vgev"), std::string::npos);
}

TEST_F(EvidenceStoreTest, WrongOrMissingMasterKeyIsAClearError) {
  ASSERT_TRUE(store_->Write(3, 0, Bytes("benign")).ok());
  // The same key id with another secret: the wrapped key does not open.
  auto wrong = Open("m1 0909090909090909090909090909090909090909090909090909090909090909\n", "m1");
  auto read = wrong->Read(3, 0);
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(read.status().message().find("case-3/item-0.vgev"), std::string::npos);
  // A keyring without the file's key id.
  auto other = Open("m2 0202020202020202020202020202020202020202020202020202020202020202\n", "m2");
  auto unknown = other->Read(3, 0);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("m1"), std::string::npos) << unknown.status().message();
  // Rotation: a store whose current key is m2 still reads m1 files.
  auto rotated = Open(kKeys, "m2");
  EXPECT_TRUE(rotated->Read(3, 0).ok());

  auto none = LoadEvidenceCipher("", "", "");
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("VIGIL_EVIDENCE_KEYS"), std::string::npos);
  auto no_file = LoadEvidenceCipher("/nonexistent/keys", "", "");
  EXPECT_EQ(no_file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_file.status().message().find("/nonexistent/keys"), std::string::npos);
  auto short_key = LoadEvidenceCipher("", "m1 0101\n", "");
  EXPECT_EQ(short_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_key.status().message().find("VIGIL_EVIDENCE_KEYS"), std::string::npos);
  auto absent_current = LoadEvidenceCipher("", kKeys, "m9");
  EXPECT_EQ(absent_current.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EvidenceStoreTest, KeysFromAFile) {
  const fs::path keys = dir_.string() + ".keys";
  std::ofstream(keys) << kKeys;
  auto cipher = LoadEvidenceCipher(keys.string(), "ignored when a file is given", "m2");
  EXPECT_TRUE(cipher.ok()) << cipher.status().ToString();
  fs::remove(keys);
}

TEST_F(EvidenceStoreTest, StoreEvidenceWritesTheRowFirstAndVerificationFindsStrayFiles) {
  InMemoryPrivacyStore index;
  const TimePoint t(std::chrono::seconds(1'800'000'000));
  index.AddCaseForTest(5, "acct", t + std::chrono::days(365), 3);
  ASSERT_TRUE(StoreEvidence(index, *store_, 5, 0, Bytes("benign"), t).ok());
  EXPECT_EQ(StoreEvidence(index, *store_, 6, 0, Bytes("benign"), t).code(),
            StatusCode::kNotFound);  // unknown case: no row, so no file either
  EXPECT_FALSE(fs::exists(File(6, 0)));
  EXPECT_TRUE(VerifyRetention(index, store_.get(), t)->empty());
  ASSERT_TRUE(store_->Write(7, 0, Bytes("stray")).ok());
  auto problems = VerifyRetention(index, store_.get(), t);
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_NE((*problems)[0].find("case-7/item-0.vgev"), std::string::npos);
}

TEST_F(EvidenceStoreTest, DirectoryThatIsAFileIsRefused) {
  std::ofstream(dir_.string() + ".file") << "x";
  auto cipher = LoadEvidenceCipher("", kKeys, "m1");
  auto store = EvidenceStore::Open(dir_.string() + ".file", *std::move(cipher));
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  fs::remove(dir_.string() + ".file");
}

}  // namespace
}  // namespace vigil::privacy
