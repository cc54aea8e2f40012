// The general scanning notice (Art 3(1)(g)(v)): every fact from the configuration appears in
// text and HTML (escaped), the automatic-action paragraph only when rules act automatically, the
// "no organisation" wording when none is configured, and missing facts or malformed templates
// are refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "redress/redress.h"

namespace vigil::redress {
namespace {

ScanningFacts Facts() {
  return ScanningFacts{
      .service_name = "PhotoShare",
      .provider_name = "PhotoShare GmbH",
      .detectors = {"pdq", "md5", "classifier:imageX", "audio-fp"},
      .automatic_action = false,
      .organisations = {"NCMEC", "EU Centre"},
      .supervisory_authority = "the Example Authority",
      .complaint_deadline_days = 180,
      .generated_at = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 11 / 27))};
}

ScanningNoticeTemplate English() {
  auto all = EmbeddedScanningNoticeTemplates();
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  return all->at("en");
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ScanningNoticeTest, StatesEveryConfiguredFactInText) {
  auto n = RenderScanningNotice(English(), Facts());
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->version, "2026-11-en-1");
  const std::string& t = n->text;
  EXPECT_TRUE(t.starts_with("How PhotoShare detects online child sexual abuse\n===")) << t;
  EXPECT_TRUE(Has(t, "PhotoShare GmbH checks content shared on PhotoShare")) << t;
  EXPECT_TRUE(Has(t, "- PDQ perceptual hashing:")) << t;
  EXPECT_TRUE(Has(t, "- MD5 file fingerprints:")) << t;
  EXPECT_TRUE(Has(t, "- An image classifier estimates")) << t;
  EXPECT_TRUE(Has(t, "- Another detection technology: audio-fp.")) << t;
  EXPECT_FALSE(Has(t, "SHA-256")) << "a technology not in use is not described";
  EXPECT_FALSE(Has(t, "blocked automatically")) << "no rule acts automatically";
  EXPECT_TRUE(Has(t, "confidentiality of your communications")) << t;
  EXPECT_TRUE(Has(t,
                  "to: NCMEC, EU Centre. These organisations may pass the report to law "
                  "enforcement authorities"))
      << t;
  EXPECT_TRUE(Has(t, "within 180 days")) << t;
  EXPECT_TRUE(Has(t, "supervisory authority, the Example Authority, and to a judicial remedy"))
      << t;
  EXPECT_TRUE(Has(t, "Notice version 2026-11-en-1, generated on 2026-11-27")) << t;
}

TEST(ScanningNoticeTest, AutomaticActionAndNoOrganisationChangeTheWording) {
  ScanningFacts f = Facts();
  f.automatic_action = true;
  f.organisations.clear();
  auto n = RenderScanningNotice(English(), f);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(Has(n->text, "may be blocked automatically"));
  EXPECT_TRUE(Has(n->text, "We currently do not share reports with any organisation."));
}

TEST(ScanningNoticeTest, HtmlEscapesFactsAndGermanIsAvailable) {
  ScanningFacts f = Facts();
  f.provider_name = "<script>alert(1)</script> & Co";
  auto n = RenderScanningNotice(English(), f);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_FALSE(Has(n->html, "<script>"));
  EXPECT_TRUE(Has(n->html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
  EXPECT_TRUE(Has(n->html, "<li>PDQ perceptual hashing:"));
  auto all = EmbeddedScanningNoticeTemplates();
  auto de = RenderScanningNotice(all->at("de"), Facts());
  ASSERT_TRUE(de.ok());
  EXPECT_TRUE(Has(de->text, "Wie PhotoShare sexuellen Kindesmissbrauch im Internet erkennt"));
  EXPECT_TRUE(Has(de->text, "innerhalb von 180 Tagen"));
}

TEST(ScanningNoticeTest, MissingFactsAreRefused) {
  ScanningFacts f = Facts();
  f.detectors.clear();
  EXPECT_EQ(RenderScanningNotice(English(), f).status().message(),
            "the scanning notice needs at least one technology in use (no rule acts)");
  f = Facts();
  f.supervisory_authority = "";
  EXPECT_EQ(RenderScanningNotice(English(), f).status().code(), StatusCode::kInvalidArgument);
  f = Facts();
  f.provider_name = "";
  EXPECT_EQ(RenderScanningNotice(English(), f).status().message(),
            "the scanning notice needs the provider's name");
}

TEST(ScanningNoticeTest, MalformedTemplatesAreNamed) {
  EXPECT_EQ(ParseScanningNoticeTemplate("nope", "x.json").status().message(),
            "scanning-notice template x.json: not valid JSON");
  nlohmann::json j = {{"kind", "vigil user notice"}};
  EXPECT_EQ(ParseScanningNoticeTemplate(j.dump(), "x.json").status().message(),
            "scanning-notice template x.json: not a scanning-notice template (\"kind\": \"vigil "
            "scanning notice\")");
  j = {{"kind", "vigil scanning notice"}, {"language", "fr"}, {"version", "1"}};
  EXPECT_EQ(ParseScanningNoticeTemplate(j.dump(), "x.json").status().message(),
            "scanning-notice template x.json: \"title\" must be a non-empty string");
}

}  // namespace
}  // namespace vigil::redress
