// The clear account id kept for hotline reports: sealed per case, opened only with the evidence
// master key and only for its own case; damaged rows, wrong or missing keys, pseudonyms and
// over-long ids are refused with clear errors; erasure removes it. The pseudonymisation keys load
// from a file or the environment's text.
#include "privacy/account_identity.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::privacy {
namespace {

constexpr char kClear[] = "alice.example@users";
const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

EvidenceCipher Cipher(uint8_t fill, std::string id = "m1") {
  MasterKey key{};
  key.fill(fill);
  auto c = EvidenceCipher::Create({{id, key}}, id);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *std::move(c);
}

std::string Hex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

class AccountIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int64_t id : {1, 2}) store_.AddCaseForTest(id, "p1.k1.x", kNow, 3);
  }
  InMemoryPrivacyStore store_;
  EvidenceCipher cipher_ = Cipher(7);
};

TEST_F(AccountIdentityTest, KeptSealedAndRevealedOnlyForItsCase) {
  ASSERT_TRUE(KeepClearAccountId(store_, cipher_, 1, kClear, kNow).ok());
  auto stored = store_.GetSealedAccount(1);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  // Neither the id nor its hex spelling is in what the store holds.
  EXPECT_EQ((*stored)->find(kClear), std::string::npos);
  EXPECT_EQ((*stored)->find(Hex(kClear)), std::string::npos);
  auto revealed = RevealClearAccountId(store_, cipher_, 1);
  ASSERT_TRUE(revealed.ok()) << revealed.status().ToString();
  EXPECT_EQ(*revealed, std::optional<std::string>(kClear));
  // Nothing kept for case 2.
  EXPECT_EQ(*RevealClearAccountId(store_, cipher_, 2), std::nullopt);

  // A second id for the case does not replace the first (a case is one account's).
  ASSERT_TRUE(KeepClearAccountId(store_, cipher_, 1, "mallory", kNow).ok());
  EXPECT_EQ(*RevealClearAccountId(store_, cipher_, 1), std::optional<std::string>(kClear));

  // The sealed value copied onto case 2 does not open there.
  ASSERT_TRUE(store_.PutSealedAccount(2, **stored, kNow).ok());
  auto moved = RevealClearAccountId(store_, cipher_, 2);
  EXPECT_EQ(moved.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(moved.status().message().find("case 2"), std::string::npos)
      << moved.status().ToString();
}

TEST_F(AccountIdentityTest, WrongOrMissingKeysAndDamagedRowsAreErrors) {
  ASSERT_TRUE(KeepClearAccountId(store_, cipher_, 1, kClear, kNow).ok());
  EXPECT_EQ(RevealClearAccountId(store_, Cipher(8), 1).status().code(), StatusCode::kDataLoss);
  auto missing = RevealClearAccountId(store_, Cipher(7, "m2"), 1);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("m1"), std::string::npos)
      << missing.status().ToString();

  ASSERT_TRUE(store_.PutSealedAccount(2, "zz-not-hex", kNow).ok());
  auto damaged = RevealClearAccountId(store_, cipher_, 2);
  EXPECT_EQ(damaged.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(damaged.status().message().find("case 2"), std::string::npos);
}

TEST_F(AccountIdentityTest, RefusesEmptyLongPseudonymisedIdsAndUnknownOrErasedCases) {
  EXPECT_EQ(KeepClearAccountId(store_, cipher_, 1, "", kNow).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      KeepClearAccountId(store_, cipher_, 1, std::string(kMaxAccountIdBytes + 1, 'a'), kNow).code(),
      StatusCode::kInvalidArgument);
  const std::string pseudonym = "p1.k1." + std::string(64, 'a');
  const Status twice = KeepClearAccountId(store_, cipher_, 1, pseudonym, kNow);
  EXPECT_EQ(twice.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(twice.message().find("already a pseudonym"), std::string::npos);
  EXPECT_EQ(KeepClearAccountId(store_, cipher_, 9, kClear, kNow).code(), StatusCode::kNotFound);

  ASSERT_TRUE(KeepClearAccountId(store_, cipher_, 1, kClear, kNow).ok());
  auto erased = store_.EraseCase(1, ErasureReason::kNotCsam, kNow);
  ASSERT_TRUE(erased.ok() && erased->erased);
  EXPECT_EQ(erased->records, 3 + 1);  // the registered records and the sealed id
  EXPECT_EQ(*RevealClearAccountId(store_, cipher_, 1), std::nullopt);
  EXPECT_EQ(KeepClearAccountId(store_, cipher_, 1, kClear, kNow).code(),
            StatusCode::kFailedPrecondition);
}

constexpr char kKeyText[] =
    "# pseudonymisation keys\n"
    "k1 "
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
    "k2 "
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\n";

TEST(LoadPseudonymiser, FromTextOrFileWithTheLastKeyCurrentByDefault) {
  auto p = LoadPseudonymiser("", kKeyText, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->current_key_id(), "k2");
  EXPECT_TRUE(p->Pseudonymise(kClear).starts_with("p1.k2."));
  auto chosen = LoadPseudonymiser("", kKeyText, "k1");
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->current_key_id(), "k1");

  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / fmt::format("vigil_pkeys_{}", getpid());
  std::ofstream(file) << kKeyText;
  auto from_file = LoadPseudonymiser(file.string(), "", "");
  std::filesystem::remove(file);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_file->Pseudonymise(kClear), p->Pseudonymise(kClear));
}

