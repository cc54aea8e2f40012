// Data protection on the live server (docs/privacy.md): POST /v1/items keeps a filed item's media
// in the encrypted evidence store, stores the account only as its pseudonym and keeps the clear
// id sealed for hotline reports; the SQLite file never holds the clear id. Pseudonymisation
// without an evidence store is refused at start.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "privacy/account_identity.h"
#include "privacy/evidence_store.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

constexpr char kClear[] = "clear-account-id-4711";
constexpr char kEvidenceKeys[] =
    "m1 0101010101010101010101010101010101010101010101010101010101010101\n";
constexpr char kPseudonymKeys[] =
    "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ServerPrivacyTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    evidence_dir_ = path_ + ".evidence";
    std::ofstream(path_ + ".ev.keys") << kEvidenceKeys;
    std::ofstream(path_ + ".p.keys") << kPseudonymKeys;
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::filesystem::remove_all(evidence_dir_);
    std::filesystem::remove(path_ + ".ev.keys");
    std::filesystem::remove(path_ + ".p.keys");
  }
  ServerConfig PrivateConfig() const {
    ServerConfig c = DefaultConfig();
    c.evidence_dir = evidence_dir_;
    c.evidence_keys_file = path_ + ".ev.keys";
    c.pseudonym_keys_file = path_ + ".p.keys";
    return c;
  }
  std::string evidence_dir_;
};

TEST_F(ServerPrivacyTest, ItemsArePseudonymisedAndTheirMediaKeptEncrypted) {
  StartServer(PrivateConfig());
  Json(PostJson("/v1/banks", R"({"name": "ncmec"})", Role::kBankManager), 201);
  const std::string bmp = TexturedBmp(1);
  nlohmann::json h =
      Json(PostFiles("/v1/hash", {{"file", bmp, "a.bmp", ""}}, Role::kIngestClient), 200);
  Json(PostJson("/v1/banks/ncmec/entries",
                nlohmann::json{{"signal_type", "pdq"}, {"signal", h["pdq"]}}.dump(),
                Role::kBankManager),
       201);
  nlohmann::json out = Json(PostFiles("/v1/items",
                                      {{"file", bmp, "a.bmp", ""},
                                       {"item_id", "item-1", "", ""},
                                       {"account_id", kClear, "", ""}},
                                      Role::kIngestClient),
                            200);
  ASSERT_TRUE(out.contains("case_id")) << out;
  const int64_t id = out["case_id"];

  auto pseudonyms = privacy::LoadPseudonymiser("", kPseudonymKeys, "");
  ASSERT_TRUE(pseudonyms.ok());
  auto c = db_->cases().GetCase(id);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->account_id, pseudonyms->Pseudonymise(kClear));

  auto cipher = privacy::LoadEvidenceCipher("", kEvidenceKeys, "");
  ASSERT_TRUE(cipher.ok());
  auto store = privacy::EvidenceStore::Open(evidence_dir_, *cipher);
  ASSERT_TRUE(store.ok());
  auto media = (*store)->Read(id, 0);
  ASSERT_TRUE(media.ok()) << media.status().ToString();
  EXPECT_EQ(std::string(media->begin(), media->end()), bmp);
  EXPECT_EQ(db_->privacy().ListEvidence(id)->size(), 1u);
  auto clear = privacy::RevealClearAccountId(db_->privacy(), *cipher, id);
  ASSERT_TRUE(clear.ok()) << clear.status().ToString();
  EXPECT_EQ(*clear, std::optional<std::string>(kClear));

  // The bytes SQLite wrote, the evidence files and the audit log hold no clear id.
  for (const char* suffix : {"", "-wal"}) {
    EXPECT_EQ(ReadAll(path_ + suffix).find(kClear), std::string::npos) << suffix;
  }
  EXPECT_EQ(ReadAll(std::filesystem::path(evidence_dir_) / "case-1" / "item-0.vgev").find(kClear),
            std::string::npos);
}

TEST_F(ServerPrivacyTest, PseudonymKeysWithoutAnEvidenceStoreOrWithBadKeysAreRefused) {
  ServerConfig c = PrivateConfig();
  c.evidence_dir.clear();
  auto s = Server::Create(c, *db_, *recorder_, clock_);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("pseudonym_keys needs evidence_dir"), std::string::npos)
      << s.status().ToString();
  c = PrivateConfig();
  std::ofstream(path_ + ".p.keys") << "k1 short\n";
  auto bad = Server::Create(c, *db_, *recorder_, clock_);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(".p.keys line 1"), std::string::npos)
      << bad.status().ToString();
}

}  // namespace
}  // namespace vigil::server::testing
