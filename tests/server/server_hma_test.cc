// The HMA-compatible routes with HMA's paths and JSON shapes (../shared/specs/hma-api.md):
// banks, signals, lookups with distances as strings, compare, index status, content views and
// DELETE/disable mapped onto retirement.
#include <gtest/gtest.h>

#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

// Two PDQ hashes 3 bits apart (the last byte differs in its 3 low bits), and a far one.
constexpr char kPdq[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kNear[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b25";
constexpr char kFar[] = "07070f311f0b57b0f9c8f5ddfc709c0f4c91d12a699de1e2cc194c63b16364dd";

class HmaTest : public ServerTest {
 protected:
  int64_t AddSignal(const std::string& bank, const std::string& pdq) {
    nlohmann::json j =
        Json(PostJson("/c/bank/" + bank + "/signal",
                      nlohmann::json{{"pdq", pdq}, {"note", "src-1"}}.dump(), Role::kBankManager),
             200);
    EXPECT_EQ(j["signals"]["pdq"], pdq);
    return j["id"].get<int64_t>();
  }
};

TEST_F(HmaTest, BanksAreCreatedListedAndShownInHmaShape) {
  nlohmann::json created =
      Json(PostJson("/c/banks", R"({"name": "TEST_BANK"})", Role::kBankManager), 201);
  EXPECT_EQ(created, (nlohmann::json{{"name", "TEST_BANK"}, {"matching_enabled_ratio", 1.0}}));
  EXPECT_EQ(Json(Get("/c/banks", Role::kReporter), 200),
            nlohmann::json::array({{{"name", "TEST_BANK"}, {"matching_enabled_ratio", 1.0}}}));
  EXPECT_EQ(Json(Get("/c/bank/TEST_BANK", Role::kAuditor), 200)["name"], "TEST_BANK");
  EXPECT_EQ(
      Json(PostJson("/c/banks", R"({"name": "TEST_BANK"})", Role::kBankManager), 409)["message"],
      "bank 'TEST_BANK' already exists");
  nlohmann::json bad =
      Json(PostJson("/c/banks", R"({"name": "bad name"})", Role::kBankManager), 400);
  EXPECT_EQ(bad["field"], "name");
  EXPECT_EQ(Json(PostJson("/c/banks", R"({"name": 7})", Role::kBankManager), 400)["field"], "name");
  EXPECT_EQ(Json(PostJson("/c/banks", R"({"name": "X", "enabled_ratio": 0.5})", Role::kBankManager),
                 400)["field"],
            "enabled_ratio");
  EXPECT_EQ(Json(Get("/c/bank/NOPE", Role::kBankManager), 404)["message"],
            "bank 'NOPE' does not exist");
  // Banks are never deleted; renaming is not supported.
  nlohmann::json del = Json(Delete("/c/bank/TEST_BANK", Role::kBankManager), 409);
  EXPECT_NE(del["message"].get<std::string>().find("retire"), std::string::npos);
  EXPECT_EQ(
      Json(PutJson("/c/bank/TEST_BANK", R"({"name": "OTHER"})", Role::kBankManager), 400)["field"],
      "name");
  EXPECT_EQ(
      Json(PutJson("/c/bank/TEST_BANK", R"({"enabled": true})", Role::kBankManager), 200)["name"],
      "TEST_BANK");
}

TEST_F(HmaTest, LookupsFindSignalsAddedThroughTheApiWithDistancesAsStrings) {
  Json(PostJson("/c/banks", R"({"name": "A"})", Role::kBankManager), 201);
  Json(PostJson("/c/banks", R"({"name": "B"})", Role::kBankManager), 201);
  const int64_t a = AddSignal("A", kPdq);
  const int64_t b = AddSignal("B", kNear);
  const std::string q = std::string("?signal_type=pdq&signal=") + kPdq;
  nlohmann::json lookup = Json(Get("/m/lookup" + q, Role::kIngestClient), 200);
  EXPECT_EQ(lookup, (nlohmann::json{{"A", {{{"bank_content_id", a}, {"distance", "0"}}}},
                                    {"B", {{{"bank_content_id", b}, {"distance", "3"}}}}}));
  EXPECT_EQ(
      Json(Get("/m/lookup" + q + "&banks=B&seed=x&bypass_coinflip=true", Role::kIngestClient), 200),
      (nlohmann::json{{"B", {{{"bank_content_id", b}, {"distance", "3"}}}}}));
  EXPECT_EQ(Json(Get("/m/raw_lookup" + q, Role::kIngestClient), 200),
            (nlohmann::json{{"matches", {a, b}}}));
  EXPECT_EQ(Json(Get("/m/raw_lookup" + q + "&include_distance=true", Role::kIngestClient),
                 200)["matches"][1],
            (nlohmann::json{{"bank_content_id", b}, {"distance", "3"}}));
  EXPECT_EQ(
      Json(Get(std::string("/m/lookup?signal_type=pdq&signal=") + kFar, Role::kIngestClient), 200),
      nlohmann::json::object());
  nlohmann::json status = Json(Get("/m/index/status?signal_type=pdq", Role::kReporter), 200);
  EXPECT_EQ(status["pdq"]["size"], 2);
  EXPECT_EQ(status["pdq"]["present"], true);
  EXPECT_FALSE(status.contains("video_md5"));
  EXPECT_EQ(Json(Get("/m/index/status", Role::kReporter), 200).size(), 3u);
}

TEST_F(HmaTest, BadLookupsNameTheField) {
  EXPECT_EQ(Json(Get("/m/lookup?signal=abc", Role::kIngestClient), 400)["field"], "signal_type");
  EXPECT_EQ(Json(Get("/m/lookup?signal_type=pdq", Role::kIngestClient), 400)["field"], "signal");
  EXPECT_EQ(Json(Get("/m/lookup?signal_type=tmk&signal=00", Role::kIngestClient), 400)["field"],
            "signal_type");
  nlohmann::json short_hash =
      Json(Get("/m/lookup?signal_type=pdq&signal=abcd", Role::kIngestClient), 400);
  EXPECT_EQ(short_hash["field"], "signal");
  EXPECT_NE(short_hash["message"].get<std::string>().find("64"), std::string::npos);
  EXPECT_EQ(Json(Get("/m/raw_lookup?signal_type=pdq&signal=" + std::string(kPdq) +
                         "&include_distance=maybe",
                     Role::kIngestClient),
                 400)["field"],
            "include_distance");
  // Remote fetching is refused clearly rather than attempted.
  const std::string remote =
      Json(Get("/h/hash?url=http://example.com/a.jpg", Role::kIngestClient), 501)["message"];
  EXPECT_NE(remote.find("not supported"), std::string::npos) << remote;
  EXPECT_EQ(Json(Get("/h/hash", Role::kIngestClient), 400)["field"], "url");
  EXPECT_EQ(Json(Get("/m/lookup?url=http://x/y.jpg", Role::kIngestClient), 501).is_object(), true);
}

TEST_F(HmaTest, CompareReturnsMatchAndDistancePerType) {
  nlohmann::json j = Json(
      PostJson(
          "/m/compare",
          nlohmann::json{{"pdq", {kPdq, kNear}},
                         {"video_md5",
                          {"00112233445566778899aabbccddeeff", "00112233445566778899AABBCCDDEEFF"}}}
              .dump(),
          Role::kIngestClient),
      200);
  EXPECT_EQ(j["pdq"], nlohmann::json::parse(R"([true, {"distance": 3}])"));
  EXPECT_EQ(j["video_md5"][0], true);
  EXPECT_EQ(Json(PostJson("/m/compare", nlohmann::json{{"pdq", {kPdq, kFar}}}.dump(),
                          Role::kIngestClient),
                 200)["pdq"][0],
            false);
  EXPECT_EQ(Json(PostJson("/m/compare", R"({"pdq": ["a"]})", Role::kIngestClient), 400)["field"],
            "pdq");
  EXPECT_EQ(Json(PostJson("/m/compare", R"([1, 2])", Role::kIngestClient), 400)["field"], "body");
}

TEST_F(HmaTest, ContentIsViewedDisabledAndDeletedAsRetirement) {
  Json(PostJson("/c/banks", R"({"name": "A"})", Role::kBankManager), 201);
  const int64_t id = AddSignal("A", kPdq);
  const std::string path = "/c/bank/A/content/" + std::to_string(id);
  nlohmann::json c = Json(Get(path + "?include_signals=true", Role::kAuditor), 200);
  EXPECT_EQ(c["id"], id);
  EXPECT_EQ(c["disable_until_ts"], 1);
  EXPECT_EQ(c["signals"]["pdq"], kPdq);
  EXPECT_EQ(c["bank"]["name"], "A");
  EXPECT_EQ(c["metadata"]["content_id"], "src-1");
  EXPECT_EQ(Json(Get("/c/bank/A/content/999", Role::kAuditor), 404)["message"],
            "content 999 is not in bank 'A'");
  EXPECT_EQ(Json(Get("/c/bank/A/content/x1", Role::kAuditor), 400)["field"], "content_id");
  EXPECT_EQ(Json(PutJson(path, R"({"disable_until_ts": 12345})", Role::kBankManager), 400)["field"],
            "disable_until_ts");
  nlohmann::json off = Json(
      PutJson(path, R"({"disable_until_ts": 0, "note": "false positive"})", Role::kBankManager),
      200);
  EXPECT_EQ(off["disable_until_ts"], 0);
  // Retired: it no longer matches, is never re-enabled, and DELETE leaves it in place.
  EXPECT_EQ(
      Json(Get(std::string("/m/lookup?signal_type=pdq&signal=") + kPdq, Role::kIngestClient), 200),
      nlohmann::json::object());
  Json(PutJson(path, R"({"disable_until_ts": 1})", Role::kBankManager), 409);
  EXPECT_EQ(Json(Delete(path, Role::kBankManager), 200),
            (nlohmann::json{{"deleted", 0}, {"retired", true}}));
  auto entry = db_->banks().GetEntry(id);
  ASSERT_TRUE(entry.ok());
  EXPECT_TRUE(entry->retired);
  EXPECT_EQ(entry->retired_reason, "false positive");
}

TEST_F(HmaTest, DeleteRetiresAnActiveEntry) {
  Json(PostJson("/c/banks", R"({"name": "A"})", Role::kBankManager), 201);
  const int64_t id = AddSignal("A", kPdq);
  EXPECT_EQ(Json(Delete("/c/bank/A/content/" + std::to_string(id), Role::kBankManager), 200),
            (nlohmann::json{{"deleted", 1}, {"retired", true}}));
  EXPECT_EQ(db_->banks().GetEntry(id)->retired_reason, "deleted through the HMA API");
  EXPECT_EQ(
      Json(Get(std::string("/m/raw_lookup?signal_type=pdq&signal=") + kPdq, Role::kIngestClient),
           200)["matches"],
      nlohmann::json::array());
}

TEST_F(HmaTest, UploadsAreHashedLookedUpAndAddedAsContent) {
  Json(PostJson("/c/banks", R"({"name": "A"})", Role::kBankManager), 201);
  const std::string bmp = TexturedBmp(1);
  nlohmann::json hashes =
      Json(PostFiles("/h/hash", {{"photo", bmp, "a.bmp", "image/bmp"}}, Role::kIngestClient), 200);
  ASSERT_TRUE(hashes.contains("pdq")) << hashes;
  EXPECT_EQ(hashes["pdq"].get<std::string>().size(), 64u);
  EXPECT_EQ(hashes["video_md5"].get<std::string>().size(), 32u);
  EXPECT_EQ(Json(PostFiles("/h/hash?types=pdq", {{"photo", bmp, "a.bmp", "image/bmp"}},
                           Role::kIngestClient),
                 200)
                .size(),
            1u);
  nlohmann::json added = Json(
      PostFiles("/c/bank/A/content", {{"photo", bmp, "a.bmp", "image/bmp"}, {"note", "n1", "", ""}},
                Role::kBankManager),
      200);
  EXPECT_EQ(added["signals"]["pdq"], hashes["pdq"]);
  nlohmann::json found = Json(
      PostFiles("/m/lookup", {{"photo", bmp, "a.bmp", "image/bmp"}}, Role::kIngestClient), 200);
  EXPECT_EQ(found["pdq"]["A"][0]["bank_content_id"], added["id"]);
  EXPECT_EQ(found["pdq"]["A"][0]["distance"], "0");
  EXPECT_EQ(found["video_md5"]["A"].size(), 1u);
  // A different image matches nothing.
  nlohmann::json other =
      Json(PostFiles("/m/lookup", {{"photo", TexturedBmp(2), "b.bmp", "image/bmp"}},
                     Role::kIngestClient),
           200);
  EXPECT_EQ(other["pdq"], nlohmann::json::object());
}

TEST_F(HmaTest, BadUploadsNameTheField) {
  EXPECT_EQ(Json(PostFiles("/h/hash", {{"photo", "not an image at all", "a.bin", ""}},
                           Role::kIngestClient),
                 400)["field"],
            "photo");
  EXPECT_EQ(
      Json(PostFiles("/h/hash", {{"document", TexturedBmp(1), "a.bmp", ""}}, Role::kIngestClient),
           400)["field"],
      "document");
  const std::string two = Json(
      PostFiles("/h/hash",
                {{"photo", TexturedBmp(1), "a.bmp", ""}, {"video", TexturedBmp(2), "b.bmp", ""}},
                Role::kIngestClient),
      400)["message"];
  EXPECT_NE(two.find("only one file"), std::string::npos) << two;
  EXPECT_EQ(Json(PostFiles("/h/hash", {{"note", "x", "", ""}}, Role::kIngestClient), 400)["field"],
            "file");
  EXPECT_EQ(
      Json(PostFiles("/h/hash", {{"photo", "", "a.bmp", ""}}, Role::kIngestClient), 400)["field"],
      "photo");
  EXPECT_EQ(Json(PostJson("/h/hash", "{}", Role::kIngestClient), 400)["field"], "body");
  // A truncated image is refused, not half-hashed.
  const std::string bmp = TexturedBmp(1);
  EXPECT_EQ(
      Json(PostFiles("/h/hash", {{"photo", bmp.substr(0, 100), "a.bmp", ""}}, Role::kIngestClient),
           400)["field"],
      "photo");
}

}  // namespace
}  // namespace vigil::server::testing
