// The reviewer console's side of the server: static files (content types, caching, path
// traversal), who-am-I and wellness, case history, media for the holder and its audited reveal,
// the QA queue, the audit log and the rules (docs/console.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cases/cases.h"
#include "hash/digest.h"
#include "privacy/purge.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;
namespace fs = std::filesystem;

void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

class ConsoleTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    dir_ = fs::path(path_).parent_path() / ("console-" + fs::path(path_).filename().string());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "dist" / "sub.js");
    WriteFile(dir_ / "dist" / "index.html", "<!doctype html><title>vigil</title>");
    WriteFile(dir_ / "dist" / "app.js", "export const x = 1;\n");
    WriteFile(dir_ / "dist" / "style.css", "body{}");
    WriteFile(dir_ / "dist" / "notes.txt", "not an asset type");
    WriteFile(dir_ / "dist" / ".hidden.js", "hidden");
    WriteFile(dir_ / "secret.js", "outside the console directory");
    fs::create_symlink(dir_ / "secret.js", dir_ / "dist" / "link.js");
    ServerConfig c = DefaultConfig();
    c.console_dir = (dir_ / "dist").string();
    UseEvidenceStore(c);
    StartServer(c);
  }
  void TearDown() override {
    ServerTest::TearDown();
    fs::remove_all(dir_);
  }

  // A bank holding TexturedBmp(seed)'s PDQ and that image through the pipeline as `account`,
  // which keeps it in the encrypted evidence store. Returns the case id.
  int64_t OpenCase(int seed, const std::string& account) {
    if (!bank_created_) {
      Json(PostJson("/v1/banks", R"({"name": "hotline"})", Role::kBankManager), 201);
      bank_created_ = true;
    }
    const std::string bmp = TexturedBmp(seed);
    nlohmann::json h =
        Json(PostFiles("/v1/hash", {{"file", bmp, "a.bmp", ""}}, Role::kIngestClient), 200);
    Json(PostJson("/v1/banks/hotline/entries",
                  nlohmann::json{{"signal_type", "pdq"}, {"signal", h["pdq"]}}.dump(),
                  Role::kBankManager),
         201);
    nlohmann::json out = Json(PostFiles("/v1/items",
                                        {{"file", bmp, "a.bmp", ""},
                                         {"item_id", "item-" + std::to_string(seed), "", ""},
                                         {"account_id", account, "", ""},
                                         {"region", "eu", "", ""}},
                                        Role::kIngestClient),
                              200);
    EXPECT_EQ(out["flagged"], true) << out;
    return out.value("case_id", int64_t{0});
  }

  bool Audited(const std::string& action, const std::string& target) {
    for (const auto& r : AuditLog()) {
      if (r.event.action == action && r.event.target == target) return true;
    }
    return false;
  }

  fs::path dir_;
  bool bank_created_ = false;
};

TEST_F(ConsoleTest, ServesTheBuiltFilesWithTypesAndRevalidation) {
  auto index = client_->Get("/console");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, "<!doctype html><title>vigil</title>");
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  const std::string etag = index->get_header_value("ETag");
  EXPECT_FALSE(etag.empty());
  auto again = client_->Get("/console", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto js = client_->Get("/console/app.js");
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body, "export const x = 1;\n");
  EXPECT_EQ(client_->Get("/console/style.css")->get_header_value("Content-Type"),
            "text/css; charset=utf-8");
  auto root = client_->Get("/");
  EXPECT_EQ(root->status, 302);
  EXPECT_EQ(root->get_header_value("Location"), "/console");
}

