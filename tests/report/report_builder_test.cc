// NCMEC report generation: every document validated against cyber_tipline.xsd, element order and
// enumerations checked against element-outline.txt, and only reportable cases built.
#include "report/ncmec/report_builder.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "report/report_test_support.h"

namespace vigil::report::testing {
namespace {

using cases::Decision;
using cases::FlagCategory;
using ncmec::BuildFileDetails;
using ncmec::BuildReport;
using ncmec::BuildReportFromSource;

#define REQUIRE_XSD()                                                                   \
  if (Validator() == nullptr) {                                                         \
    GTEST_SKIP() << "NCMEC schema not found at " << XsdPath() << " (../shared absent)"; \
  }

ncmec::ReportInput InputFor(const cases::Case& c) {
  ncmec::ReportInput input;
  FakeEvidence source;
  for (const auto& item : c.items) input.evidence.push_back(*source.Fetch(c, item));
  return input;
}

TEST(ReportBuilder, KnownCaseBuildsAValidReportInSchemaOrder) {
  REQUIRE_XSD();
  ReviewWorld world;
  const cases::Case c = world.Decided(FlagCategory::kKnown, Decision::kConfirmedKnown, {"alice"});
  ncmec::ReportInput input = InputFor(c);
  input.user = {.screen_name = "sunny<&>\"day",
                .ip_events = {{.ip_address = "192.0.2.7",
                               .event_name = "Upload",
                               .at = kT0 - std::chrono::hours(3),
                               .port = 443}}};
  auto built = BuildReport(c, world.config, TestConfig(), input, *Validator());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const std::string& xml = built->report_xml;
  EXPECT_TRUE(Validator()->Validate(xml, "report").ok());

  const std::vector<std::string> children = RootChildren(xml);
  EXPECT_EQ(children, (std::vector<std::string>{"incidentSummary", "internetDetails", "reporter",
                                                "personOrUserReported", "additionalInfo"}));
  EXPECT_TRUE(InSchemaOrder(children, OutlineChildren("report")));

  const std::vector<std::string> incident_types = OutlineEnum("incidentType");
  ASSERT_EQ(incident_types.size(), 8u);
  EXPECT_EQ(TextAt(xml, "incidentSummary/incidentType"),
            "Child Pornography (possession, manufacture, and distribution)");
  EXPECT_NE(std::find(incident_types.begin(), incident_types.end(),
                      TextAt(xml, "incidentSummary/incidentType")),
            incident_types.end());
  // The earliest item's receipt, 2 h before kT0 (2026-03-02T00:00:00Z).
  EXPECT_EQ(TextAt(xml, "incidentSummary/incidentDateTime"), "2026-03-01T22:00:00Z");
  EXPECT_EQ(TextAt(xml, "incidentSummary/platform"), "Example Photos");
  EXPECT_EQ(TextAt(xml, "internetDetails/webPageIncident/url"), "https://photos.example.org");
  EXPECT_EQ(TextAt(xml, "reporter/reportingPerson/email"), "tns@example.org");
  EXPECT_EQ(TextAt(xml, "reporter/companyTemplate"), "Report made by Example Photos B.V.");
  EXPECT_EQ(TextAt(xml, "personOrUserReported/espIdentifier"), "acct-7");
  // Markup characters in user data are escaped by libxml2 and come back verbatim.
  EXPECT_EQ(TextAt(xml, "personOrUserReported/screenName"), "sunny<&>\"day");
  EXPECT_NE(xml.find("sunny&lt;&amp;&gt;"), std::string::npos);
  EXPECT_EQ(TextAt(xml, "personOrUserReported/ipCaptureEvent/ipAddress"), "192.0.2.7");
  EXPECT_EQ(TextAt(xml, "personOrUserReported/ipCaptureEvent/dateTime"), "2026-03-01T21:00:00Z");
  EXPECT_EQ(TextAt(xml, "personOrUserReported/ipCaptureEvent/port"), "443");
  EXPECT_NE(TextAt(xml, "additionalInfo")
                .find("vigil case 1: 1 item(s) on photos/upload decided "
                      "confirmed_known"),
            std::string::npos);
  EXPECT_EQ(TextAt(xml, "incidentSummary/reportAnnotations/csamSolicitation"), "");
}

TEST(ReportBuilder, FileDetailsCarryHandComputedDigestsInSchemaOrder) {
  REQUIRE_XSD();
  ReviewWorld world;
  const cases::Case c = world.Decided(FlagCategory::kKnown, Decision::kConfirmedKnown, {"alice"});
  ncmec::ReportInput input;
  input.evidence.push_back({.item_id = "item-1",
                            .file_name = "beach.jpg",
                            .bytes = {'a', 'b', 'c'},
                            .publicly_available = true,
                            .industry_classification = "B2",
                            .pdq_hex = std::string(64, 'f'),
                            .annotations = {"generativeAi", "viral"},
                            .upload_ip = IpCaptureEvent{.ip_address = "2001:db8::1"}});
  auto built = BuildReport(c, world.config, TestConfig(), input, *Validator());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_EQ(built->files.size(), 1u);
  // RFC 1321 and FIPS 180-2 test vectors for "abc".
  EXPECT_EQ(built->files[0].md5_hex, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(built->files[0].sha256_hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  auto details = BuildFileDetails(built->files[0], 4711, "f-9", *Validator());
  ASSERT_TRUE(details.ok()) << details.status().ToString();
  EXPECT_TRUE(Validator()->Validate(*details, "fileDetails").ok());
  const std::vector<std::string> children = RootChildren(*details);
  EXPECT_EQ(children, (std::vector<std::string>{
                          "reportId", "fileId", "fileName", "fileViewedByEsp", "publiclyAvailable",
                          "fileAnnotations", "industryClassification", "originalFileHash",
                          "originalFileHash", "originalFileHash", "ipCaptureEvent"}));
  EXPECT_TRUE(InSchemaOrder(children, OutlineChildren("fileDetails")));
  EXPECT_EQ(TextAt(*details, "reportId"), "4711");
  EXPECT_EQ(TextAt(*details, "fileViewedByEsp"), "true");
  EXPECT_EQ(TextAt(*details, "originalFileHash"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(AttributeAt(*details, "originalFileHash", "hashType"), "MD5");
  const auto classes = OutlineEnum("fileClassification");
  EXPECT_EQ(classes, (std::vector<std::string>{"A1", "A2", "B1", "B2"}));
  // Annotations in schema order, whatever order they were given in.
  EXPECT_EQ(RootChildren("<a>" +
                         details->substr(details->find("<fileAnnotations>") + 17,
                                         details->find("</fileAnnotations>") -
                                             details->find("<fileAnnotations>") - 17) +
                         "</a>"),
            (std::vector<std::string>{"viral", "generativeAi"}));
}

TEST(ReportBuilder, SolicitationIsFiledAsEnticementOnlyAfterTheRequiredConfirmations) {
  REQUIRE_XSD();
  ReviewWorld world(/*confirmations_required=*/2);
  cases::Case c =
      world.Decided(FlagCategory::kSolicitation, Decision::kConfirmedSolicitation, {"alice"});
  // One confirmation of two: still in the queue, not decided.
  auto refused = BuildReport(c, world.config, TestConfig(), InputFor(c), *Validator());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition)
      << refused.status().ToString();

  ASSERT_TRUE(world.service->Claim(c.id, "bob").ok());
  ASSERT_TRUE(world.service
                  ->Decide(c.id, {.reviewer = "bob",
                                  .decision = Decision::kConfirmedSolicitation,
                                  .rationale = "agree"})
                  .ok());
  c = *world.store.GetCase(c.id);
  auto built = BuildReport(c, world.config, TestConfig(), InputFor(c), *Validator());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(TextAt(built->report_xml, "incidentSummary/incidentType"),
            "Online Enticement of Children for Sexual Acts");
  EXPECT_EQ(TextAt(built->report_xml, "incidentSummary/reportAnnotations/csamSolicitation"),
            "true");
}

TEST(ReportBuilder, NewMaterialWithTooFewStoredConfirmationsIsRefusedEvenIfMarkedDecided) {
  REQUIRE_XSD();
  ReviewWorld world(/*confirmations_required=*/2);
  cases::Case c = world.Decided(FlagCategory::kNew, Decision::kConfirmedNew, {"alice", "bob"});
  ASSERT_EQ(c.progress.state, cases::CaseState::kDecided);
  ASSERT_TRUE(BuildReport(c, world.config, TestConfig(), InputFor(c), *Validator()).ok());
  // A case value claiming to be decided with one confirmation (e.g. edited storage).
  c.reviews.pop_back();
  auto refused = BuildReport(c, world.config, TestConfig(), InputFor(c), *Validator());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
}

TEST(ReportBuilder, UnconfirmedUndecidedAndReportedCasesAreRefused) {
  REQUIRE_XSD();
  ReviewWorld world;
  const cases::Case not_csam = world.Decided(FlagCategory::kKnown, Decision::kNotCsam, {"alice"});
  auto r1 = BuildReport(not_csam, world.config, TestConfig(), InputFor(not_csam), *Validator());
  EXPECT_EQ(r1.status().code(), StatusCode::kFailedPrecondition);
  const cases::Case open = world.Decided(FlagCategory::kKnown, Decision::kConfirmedKnown, {});
  auto r2 = BuildReport(open, world.config, TestConfig(), InputFor(open), *Validator());
  EXPECT_EQ(r2.status().code(), StatusCode::kFailedPrecondition);
  const cases::Case done = world.Decided(FlagCategory::kKnown, Decision::kConfirmedKnown, {"al"});
  ASSERT_TRUE(world.service->MarkReported(done.id, "system", "").ok());
  const cases::Case reported = *world.store.GetCase(done.id);
  auto r3 = BuildReport(reported, world.config, TestConfig(), InputFor(reported), *Validator());
  EXPECT_EQ(r3.status().code(), StatusCode::kFailedPrecondition);
}

TEST(ReportBuilder, InputTheSchemaCannotExpressIsRefusedNamingTheField) {
  REQUIRE_XSD();
  ReviewWorld world;
  const cases::Case c =
      world.Decided(FlagCategory::kKnown, Decision::kConfirmedKnown, {"alice"}, 2);
  const auto expect_refused = [&](ncmec::ReportInput input, const std::string& words) {
    auto r = BuildReport(c, world.config, TestConfig(), input, *Validator());
    ASSERT_FALSE(r.ok()) << words;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().ToString();
  };
  ncmec::ReportInput bad = InputFor(c);
  bad.user.ip_events.push_back({.ip_address = "192.0.2.1", .event_name = "Logout"});
  expect_refused(bad, "event name 'Logout'");
  bad = InputFor(c);
  bad.evidence[1].industry_classification = "C3";
  expect_refused(bad, "evidence of item item-2: industry classification 'C3'");
  bad = InputFor(c);
  bad.evidence[0].pdq_hex = "abc";
  expect_refused(bad, "PDQ 'abc' is not 64 hex digits");
  bad = InputFor(c);
  bad.evidence[0].annotations = {"cute"};
  expect_refused(bad, "'cute' is not an NCMEC file annotation");
  bad = InputFor(c);
  bad.evidence.pop_back();
  expect_refused(bad, "no evidence for item item-2");
  bad = InputFor(c);
  bad.evidence.push_back(bad.evidence[0]);
  expect_refused(bad, "evidence for item item-1 given twice");
  bad = InputFor(c);
  bad.evidence[1].item_id = "item-9";
  expect_refused(bad, "no evidence for item item-2");
}

TEST(ReportBuilder, EvidenceSourceErrorsStopTheBuild) {
  REQUIRE_XSD();
  ReviewWorld world;
  const cases::Case c =
      world.Decided(FlagCategory::kKnown, Decision::kConfirmedKnown, {"alice"}, 2);
  FakeEvidence source;
  auto ok = BuildReportFromSource(c, world.config, TestConfig(), {}, source, *Validator());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->files.size(), 2u);
  for (const auto& f : ok->files) {
    auto d = BuildFileDetails(f, 1, "x", *Validator());
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(Validator()->Validate(*d, "fileDetails").ok());
  }
  source.failures["item-2"] = NotFoundError("item-2 was deleted");
  auto gone = BuildReportFromSource(c, world.config, TestConfig(), {}, source, *Validator());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
}

TEST(SchemaValidator, RejectsDocumentsOutOfOrderWithEntitiesOrNotXml) {
  REQUIRE_XSD();
  const ncmec::SchemaValidator& v = *Validator();
  // reporter before incidentSummary: the sequence is violated.
  const std::string out_of_order =
      "<report><reporter><reportingPerson/></reporter><incidentSummary><incidentType>Child Sex "
      "Tourism</incidentType><incidentDateTime>2026-01-01T00:00:00Z</incidentDateTime>"
      "</incidentSummary></report>";
  Status s = v.Validate(out_of_order, "doc");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("doc does not conform to cyber_tipline.xsd"), std::string::npos);
  const std::string bad_enum =
      "<report><incidentSummary><incidentType>Spam</incidentType><incidentDateTime>"
      "2026-01-01T00:00:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/>"
      "</reporter></report>";
  EXPECT_EQ(v.Validate(bad_enum, "doc").code(), StatusCode::kInvalidArgument);
  const std::string good =
      "<report><incidentSummary><incidentType>Child Sex Tourism</incidentType><incidentDateTime>"
      "2026-01-01T00:00:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/>"
      "</reporter></report>";
  EXPECT_TRUE(v.Validate(good, "doc").ok()) << v.Validate(good, "doc").ToString();
  const std::string entity = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
  EXPECT_NE(v.Validate(entity, "doc").message().find("DOCTYPE"), std::string::npos);
  EXPECT_EQ(v.Validate("<report>", "doc").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.Validate("", "doc").code(), StatusCode::kInvalidArgument);
}

TEST(SchemaValidator, MissingOrInvalidSchemaFileIsNamed) {
  auto missing = ncmec::SchemaValidator::Load("/nonexistent/cyber_tipline.xsd");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/cyber_tipline.xsd"), std::string::npos);
  const std::string path = ::testing::TempDir() + "/not_a_schema.xsd";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("<html>no</html>", f);
  std::fclose(f);
  auto invalid = ncmec::SchemaValidator::Load(path);
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::report::testing

namespace vigil::report::testing {
namespace {

TEST(DirectoryEvidenceSource, ReadsPlainNamesRefusesEscapesAndNamesMissingFiles) {
  const std::string dir = ::testing::TempDir() + "/evidence_src";
  std::filesystem::create_directories(dir);
  FILE* f = std::fopen((dir + "/item-1").c_str(), "w");
  std::fputs("abc", f);
  std::fclose(f);
  DirectoryEvidenceSource source(dir, 1024);
  cases::Case c{.id = 5};
  auto ok = source.Fetch(c, {.item_id = "item-1"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->bytes, (std::vector<uint8_t>{'a', 'b', 'c'}));
  EXPECT_EQ(ok->file_name, "item-1");
  EXPECT_EQ(source.Fetch(c, {.item_id = "../etc/passwd"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(source.Fetch(c, {.item_id = ".."}).status().code(), StatusCode::kInvalidArgument);
  auto missing = source.Fetch(c, {.item_id = "item-2"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("evidence of case 5 item item-2"), std::string::npos);
  DirectoryEvidenceSource small(dir, 2);
  EXPECT_EQ(small.Fetch(c, {.item_id = "item-1"}).status().code(), StatusCode::kResourceExhausted);
  DirectoryEvidenceSource paths("", 1024);
  auto by_path = paths.Fetch(c, {.item_id = dir + "/item-1"});
  ASSERT_TRUE(by_path.ok());
  EXPECT_EQ(by_path->file_name, "item-1");
}

}  // namespace
}  // namespace vigil::report::testing
