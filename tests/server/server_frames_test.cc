// A video item's frame thumbnails (GET /v1/cases/{id}/items/{n}/frames; docs/console.md): only
// for the holder (and auditors), audited as a view, bounded in count and size, PNGs of the
// frames the media module spaced over the video; an image or an undecodable video is refused
// by name. Uses the benign clips of ../shared/testdata/vpdq (skipped without them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cases/cases.h"
#include "core/file.h"
#include "hash/digest.h"
#include "media/media.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;
namespace fs = std::filesystem;

const fs::path kVideos = fs::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq" / "videos";

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// An independent decoder for the answer's base64 (RFC 4648, with padding).
std::vector<uint8_t> FromBase64(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = value(c);
    EXPECT_GE(v, 0) << "not base64: " << c;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

class FramesTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (!fs::exists(kVideos / "s01_slideshow_h264.mp4")) {
      GTEST_SKIP() << "no shared test videos at " << kVideos << " (VIGIL_SHARED_DIR)";
    }
    ServerConfig c = DefaultConfig();
    UseEvidenceStore(c);
    StartServer(c);
    // One case: a 10 s H.264 clip (480x270, 25 fps), an MP4 cut off before its index, a BMP image
    // a 9 s VP9 clip (216x120, 30 fps) and a 6 s animated GIF (320x200, 10 fps, 60 frames).
    NoSink sink;
    auto service =
        cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), {});
    ASSERT_TRUE(service.ok());
    cases::NewCase nc{.account_id = "acct-v", .surface = "video"};
    std::vector<std::string> media;  // kept in the evidence store once the case exists
    auto add = [&](const std::string& id, const std::string& bytes, const char* type) {
      const std::string sha = hash::DigestToHex(
          hash::Sha256(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
      media.push_back(bytes);
      nc.items.push_back(
          {.item_id = id,
           .content_type = type,
           .hashes = {{"sha256", sha}},
           .flags = {{.technology = "md5@1", .bank_entry_id = 1, .bank_name = "b"}}});
    };
    add("clip-h264", Read(kVideos / "s01_slideshow_h264.mp4"), "video");
    add("clip-bad", Read(kVideos / "bad_truncated_nomoov.mp4"), "video");
    add("photo", TexturedBmp(3), "image");
    add("clip-vp9", Read(kVideos / "s03_slideshow_vp9__scale50.webm"), "video");
    add("anim-gif", Read(kVideos / "s04_anim.gif"), "video");
    auto opened = (*service)->OpenCase(nc);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::unique_ptr<privacy::EvidenceStore> evidence = OpenTestEvidence();
    ASSERT_NE(evidence, nullptr);
    for (size_t i = 0; i < media.size(); ++i) {
      const auto* data = reinterpret_cast<const uint8_t*>(media[i].data());
      ASSERT_TRUE(privacy::StoreEvidence(db_->privacy(), *evidence, opened->opened.id,
                                         static_cast<int64_t>(i), std::span(data, media[i].size()),
                                         SystemClock().Now())
                      .ok());
    }
    base_ = "/v1/cases/" + std::to_string(opened->opened.id) + "/items/";
    case_id_ = opened->opened.id;
  }
  static std::string Read(const fs::path& p) {
    auto bytes = ReadFileBytes(p.string(), 1 << 26);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
  }
  void Claim() {
    Json(
        PostJson("/v1/review/claim", nlohmann::json{{"case_id", case_id_}}.dump(), Role::kReviewer),
        200);
  }

  std::string base_;
  int64_t case_id_ = 0;
};

TEST_F(FramesTest, TheHolderGetsEvenlySpacedDownscaledPngFrames) {
  // Only for whoever holds the case, as the media itself.
  nlohmann::json refused = Json(Get(base_ + "0/frames", Role::kReviewer), 403);
  EXPECT_NE(refused["message"].get<std::string>().find("does not hold"), std::string::npos);
  EXPECT_EQ(Get(base_ + "0/frames", Role::kReporter)->status, 403);
  EXPECT_EQ(Get(base_ + "0/frames", Role::kIngestClient)->status, 403);
  Claim();
  nlohmann::json j = Json(Get(base_ + "0/frames", Role::kReviewer), 200);
  EXPECT_EQ(j["item_id"], "clip-h264");
  EXPECT_EQ(j["video"]["codec"], "h264");
  EXPECT_EQ(j["video"]["width"], 480);
  EXPECT_EQ(j["video"]["height"], 270);
  // 8 frames over 10 s: a frame every 1.25 s = (int)(1.25 * 25) = 31 frames selects frames 0,
  // 31, ..., 248 (nine); the eight evenly spaced of those drop the fifth (124).
  EXPECT_EQ(j["video"]["frame_step"], 31);
  std::vector<int64_t> numbers;
  for (const auto& f : j["frames"]) numbers.push_back(f["frame_number"].get<int64_t>());
  EXPECT_EQ(numbers, (std::vector<int64_t>{0, 31, 62, 93, 155, 186, 217, 248}));
  EXPECT_NEAR(j["frames"][7]["timestamp"].get<double>(), 248.0 / 25, 1e-3);
  for (const auto& f : j["frames"]) {
    // 480x270 with its longer side at 160: 160x90; a PNG of exactly that.
    EXPECT_EQ(f["width"], 160);
    EXPECT_EQ(f["height"], 90);
    EXPECT_EQ(f["content_type"], "image/png");
    const std::vector<uint8_t> png = FromBase64(f["data"].get<std::string>());
    ASSERT_EQ(media::SniffMediaType(png), media::MediaType::kPng);
    auto image = media::DecodeImage(png, {});
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    EXPECT_EQ(image->width, 160);
    EXPECT_EQ(image->height, 90);
    EXPECT_EQ(image->channels, 3);
  }
  // The frames differ (a slideshow): not one frame repeated.
  EXPECT_NE(j["frames"][0]["data"], j["frames"][7]["data"]);
  // An audited view of evidence, never cached.
  bool audited = false;
  for (const auto& r : AuditLog()) {
    audited |= r.event.action == "GET /v1/cases/{id}/items/{n}/frames" &&
               r.event.target == base_ + "0/frames" && r.event.actor == "reviewer";
  }
  EXPECT_TRUE(audited);
  EXPECT_EQ(Get(base_ + "0/frames", Role::kReviewer)->get_header_value("Cache-Control"),
            "no-store");
  // Auditors oversee without holding the case.
  EXPECT_EQ(Json(Get(base_ + "0/frames?count=3", Role::kAuditor), 200)["frames"].size(), 3u);
}