TEST_F(ConsoleTest, NothingOutsideTheBuiltAssetsIsServed) {
  for (const char* path :
       {"/console/notes.txt", "/console/.hidden.js", "/console/link.js", "/console/sub.js",
        "/console/missing.js", "/console/..", "/console/%2e%2e", "/console/..%2fsecret.js",
        "/console/%2e%2e%2fsecret.js", "/console/../secret.js", "/console/sub.js/../../secret.js",
        "/console/app.js%00.html", "/console/APP.JS", "/console/a\\..\\secret.js"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path << ": " << res->body;
    EXPECT_EQ(res->body.find("outside the console"), std::string::npos) << path;
    EXPECT_NE(res->body, "hidden") << path;
  }
}

TEST_F(ConsoleTest, WithoutConsoleDirTheConsoleSaysHowToEnableIt) {
  StartServer(DefaultConfig());
  nlohmann::json j = Json(client_->Get("/console"), 404);
  EXPECT_NE(j["message"].get<std::string>().find("console_dir"), std::string::npos) << j;
}

TEST(ConsoleConfigTest, DirectoriesAreStringsNamedWhenWrong) {
  auto c = ParseServerConfig(R"({"console_dir": "web/dist"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->console_dir, "web/dist");
  EXPECT_EQ(ParseServerConfig("{}")->console_dir, "");
  auto bad = ParseServerConfig(R"({"console_dir": 5})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "config key 'console_dir': expected a string");
  // The plain media directory is gone (issue 8): a configuration naming it is refused, saying
  // where media is read from now and that its old files are the operator's to delete.
  auto old = ParseServerConfig(R"({"media_dir": "/srv/media"})");
  ASSERT_EQ(old.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(old.status().message().find("config key 'media_dir': no longer read"),
            std::string::npos)
      << old.status().message();
  EXPECT_NE(old.status().message().find("evidence_dir"), std::string::npos);
}

// Without an evidence store the console has no media: /v1/me says so and the media route
// answers 404 naming evidence_dir.
TEST_F(ConsoleTest, WithoutAnEvidenceStoreNoMediaIsServed) {
  const int64_t id = OpenCase(1, "acct-1");
  StartServer(DefaultConfig());
  EXPECT_EQ(Json(Get("/v1/me", Role::kReviewer), 200)["media"], false);
  nlohmann::json j =
      Json(Get("/v1/cases/" + std::to_string(id) + "/items/0/media", Role::kAuditor), 404);
  EXPECT_NE(j["message"].get<std::string>().find("evidence_dir"), std::string::npos) << j;
}

TEST_F(ConsoleTest, MeShowsRolesWellnessAndExposure) {
  nlohmann::json me = Json(Get("/v1/me", Role::kReviewer), 200);
  EXPECT_EQ(me["name"], "reviewer");
  EXPECT_EQ(me["roles"], nlohmann::json::array({"reviewer"}));
  EXPECT_EQ(me["wellness"]["blur_percent"], 100);
  EXPECT_EQ(me["wellness"]["greyscale"], true);
  EXPECT_EQ(me["wellness"]["daily_exposure_cap"], 300);
  EXPECT_EQ(me["exposure_today"], 0);
  EXPECT_EQ(me["media"], true);
  EXPECT_EQ(Json(Get("/v1/me", Role::kReporter), 200)["roles"],
            nlohmann::json::array({"reporter"}));

  me = Json(
      PutJson("/v1/me/wellness", R"({"blur_percent": 40, "greyscale": false})", Role::kReviewer),
      200);
  EXPECT_EQ(me["wellness"]["blur_percent"], 40);
  EXPECT_EQ(me["wellness"]["greyscale"], false);
  EXPECT_EQ(Json(Get("/v1/me", Role::kReviewer), 200)["wellness"]["blur_percent"], 40);
  // The cap protects the reviewer: only an admin sets it.
  EXPECT_EQ(Json(PutJson("/v1/me/wellness", R"({"daily_exposure_cap": 100000})", Role::kReviewer),
                 400)["field"],
            "daily_exposure_cap");
  EXPECT_EQ(
      Json(PutJson("/v1/me/wellness", R"({"blur_percent": 101})", Role::kReviewer), 400)["field"],
      "blur_percent");
  EXPECT_EQ(
      Json(PutJson("/v1/me/wellness", R"({"greyscale": "yes"})", Role::kReviewer), 400)["field"],
      "greyscale");
  EXPECT_TRUE(Audited("PUT /v1/me/wellness", "/v1/me/wellness"));
}

TEST_F(ConsoleTest, TheExposureCapAnAdminSetsStopsClaims) {
  const int64_t first = OpenCase(1, "acct-1");
  const int64_t second = OpenCase(2, "acct-2");
  ASSERT_NE(first, second);
  nlohmann::json w =
      Json(PutJson("/v1/reviewers/reviewer/wellness", R"({"daily_exposure_cap": 1})", Role::kAdmin),
           200);
  EXPECT_EQ(w["daily_exposure_cap"], 1);
  Json(PostJson("/v1/review/claim", nlohmann::json{{"case_id", first}}.dump(), Role::kReviewer),
       200);
  EXPECT_EQ(Json(Get("/v1/me", Role::kReviewer), 200)["exposure_today"], 1);
  nlohmann::json refused = Json(
      PostJson("/v1/review/claim", nlohmann::json{{"case_id", second}}.dump(), Role::kReviewer),
      409);
  EXPECT_NE(refused["message"].get<std::string>().find("daily exposure cap"), std::string::npos)
      << refused;
}

TEST_F(ConsoleTest, QueueRowsCarryWhatTheFiltersNeed) {
  const int64_t id = OpenCase(1, "acct-1");
  nlohmann::json q = Json(Get("/v1/review/queue", Role::kReviewer), 200);
  ASSERT_EQ(q["cases"].size(), 1u);
  const nlohmann::json& c = q["cases"][0];
  EXPECT_EQ(c["id"], id);
  EXPECT_EQ(c["eu"], true);
  EXPECT_EQ(c["banks"], nlohmann::json::array({"hotline"}));
  EXPECT_EQ(c["content_types"], nlohmann::json::array({"image"}));
  EXPECT_EQ(c["reviews"], 0);
  EXPECT_FALSE(c.contains("lease"));
  nlohmann::json one = Json(Get("/v1/cases/" + std::to_string(id), Role::kAuditor), 200);
  const std::string sha = one["items"][0]["hashes"]["sha256"];
  EXPECT_EQ(sha,
            hash::DigestToHex(hash::Sha256(std::span<const uint8_t>(
                reinterpret_cast<const uint8_t*>(TexturedBmp(1).data()), TexturedBmp(1).size()))));
}

TEST_F(ConsoleTest, MediaIsForTheHolderAndRevealIsAudited) {
  const int64_t id = OpenCase(1, "acct-1");
  const std::string base = "/v1/cases/" + std::to_string(id) + "/items/";
  nlohmann::json refused = Json(Get(base + "0/media", Role::kReviewer), 403);
  EXPECT_NE(refused["message"].get<std::string>().find("does not hold"), std::string::npos);
  Json(PostJson(base + "0/reveal", "", Role::kReviewer), 403);
  Json(PostJson("/v1/review/claim", nlohmann::json{{"case_id", id}}.dump(), Role::kReviewer), 200);
  auto media = Get(base + "0/media", Role::kReviewer);
  ASSERT_TRUE(media);
  EXPECT_EQ(media->status, 200);
  EXPECT_EQ(media->body, TexturedBmp(1));
  EXPECT_EQ(media->get_header_value("Content-Type"), "image/bmp");
  EXPECT_EQ(media->get_header_value("Cache-Control"), "no-store");
  EXPECT_TRUE(Audited("GET /v1/cases/{id}/items/{n}/media", base + "0/media"));
  EXPECT_FALSE(Audited("POST /v1/cases/{id}/items/{n}/reveal", base + "0/reveal"));
  nlohmann::json r = Json(PostJson(base + "0/reveal", "", Role::kReviewer), 200);
  EXPECT_EQ(r["item_id"], "item-1");
  EXPECT_TRUE(Audited("POST /v1/cases/{id}/items/{n}/reveal", base + "0/reveal"));
  // Auditors oversee reviews without holding the case.
  EXPECT_EQ(Get(base + "0/media", Role::kAuditor)->status, 200);
  EXPECT_EQ(Json(Get(base + "1/media", Role::kReviewer), 404)["message"],
            "case " + std::to_string(id) + " has no item 1 (it has 1)");
  EXPECT_EQ(Json(Get(base + "x/media", Role::kReviewer), 400)["field"], "n");
  EXPECT_EQ(Json(Get(base + "-1/media", Role::kReviewer), 400)["field"], "n");
  Json(Get("/v1/cases/999/items/0/media", Role::kReviewer), 404);
}

TEST_F(ConsoleTest, MediaThatIsNotTheFlaggedItemIsRefused) {
  const int64_t id = OpenCase(1, "acct-1");
  const int64_t other = OpenCase(2, "acct-2");
  const std::string media = "/v1/cases/" + std::to_string(id) + "/items/0/media";
  std::unique_ptr<privacy::EvidenceStore> evidence = OpenTestEvidence();
  ASSERT_NE(evidence, nullptr);
  const fs::path file = evidence->dir() / privacy::EvidenceStore::FileFor(id, 0);
  // Another item's sealed file moved under this item's name does not open.
  fs::copy_file(evidence->dir() / privacy::EvidenceStore::FileFor(other, 0), file,
                fs::copy_options::overwrite_existing);
  auto moved = Get(media, Role::kAuditor);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->status, 500) << moved->body;
  EXPECT_NE(moved->body.find(file.string()), std::string::npos) << moved->body;
  // A file sealed for this item that is not the flagged image is refused by its SHA-256.
  const std::string swapped = TexturedBmp(2);
  ASSERT_TRUE(
      evidence
          ->Write(id, 0,
                  std::span(reinterpret_cast<const uint8_t*>(swapped.data()), swapped.size()))
          .ok());
  auto res = Get(media, Role::kAuditor);
  ASSERT_TRUE(res);
  EXPECT_NE(res->status, 200);
  EXPECT_NE(res->body.find("does not match its SHA-256"), std::string::npos) << res->body;
  fs::remove(file);
  nlohmann::json gone = Json(Get(media, Role::kAuditor), 404);
  EXPECT_NE(gone["message"].get<std::string>().find("not available"), std::string::npos);
}

// Issue 8: what the console shows is the case's evidence, so the purge and a "not CSAM"
// erasure take it away with the case; the verification finds no media left behind.
TEST_F(ConsoleTest, MediaGoesWithItsCaseWhenItIsErased) {
  const int64_t id = OpenCase(1, "acct-1");
  const int64_t kept = OpenCase(2, "acct-2");
  const std::string media = "/v1/cases/" + std::to_string(id) + "/items/0/media";
  ASSERT_EQ(Get(media, Role::kAuditor)->status, 200);
  std::unique_ptr<privacy::EvidenceStore> evidence = OpenTestEvidence();
  ASSERT_NE(evidence, nullptr);
  const TimePoint now = SystemClock().Now();
  // Expired: the purge at the case's expiry (a year on) erases both cases' media...
  privacy::HoldRecord hold{.subject = "case:" + std::to_string(kept),
                           .reason = "complaint pending",
                           .placed_by = "dpo",
                           .placed_at = now,
                           .review_at = now + std::chrono::days(30)};
  ASSERT_TRUE(db_->privacy().AddHold(hold).ok());  // ...except the held one's
  auto run = privacy::Purge(db_->privacy(), evidence.get(), now + std::chrono::days(400));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->cases, 1);
  EXPECT_FALSE(fs::exists(evidence->dir() / privacy::EvidenceStore::FileFor(id, 0)));
  EXPECT_NE(
      Json(Get(media, Role::kAuditor), 404)["message"].get<std::string>().find("not available"),
      std::string::npos);
  EXPECT_EQ(Get("/v1/cases/" + std::to_string(kept) + "/items/0/media", Role::kAuditor)->status,
            200);
  auto left =
      privacy::VerifyRetention(db_->privacy(), evidence.get(), now + std::chrono::days(400));
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  EXPECT_TRUE(left->empty());
}

TEST_F(ConsoleTest, HistoryAuditLogRulesAndQueues) {
  const int64_t id = OpenCase(1, "acct-1");
  Json(PostJson("/v1/review/claim", nlohmann::json{{"case_id", id}}.dump(), Role::kReviewer), 200);
  nlohmann::json events =
      Json(Get("/v1/cases/" + std::to_string(id) + "/events", Role::kAuditor), 200)["events"];
  ASSERT_EQ(events.size(), 2u) << events;
  EXPECT_EQ(events[0]["action"], "opened");
  EXPECT_EQ(events[1]["action"], "claimed");
  EXPECT_EQ(events[1]["actor"], "reviewer");
  Json(Get("/v1/cases/999/events", Role::kAuditor), 404);

  nlohmann::json log = Json(Get("/v1/audit?limit=2", Role::kAuditor), 200);
  ASSERT_EQ(log["records"].size(), 2u);
  EXPECT_EQ(log["records"][0]["seq"], 1);
  EXPECT_EQ(log["records"][0]["action"], "POST /v1/banks");
  EXPECT_EQ(log["next_from_seq"], 3);
  nlohmann::json rest = Json(Get("/v1/audit?from_seq=3&limit=1000", Role::kAuditor), 200);
  EXPECT_EQ(rest["records"][0]["seq"], 3);
  EXPECT_FALSE(rest.contains("next_from_seq"));
  EXPECT_EQ(Json(Get("/v1/audit?from_seq=0", Role::kAuditor), 400)["field"], "from_seq");

  nlohmann::json rules = Json(Get("/v1/rules", Role::kReviewer), 200);
  EXPECT_EQ(rules["auto_action_enabled"], false);
  EXPECT_EQ(rules["pdq_radius"], 31);
  EXPECT_EQ(rules["review"]["lease_seconds"], 900);
  bool pdq = false;
  for (const auto& r : rules["rules"]) pdq |= r["detector"] == "pdq" && r["max_distance"] == 31;
  EXPECT_TRUE(pdq) << rules;

  EXPECT_EQ(Json(Get("/v1/review/qa-queue", Role::kReviewer), 200)["cases"].size(), 0u);
  EXPECT_EQ(Json(Get("/v1/alerts", Role::kReviewer), 200)["alerts"].size(), 0u);
  EXPECT_EQ(Json(PostJson("/v1/review/qa-claim", "{}", Role::kReviewer), 400)["field"], "case_id");
}

class NoSink : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

TEST_F(ConsoleTest, QaSamplesAreClaimedAndReviewedByAnotherReviewer) {
  // Cases opened straight into the store (by a service of its own) up to the first id the
  // server's default sampling (5 %, seed 0) draws for QA.
  NoSink sink;
  auto service =
      cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), {});
  ASSERT_TRUE(service.ok());
  int64_t sampled = 0;
  for (int i = 0; i < 500 && sampled == 0; ++i) {
    cases::NewCase nc{.account_id = "acct-" + std::to_string(i), .surface = "test"};
    nc.items.push_back(
        {.item_id = "i" + std::to_string(i),
         .content_type = "image",
         .flags = {
             {.technology = "md5@1", .raw_value = 0, .bank_entry_id = 1, .bank_name = "hotline"}}});
    auto opened = (*service)->OpenCase(nc);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    if (cases::SampledForQa(cases::QaSampling{}, opened->opened.id)) sampled = opened->opened.id;
  }
  ASSERT_GT(sampled, 0);
  const std::string id = std::to_string(sampled);
  Json(PostJson("/v1/review/claim", R"({"case_id": )" + id + "}", Role::kReviewer), 200);
  Json(PostJson("/v1/cases/" + id + "/decision",
                R"({"decision": "confirmed_known", "rationale": "matches the list"})",
                Role::kReviewer),
       200);
  nlohmann::json qa = Json(Get("/v1/review/qa-queue", Role::kAuditor), 200);
  ASSERT_EQ(qa["cases"].size(), 1u);
  EXPECT_EQ(qa["cases"][0]["id"], sampled);
  // The deciding reviewer may not check their own decision.
  Json(PostJson("/v1/review/qa-claim", R"({"case_id": )" + id + "}", Role::kReviewer), 409);
  ASSERT_TRUE(auth::CreateApiKey(db_->api_keys(),
                                 {"second", {Role::kReviewer}, auth::HashSecret("second-secret")},
                                 SystemClock().Now())
                  .ok());
  httplib::Headers second = {{"Authorization", "Bearer second-secret"}};
  auto claimed = client_->Post("/v1/review/qa-claim", second, R"({"case_id": )" + id + "}",
                               "application/json");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->status, 200) << claimed->body;
  auto reviewed = client_->Post("/v1/cases/" + id + "/qa-review", second,
                                R"({"decision": "not_csam", "rationale": "a benign test"})",
                                "application/json");
  ASSERT_TRUE(reviewed);
  EXPECT_EQ(reviewed->status, 200) << reviewed->body;
  nlohmann::json after = nlohmann::json::parse(reviewed->body);
  EXPECT_EQ(after["qa"], "done");
  EXPECT_EQ(after["outcome"], "confirmed_known") << "QA never changes the outcome";
  EXPECT_EQ(Json(Get("/v1/review/qa-queue", Role::kAuditor), 200)["cases"].size(), 0u);
}

}  // namespace
}  // namespace vigil::server::testing