TEST(LoadPseudonymiser, MissingSourcesBadKeysAndUnknownCurrentIdAreNamed) {
  auto none = LoadPseudonymiser("", "", "");
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("--pseudonym-keys"), std::string::npos);
  EXPECT_EQ(LoadPseudonymiser("/nonexistent/pkeys", "", "").status().code(), StatusCode::kNotFound);
  auto short_key = LoadPseudonymiser("", "k1 0011\n", "");
  EXPECT_EQ(short_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_key.status().message().find("VIGIL_PSEUDONYM_KEYS line 1"), std::string::npos)
      << short_key.status().ToString();
  auto unknown = LoadPseudonymiser("", kKeyText, "k9");
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("k9"), std::string::npos);
}

}  // namespace
}  // namespace vigil::privacy

namespace vigil::privacy {
namespace {

// Two keys, k2 current: a pseudonym written under k1 before the rotation still checks.
Pseudonymiser RotatedKeys() {
  auto p = Pseudonymiser::Create(
      {{"k1", std::vector<uint8_t>(32, 1)}, {"k2", std::vector<uint8_t>(32, 2)}}, "k2");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *std::move(p);
}

TEST(JobAccount, ClearIdsAreSealedForTheirPseudonymAndPseudonymsPassThrough) {
  const Pseudonymiser p = RotatedKeys();
  const EvidenceCipher cipher = Cipher(7);
  auto job = SealAccountForJob(p, cipher, kClear);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->account_id, p.Pseudonymise(kClear));
  EXPECT_EQ(Pseudonymiser::KeyIdOf(job->account_id), "k2");
  ASSERT_TRUE(job->sealed_account_id.has_value());
  EXPECT_EQ(job->sealed_account_id->find(Hex(kClear)), std::string::npos);
  EXPECT_EQ(*OpenJobAccount(p, cipher, job->account_id, *job->sealed_account_id, "job 1"), kClear);

  // An older key's pseudonym: found by its key id.
  const std::string old = *p.PseudonymiseUnder("k1", kClear);
  EXPECT_TRUE(old.starts_with("p1.k1."));
  auto sealed_old = cipher.Seal(
      std::span(reinterpret_cast<const uint8_t*>(kClear), std::string_view(kClear).size()),
      AccountJobSealId(old));
  ASSERT_TRUE(sealed_old.ok());
  std::string hex;
  for (uint8_t b : *sealed_old) hex += fmt::format("{:02x}", b);
  EXPECT_EQ(*OpenJobAccount(p, cipher, old, hex, "job 2"), kClear);

  auto passed = SealAccountForJob(p, cipher, old);
  ASSERT_TRUE(passed.ok());
  EXPECT_EQ(passed->account_id, old);
  EXPECT_FALSE(passed->sealed_account_id.has_value());
  EXPECT_EQ(SealAccountForJob(p, cipher, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SealAccountForJob(p, cipher, std::string(kMaxAccountIdBytes + 1, 'a')).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(JobAccount, BadSealsAndUnknownKeysAreNamedErrors) {
  const Pseudonymiser p = RotatedKeys();
  const EvidenceCipher cipher = Cipher(7);
  const JobAccount job = *SealAccountForJob(p, cipher, kClear);
  struct Bad {
    std::string pseudonym, sealed;
    StatusCode code;
    const char* message;
  };
  const Bad bad[] = {
      {kClear, *job.sealed_account_id, StatusCode::kInvalidArgument, "not a clear id"},
      {job.account_id, "zz", StatusCode::kInvalidArgument, "not hex"},
      {job.account_id, "", StatusCode::kInvalidArgument, "not hex"},
      {job.account_id, job.sealed_account_id->substr(0, 30), StatusCode::kDataLoss, "truncated"},
      {p.Pseudonymise("mallory"), *job.sealed_account_id, StatusCode::kDataLoss, "does not open"},
      {"p1.k7." + std::string(64, 'a'), *job.sealed_account_id, StatusCode::kDataLoss, ""},
  };
  for (const Bad& b : bad) {
    auto r = OpenJobAccount(p, cipher, b.pseudonym, b.sealed, "job 5");
    ASSERT_FALSE(r.ok()) << b.pseudonym;
    EXPECT_EQ(r.status().code(), b.code) << r.status().ToString();
    EXPECT_NE(r.status().message().find("job 5"), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find(b.message), std::string::npos) << r.status().ToString();
  }
  // Sealed for a pseudonym under a key this side lacks: the seal opens, the key is named.
  auto k7 = *Pseudonymiser::Create({{"k7", std::vector<uint8_t>(32, 9)}}, "k7");
  const JobAccount foreign = *SealAccountForJob(k7, cipher, kClear);
  auto r = OpenJobAccount(p, cipher, foreign.account_id, *foreign.sealed_account_id, "job 6");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("'k7'"), std::string::npos) << r.status().ToString();
  // Under the wrong master key.
  auto wrong = OpenJobAccount(p, Cipher(8), job.account_id, *job.sealed_account_id, "job 7");
  EXPECT_EQ(wrong.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(Pseudonymiser::KeyIdOf("acct-42"), "");
  EXPECT_EQ(p.PseudonymiseUnder("k9", "x").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::privacy