TEST_F(FramesTest, CountAndSizeAreBounded) {
  Claim();
  nlohmann::json three = Json(Get(base_ + "0/frames?count=3", Role::kReviewer), 200);
  ASSERT_EQ(three["frames"].size(), 3u);
  // 10 s / 3: (int)(3.333 * 25) = 83: frames 0, 83, 166, 249; evenly three: 0, 166, 249.
  EXPECT_EQ(three["frames"][0]["frame_number"], 0);
  EXPECT_EQ(three["frames"][1]["frame_number"], 166);
  EXPECT_EQ(three["frames"][2]["frame_number"], 249);
  nlohmann::json big = Json(Get(base_ + "0/frames?count=1&size=320", Role::kReviewer), 200);
  ASSERT_EQ(big["frames"].size(), 1u);
  EXPECT_EQ(big["frames"][0]["width"], 320);
  EXPECT_EQ(big["frames"][0]["height"], 180);
  // Never upscaled: the 216x120 VP9 clip stays 216x120 under a 320 limit; under 160, 160x89.
  nlohmann::json vp9 = Json(Get(base_ + "3/frames?size=320", Role::kReviewer), 200);
  ASSERT_FALSE(vp9["frames"].empty());
  EXPECT_EQ(vp9["frames"][0]["width"], 216);
  EXPECT_EQ(vp9["frames"][0]["height"], 120);
  nlohmann::json small = Json(Get(base_ + "3/frames", Role::kReviewer), 200);
  EXPECT_EQ(small["frames"].size(), 8u);
  EXPECT_EQ(small["frames"][0]["height"], 89);  // 120 * 160 / 216 = 88.9
  EXPECT_EQ(small["video"]["codec"], "vp9");
  // An animated GIF (hashed as a video) has frames too: 6 s / 8 is every (int)(0.75 * 10) = 7
  // frames, 0 to 56 (nine), of which eight; 320x200 at 160 is 160x100.
  nlohmann::json gif = Json(Get(base_ + "4/frames", Role::kReviewer), 200);
  std::vector<int64_t> gif_numbers;
  for (const auto& f : gif["frames"]) gif_numbers.push_back(f["frame_number"].get<int64_t>());
  EXPECT_EQ(gif_numbers, (std::vector<int64_t>{0, 7, 14, 21, 35, 42, 49, 56}));
  EXPECT_EQ(gif["frames"][0]["width"], 160);
  EXPECT_EQ(gif["frames"][0]["height"], 100);
  for (const char* q : {"count=0", "count=17", "count=x"}) {
    EXPECT_EQ(Json(Get(base_ + "0/frames?" + q, Role::kReviewer), 400)["field"], "count") << q;
  }
  for (const char* q : {"size=31", "size=321"}) {
    EXPECT_EQ(Json(Get(base_ + "0/frames?" + q, Role::kReviewer), 400)["field"], "size") << q;
  }
}

TEST_F(FramesTest, ImagesAndUndecodableVideosAreRefusedByName) {
  Claim();
  nlohmann::json image = Json(Get(base_ + "2/frames", Role::kReviewer), 400);
  EXPECT_EQ(image["field"], "n");
  EXPECT_NE(image["message"].get<std::string>().find("item 'photo' is not a video"),
            std::string::npos)
      << image;
  auto bad = Get(base_ + "1/frames", Role::kReviewer);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 501) << bad->body;
  EXPECT_NE(bad->body.find("item 'clip-bad': its video cannot be decoded into frames"),
            std::string::npos)
      << bad->body;
  EXPECT_EQ(Json(Get(base_ + "5/frames", Role::kReviewer), 404)["message"],
            "case " + std::to_string(case_id_) + " has no item 5 (it has 5)");
  // A media file that is not the flagged item is refused, as for the media route.
  const std::string other = Read(kVideos / "s01_slideshow_h264.mp4");
  std::unique_ptr<privacy::EvidenceStore> evidence = OpenTestEvidence();
  ASSERT_NE(evidence, nullptr);
  ASSERT_TRUE(evidence
                  ->Write(case_id_, 3,
                          std::span(reinterpret_cast<const uint8_t*>(other.data()), other.size()))
                  .ok());
  auto swapped = Get(base_ + "3/frames", Role::kReviewer);
  ASSERT_TRUE(swapped);
  EXPECT_NE(swapped->status, 200);
  EXPECT_NE(swapped->body.find("does not match its SHA-256"), std::string::npos) << swapped->body;
}

}  // namespace
}  // namespace vigil::server::testing