namespace vigil::server::testing {
namespace {

// Art 3(1)(f): a classifier flag's evidence reaches the case view with the technology's parts
// (which detector, model version, threshold); hash flags have none; evidence the store holds
// that is not JSON is passed on as text rather than dropped.
TEST_F(ConsoleTest, CaseFlagsCarryClassifierEvidenceAndTechnologyParts) {
  NoSink sink;
  auto service =
      cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), {});
  ASSERT_TRUE(service.ok());
  const std::string evidence =
      R"([{"indicator": "secrecy", "weight": 0.25, "messages": ["m3"], "detail": "keep it secret"}])";
  cases::NewCase nc{.account_id = "acct-e", .surface = "chat"};
  nc.items.push_back({.item_id = "conv-1",
                      .content_type = "conversation",
                      .flags = {{.technology = "classifier:grooming-example@1 s>=0.25",
                                 .category = cases::FlagCategory::kSolicitation,
                                 .raw_value = 0.625,
                                 .evidence = evidence},
                                {.technology = "classifier:other",
                                 .category = cases::FlagCategory::kSolicitation,
                                 .raw_value = 0.5,
                                 .evidence = "frame 4 scored highest"}}});
  nc.items.push_back(
      {.item_id = "img-1",
       .content_type = "image",
       .flags = {
           {.technology = "pdq@1 r<=31", .raw_value = 3, .bank_entry_id = 1, .bank_name = "b"}}});
  auto opened = (*service)->OpenCase(nc);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::string path = "/v1/cases/" + std::to_string(opened->opened.id);

