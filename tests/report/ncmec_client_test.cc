// The submission flow against a fake CyberTipline on loopback: the API's step order, Basic auth,
// XML validated by the fake, responses parsed safely and mapped to states, and faults on demand
// (5xx, timeouts, malformed and hostile answers, lost answers) resumed or restarted without a
// lost or duplicated report.
#include <gtest/gtest.h>

#include "report/fake_hotline.h"
#include "report/ncmec/client.h"
#include "report/ncmec/ncmec_reporter.h"
#include "report/ncmec/response.h"
#include "report/report_test_support.h"

namespace vigil::report::testing {
namespace {

using Fault = FakeHotline::Fault;
using ncmec::ResponseState;

#define REQUIRE_XSD()                                                                   \
  if (Validator() == nullptr) {                                                         \
    GTEST_SKIP() << "NCMEC schema not found at " << XsdPath() << " (../shared absent)"; \
  }

class NcmecFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_XSD();
    hotline_ = std::make_unique<FakeHotline>(Validator());
    config_ = TestConfig();
    config_.endpoint = hotline_->endpoint();
    config_.username = "esp";
    config_.password = "s3cret";
    config_.timeout = std::chrono::seconds(1);
    case_ =
        world_.Decided(cases::FlagCategory::kKnown, cases::Decision::kConfirmedKnown, {"alice"}, 2);
  }

  std::unique_ptr<ncmec::NcmecReporter> Reporter() {
    auto client = ncmec::NcmecClient::Create(config_);
    EXPECT_TRUE(client.ok());
    return std::make_unique<ncmec::NcmecReporter>(*std::move(client), config_, world_.config,
                                                  *Validator(), evidence_, world_.clock);
  }

  // Delivers once, recording every saved progress.
  Result<int64_t> DeliverOnce(DeliveryProgress& progress) {
    return Reporter()->Deliver(case_, progress, [&](const DeliveryProgress& p) {
      saved_.push_back(p);
      return Status::Ok();
    });
  }

  ReviewWorld world_;
  FakeEvidence evidence_;
  ncmec::NcmecConfig config_;
  cases::Case case_;
  std::unique_ptr<FakeHotline> hotline_;
  std::vector<DeliveryProgress> saved_;
};

TEST_F(NcmecFlowTest, DeliversInTheApiOrderAndTheFakeAcceptsEveryDocument) {
  auto client = *ncmec::NcmecClient::Create(config_);
  auto status = client->CheckStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->state, ResponseState::kSuccess);

  DeliveryProgress progress;
  auto id = DeliverOnce(progress);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 1000);
  EXPECT_EQ(hotline_->calls(),
            (std::vector<std::string>{"/status", "/submit", "/upload", "/fileinfo", "/upload",
                                      "/fileinfo", "/finish"}));
  auto reports = hotline_->reports();
  ASSERT_EQ(reports.size(), 1u);
  const auto& r = reports.at(1000);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.infos.size(), 2u);
  EXPECT_EQ(r.files.at("f1"), "bytes of item-1");
  EXPECT_EQ(r.names.at("f2"), "item-2.jpg");
  EXPECT_TRUE(progress.finished);
  EXPECT_TRUE(progress.in_flight.empty());
  // Each remote step was saved in flight before it was sent.
  std::vector<std::string> marks;
  for (const auto& p : saved_) {
    if (!p.in_flight.empty()) marks.push_back(p.in_flight);
  }
  EXPECT_EQ(marks, (std::vector<std::string>{"submit", "upload:item-1", "fileinfo:item-1",
                                             "upload:item-2", "fileinfo:item-2", "finish"}));
}