  const nlohmann::json c = Json(Get(path, Role::kReviewer), 200);
  const nlohmann::json& grooming = c["items"][0]["flags"][0];
  EXPECT_EQ(grooming["technology"], "classifier:grooming-example@1 s>=0.25");
  EXPECT_EQ(grooming["detector"], "classifier:grooming-example");
  EXPECT_EQ(grooming["version"], "1");
  EXPECT_EQ(grooming["threshold"], "s>=0.25");
  EXPECT_EQ(grooming["category"], "solicitation");
  EXPECT_EQ(grooming["value"], 0.625);
  EXPECT_EQ(grooming["evidence"], nlohmann::json::parse(evidence));
  const nlohmann::json& other = c["items"][0]["flags"][1];
  EXPECT_EQ(other["detector"], "classifier:other");
  EXPECT_EQ(other["version"], "");
  EXPECT_EQ(other["threshold"], "");
  EXPECT_EQ(other["evidence"], "frame 4 scored highest");
  const nlohmann::json& hash = c["items"][1]["flags"][0];
  EXPECT_EQ(hash["detector"], "pdq");
  EXPECT_EQ(hash["version"], "1");
  EXPECT_EQ(hash["threshold"], "r<=31");
  EXPECT_FALSE(hash.contains("evidence"));
  // Evidence is part of the case, which reporters may not see; the view is audited.
  EXPECT_EQ(Get(path, Role::kReporter)->status, 403);
  EXPECT_TRUE(Audited("GET /v1/cases/{id}", path));
}

}  // namespace
}  // namespace vigil::server::testing

namespace vigil::server::testing {
namespace {

// Videos the browser plays (WebM, MP4) are served for review like images, under their container's
// content type; other containers (AVI) are refused by name. The bytes are container headers
// only: the route sniffs, it never decodes.
TEST_F(ConsoleTest, VideoMediaIsServedByContainerAndOthersAreRefusedByName) {
  const std::string webm = std::string("\x1A\x45\xDF\xA3", 4) + "\x9F\x42\x86\x81\x01webm-body";
  const std::string mp4 = std::string(
                              "\0\0\0\x14"
                              "ftypisom\0\0\0\0isom",
                              20) +
                          "mdat-body";
  const std::string avi = std::string("RIFF\x10\0\0\0AVI LIST", 16) + "avi-body";
  NoSink sink;
  auto service =
      cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), {});
  ASSERT_TRUE(service.ok());
  cases::NewCase nc{.account_id = "acct-v", .surface = "video"};
  for (const auto& [name, bytes] : {std::pair{"v-webm", webm}, {"v-mp4", mp4}, {"v-avi", avi}}) {
    const std::string sha = hash::DigestToHex(
        hash::Sha256(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
    nc.items.push_back({.item_id = name,
                        .content_type = "video",
                        .hashes = {{"sha256", sha}},
                        .flags = {{.technology = "md5@1", .bank_entry_id = 1, .bank_name = "b"}}});
  }
  auto opened = (*service)->OpenCase(nc);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<privacy::EvidenceStore> evidence = OpenTestEvidence();
  ASSERT_NE(evidence, nullptr);
  int64_t position = 0;
  for (const std::string& bytes : {webm, mp4, avi}) {
    ASSERT_TRUE(privacy::StoreEvidence(
                    db_->privacy(), *evidence, opened->opened.id, position++,
                    std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                    SystemClock().Now())
                    .ok());
  }
  const std::string base = "/v1/cases/" + std::to_string(opened->opened.id) + "/items/";
  Json(Get(base + "0/media", Role::kReviewer), 403);  // only for the holder, as images
  auto webm_reply = Get(base + "0/media", Role::kAuditor);
  ASSERT_TRUE(webm_reply);
  EXPECT_EQ(webm_reply->status, 200);
  EXPECT_EQ(webm_reply->body, webm);
  EXPECT_EQ(webm_reply->get_header_value("Content-Type"), "video/webm");
  EXPECT_EQ(webm_reply->get_header_value("Cache-Control"), "no-store");
  auto mp4_reply = Get(base + "1/media", Role::kAuditor);
  ASSERT_TRUE(mp4_reply);
  EXPECT_EQ(mp4_reply->get_header_value("Content-Type"), "video/mp4");
  EXPECT_EQ(mp4_reply->body, mp4);
  EXPECT_EQ(Json(Get(base + "2/media", Role::kAuditor), 501)["message"],
            "item 'v-avi' is not an image or video the browser can show");
  EXPECT_TRUE(Audited("GET /v1/cases/{id}/items/{n}/media", base + "0/media"));
  // The console's page may play what it fetched: media-src allows this server and blob: only.
  auto index = client_->Get("/console");
  ASSERT_TRUE(index);
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("media-src 'self' blob:;"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::server::testing