TEST_F(NcmecFlowTest, WrongCredentialsArePermissionDenied) {
  config_.password = "wrong";
  auto client = *ncmec::NcmecClient::Create(config_);
  auto status = client->CheckStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();  // a definite answer
  EXPECT_EQ(status->state, ResponseState::kUnauthorized);
  DeliveryProgress progress;
  EXPECT_EQ(DeliverOnce(progress).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(progress.in_flight.empty());  // refused: nothing happened
  EXPECT_FALSE(progress.remote_id);
}

TEST_F(NcmecFlowTest, ServerErrorsLeaveAResumableStateAndNothingIsDuplicated) {
  hotline_->FailNext("/upload", Fault::kHttp500);
  DeliveryProgress progress;
  auto first = DeliverOnce(progress);
  EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().ToString();
  EXPECT_EQ(progress.in_flight, "upload:item-1");  // no answer: it may have happened
  // An answer lost mid-upload cannot be resumed safely: the report is retracted and resubmitted.
  auto second = DeliverOnce(progress);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(progress.restarts, 1);
  auto reports = hotline_->reports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_TRUE(reports.at(1000).retracted);
  EXPECT_TRUE(reports.at(1001).finished);
  EXPECT_EQ(hotline_->FinishedCount(), 1);
}

TEST_F(NcmecFlowTest, ADefiniteRefusalIsResumedWithoutStartingOver) {
  hotline_->FailNext("/fileinfo", Fault::kCode1000);
  DeliveryProgress progress;
  auto first = DeliverOnce(progress);
  EXPECT_EQ(first.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(first.status().message().find("answered 1000 (retry)"), std::string::npos)
      << first.status().ToString();
  EXPECT_TRUE(progress.in_flight.empty());
  ASSERT_TRUE(DeliverOnce(progress).ok());
  EXPECT_EQ(progress.restarts, 0);
  EXPECT_EQ(hotline_->reports().size(), 1u);
  EXPECT_EQ(hotline_->FinishedCount(), 1);
}

TEST_F(NcmecFlowTest, ALostFinishAnswerIsSentAgainAndAlreadyFinishedCounts) {
  hotline_->FailNext("/finish", Fault::kApplyThen500);
  DeliveryProgress progress;
  EXPECT_EQ(DeliverOnce(progress).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(progress.in_flight, "finish");
  auto again = DeliverOnce(progress);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 1000);
  EXPECT_EQ(hotline_->reports().size(), 1u);
  EXPECT_EQ(hotline_->calls().back(), "/finish");
}

TEST_F(NcmecFlowTest, TimeoutsMalformedAndHostileAnswersAreUnavailableNotSuccess) {
  for (Fault fault : {Fault::kSlow, Fault::kMalformed, Fault::kHostile}) {
    hotline_->FailNext("/submit", fault);
    DeliveryProgress progress;
    auto r = DeliverOnce(progress);
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
    EXPECT_EQ(progress.in_flight, "submit");
    EXPECT_FALSE(progress.remote_id);
  }
  auto client = *ncmec::NcmecClient::Create(config_);
  hotline_->FailNext("/submit", Fault::kHostile);
  auto hostile = client->Submit("<report/>");
  EXPECT_NE(hostile.status().message().find("DOCTYPE"), std::string::npos);
  // Whatever was opened before is left unfinished (NCMEC deletes it); one delivery completes.
  DeliveryProgress progress;
  ASSERT_TRUE(DeliverOnce(progress).ok());
  EXPECT_EQ(hotline_->FinishedCount(), 1);
}

TEST_F(NcmecFlowTest, AReportUntouchedForLongIsRestartedNotResumed) {
  hotline_->FailNext("/fileinfo", Fault::kCode1000);
  DeliveryProgress progress;
  ASSERT_FALSE(DeliverOnce(progress).ok());
  ASSERT_TRUE(progress.in_flight.empty());
  world_.clock->Advance(std::chrono::hours(2));  // NCMEC has deleted the unfinished report
  ASSERT_TRUE(DeliverOnce(progress).ok());
  EXPECT_EQ(progress.restarts, 1);
  EXPECT_EQ(hotline_->reports().size(), 2u);
  EXPECT_TRUE(hotline_->reports().at(1000).retracted);
  EXPECT_EQ(hotline_->FinishedCount(), 1);
}

TEST_F(NcmecFlowTest, RetractWithdrawsAnOpenReportAndIsRefusedAfterFinish) {
  auto client = *ncmec::NcmecClient::Create(config_);
  auto submitted = client->Submit(
      ncmec::BuildReportFromSource(case_, world_.config, config_, {}, evidence_, *Validator())
          ->report_xml);
  ASSERT_TRUE(submitted.ok());
  ASSERT_EQ(submitted->state, ResponseState::kSuccess);
  auto retracted = client->Retract(*submitted->report_id);
  ASSERT_TRUE(retracted.ok());
  EXPECT_EQ(retracted->state, ResponseState::kSuccess);
  auto twice = client->Retract(*submitted->report_id);
  EXPECT_EQ(twice->state, ResponseState::kAlreadyRetracted);
  EXPECT_EQ(client->Retract(99)->state, ResponseState::kGone);
  DeliveryProgress progress;
  auto finished = DeliverOnce(progress);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(client->Retract(*finished)->state, ResponseState::kAlreadyFinished);
  EXPECT_TRUE(Reporter()->Withdraw(progress).ok());  // nothing to withdraw once finished
  // An invalid document is refused by the hotline's validation (4100): rejected, not retried.
  auto invalid = client->Submit("<report><reporter/></report>");
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->state, ResponseState::kRejected);
}

TEST_F(NcmecFlowTest, NoServerIsUnavailableNamingTheEndpoint) {
  config_.endpoint = "http://127.0.0.1:1/ispws";
  auto client = *ncmec::NcmecClient::Create(config_);
  auto r = client->CheckStatus();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos);
  config_.endpoint = "ftp://x";
  EXPECT_EQ(ncmec::NcmecClient::Create(config_).status().code(), StatusCode::kInvalidArgument);
}

TEST(NcmecResponse, ParsesAndMapsEveryDocumentedCode) {
  auto ok = ncmec::ParseReportResponse(
      "<reportResponse><responseCode>0</responseCode><responseDescription/>"
      "<reportId>4242</reportId><fileId>abc</fileId><hash>00ff</hash></reportResponse>",
      "r");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->report_id, 4242);
  EXPECT_EQ(ok->file_id, "abc");
  EXPECT_EQ(ok->hash, "00ff");
  const std::vector<std::pair<int, ResponseState>> codes = {
      {0, ResponseState::kSuccess},
      {1000, ResponseState::kRetry},
      {1100, ResponseState::kRetry},
      {1110, ResponseState::kRetry},
      {1111, ResponseState::kRetry},
      {1210, ResponseState::kGone},
      {1300, ResponseState::kRetry},
      {2000, ResponseState::kUnauthorized},
      {3000, ResponseState::kUnauthorized},
      {3100, ResponseState::kUnauthorized},
      {3300, ResponseState::kUnauthorized},
      {4000, ResponseState::kRejected},
      {4100, ResponseState::kRejected},
      {4110, ResponseState::kRejected},
      {4200, ResponseState::kRejected},
      {5001, ResponseState::kGone},
      {5002, ResponseState::kGone},
      {5101, ResponseState::kAlreadyRetracted},
      {5102, ResponseState::kAlreadyFinished},
      {7777, ResponseState::kUnknown}};
  for (const auto& [code, state] : codes) EXPECT_EQ(ncmec::StateOfCode(code), state) << code;
  auto done = ncmec::ParseReportDoneResponse(
      "<reportDoneResponse><responseCode>0</responseCode><reportId>7</reportId>"
      "<files><fileId>a</fileId><fileId>b</fileId></files></reportDoneResponse>",
      "d");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->file_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ncmec::StatusOf(ResponseState::kAlreadyFinished, 5102, "x", "finish").code(),
            StatusCode::kAlreadyExists);
}

TEST(NcmecResponse, BadDocumentsAreNamedErrors) {
  const auto code_of = [](const std::string& xml) {
    return ncmec::ParseReportResponse(xml, "submit response").status();
  };
  EXPECT_EQ(code_of("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_of("<reportResponse>").code(), StatusCode::kInvalidArgument);
  Status wrong_root = code_of("<html/>");
  EXPECT_NE(wrong_root.message().find("root element is <html>, expected <reportResponse>"),
            std::string::npos);
  Status nan = code_of(
      "<reportResponse><responseCode>zero</responseCode><responseDescription/></reportResponse>");
  EXPECT_NE(nan.message().find("<responseCode> is 'zero', not a number"), std::string::npos);
  EXPECT_NE(code_of("<reportResponse><responseCode>0</responseCode></reportResponse>")
                .message()
                .find("no <responseDescription>"),
            std::string::npos);
  // Billion laughs: refused for its DOCTYPE before any expansion.
  Status laughs = code_of(
      "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<reportResponse><responseCode>0</responseCode><responseDescription>&b;"
      "</responseDescription></reportResponse>");
  EXPECT_NE(laughs.message().find("DOCTYPE"), std::string::npos) << laughs.ToString();
  EXPECT_EQ(code_of(std::string(70000, ' ')).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ncmec::ParseReportDoneResponse(
                "<reportDoneResponse><responseCode>0</responseCode><reportId>1</reportId>"
                "</reportDoneResponse>",
                "finish")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(DeliveryProgress, RoundTripsThroughJsonAndDamageIsDataLoss) {
  DeliveryProgress p{.remote_id = 5,
                     .opened_at = kT0,
                     .touched_at = kT0 + std::chrono::seconds(3),
                     .files = {{.item_id = "i\"1", .file_id = "f1", .info_sent = true}},
                     .in_flight = "upload:i2",
                     .restarts = 2};
  auto back = ProgressFromJson(ProgressToJson(p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, p);
  EXPECT_EQ(ProgressFromJson("{").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ProgressFromJson(R"({"files": 3})").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace vigil::report::testing
