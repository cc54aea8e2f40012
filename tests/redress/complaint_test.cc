// Complaints against actions: the deadline, duplicates, the independent second reviewer, and
// what each outcome does to actions, the case, the hotline report, the bank entries and the
// annual report's figures.
#include <gtest/gtest.h>

#include "redress/redress_test_support.h"
#include "transparency/transparency.h"

namespace vigil::redress::testing {
namespace {

using cases::CaseState;

class ComplaintTest : public RedressFixture {
 protected:
  Complaint File(ActionId action) {
    auto c = service_->FileComplaint(
        {.action_id = action, .text = "it was a holiday photo", .filed_by = "photoshare-backend"});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Complaint{};
  }
  transparency::AnnualReport Annual() {
    auto form = transparency::BuiltInForm(transparency::kDefaultFormId);
    EXPECT_TRUE(form.ok()) << form.status().ToString();
    stats::InMemoryVolumeCounters volumes;
    auto annual = transparency::BuildAnnualReport(
        {.cases = &cases_, .volumes = &volumes, .banks = banks_.get()}, *form, {}, 2026, kStart);
    EXPECT_TRUE(annual.ok()) << annual.status().ToString();
    return *annual;
  }
};

TEST_F(ComplaintTest, AComplaintWithinTheDeadlineAppealsTheCase) {
  const cases::Case c = DecidedCase();
  const Action a = Act(c.id, ActionKind::kRemoveContent, "item-1");
  clock_->Advance(std::chrono::days(30));  // the last moment allowed
  const Complaint complaint = File(a.id);
  EXPECT_EQ(complaint.state, ComplaintState::kOpen);
  EXPECT_EQ(complaint.case_id, c.id);
  EXPECT_EQ(complaint.account_id, "acct-1");
  EXPECT_EQ(complaint.purpose, "redress");
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kAppealed);
}

TEST_F(ComplaintTest, AComplaintAfterTheDeadlineIsRejectedClearly) {
  const cases::Case c = DecidedCase();
  const Action a = Act(c.id, ActionKind::kRemoveContent, "item-1");
  clock_->Advance(std::chrono::days(30) + std::chrono::seconds(1));
  auto late = service_->FileComplaint({.action_id = a.id, .text = "t", .filed_by = "backend"});
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.status().message(),
            fmt::format("the complaint deadline for action {} passed at 2026-04-01T00:00:00Z (30 "
                        "days after the action)",
                        a.id));
  EXPECT_TRUE(redress_.ListComplaints({})->empty());
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kActioned);
}

TEST_F(ComplaintTest, DuplicateAndUnknownComplaintsAreRefused) {
  const cases::Case c = DecidedCase();
  const Action a = Act(c.id, ActionKind::kRemoveContent, "item-1");
  const Action evidence = Act(c.id, ActionKind::kPreserveEvidence);
  const Complaint first = File(a.id);
  auto dup = service_->FileComplaint({.action_id = a.id, .text = "again", .filed_by = "b"});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(),
            fmt::format("action {} already has complaint {}", a.id, first.id));
  auto unknown = service_->FileComplaint({.action_id = 77, .text = "t", .filed_by = "b"});
  EXPECT_EQ(unknown.status().message(), "action 77 does not exist");
  auto empty = service_->FileComplaint({.action_id = a.id, .text = "", .filed_by = "b"});
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto on_evidence =
      service_->FileComplaint({.action_id = evidence.id, .text = "t", .filed_by = "b"});
  EXPECT_EQ(on_evidence.status().code(), StatusCode::kFailedPrecondition);
  auto decide_unknown =
      service_->DecideComplaint({.complaint_id = 99, .reviewer = "rev-b", .rationale = "r"});
  EXPECT_EQ(decide_unknown.status().message(), "complaint 99 does not exist");
}

TEST_F(ComplaintTest, TheOriginalDeciderOrActorCannotReviewTheComplaint) {
  const cases::Case c = DecidedCase(cases::Decision::kConfirmedKnown, "rev-a");
  auto a = service_->TakeAction({.case_id = c.id,
                                 .kind = ActionKind::kRemoveContent,
                                 .item_id = "item-1",
                                 .reason = "r",
                                 .actor = "ops-1"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const Complaint complaint = File(a->id);
  auto same = service_->DecideComplaint({.complaint_id = complaint.id,
                                         .reviewer = "rev-a",
                                         .outcome = ComplaintOutcome::kActionUpheld,
                                         .rationale = "still abuse"});
  EXPECT_EQ(same.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(same.status().message(),
            fmt::format("reviewer rev-a made the original decision on case {}; a complaint needs "
                        "a second reviewer",
                        c.id));
  auto actor = service_->DecideComplaint({.complaint_id = complaint.id,
                                          .reviewer = "ops-1",
                                          .outcome = ComplaintOutcome::kActionUpheld,
                                          .rationale = "still abuse"});
  EXPECT_EQ(actor.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(redress_.GetComplaint(complaint.id)->state, ComplaintState::kOpen);
}

TEST_F(ComplaintTest, UpholdingTheActionReturnsTheCaseToActioned) {
  const cases::Case c = DecidedCase();
  const Action a = Act(c.id, ActionKind::kRemoveContent, "item-1");
  const Complaint complaint = File(a.id);
  clock_->Advance(std::chrono::hours(5));
  auto decided = service_->DecideComplaint({.complaint_id = complaint.id,
                                            .reviewer = "rev-b",
                                            .outcome = ComplaintOutcome::kActionUpheld,
                                            .rationale = "matches known material exactly"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->state, ComplaintState::kDecided);
  EXPECT_EQ(decided->outcome, ComplaintOutcome::kActionUpheld);
  EXPECT_EQ(decided->decided_at, kStart + std::chrono::hours(5));
  EXPECT_EQ(*redress_.GetComplaint(complaint.id), *decided);
  EXPECT_FALSE(redress_.GetAction(a.id)->reversed_at);
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kActioned);
  auto again = service_->DecideComplaint({.complaint_id = complaint.id,
                                          .reviewer = "rev-c",
                                          .outcome = ComplaintOutcome::kContentReinstated,
                                          .rationale = "r"});
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ComplaintTest, ReinstatingContentReversesFollowsUpAndCountsTheError) {
  const cases::Case c = DecidedCase();
  const Action removed = Act(c.id, ActionKind::kRemoveContent, "item-1");
  const Action blocked = Act(c.id, ActionKind::kBlockContent, "item-2");
  const Action suspended = Act(c.id, ActionKind::kSuspendAccount);
  // One report delivered already, one still pending.
  ASSERT_TRUE(
      reports_.Enqueue({.id = 1, .case_id = c.id, .destination = "ncmec", .created_at = kStart})
          .ok());
  ASSERT_TRUE(
      reports_
          .Enqueue(
              {.id = 2, .case_id = c.id, .destination = "national-hotline", .created_at = kStart})
          .ok());
  report::Delivery delivered = *reports_.Get(1);
  delivered.state = report::DeliveryState::kDelivered;
  delivered.remote_id = 4711;
  ASSERT_TRUE(*reports_.Update(delivered));

  const Complaint complaint = File(removed.id);
  auto wrong = service_->DecideComplaint({.complaint_id = complaint.id,
                                          .reviewer = "rev-b",
                                          .outcome = ComplaintOutcome::kContentReinstated,
                                          .rationale = ""});
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);  // a rationale is required
  auto decided = service_->DecideComplaint({.complaint_id = complaint.id,
                                            .reviewer = "rev-b",
                                            .outcome = ComplaintOutcome::kContentReinstated,
                                            .rationale = "a beach photo, not abuse"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->report_followup,
            fmt::format("report to ncmec (id 4711): finished before reinstatement; annotation: "
                        "content or account reinstated on complaint {}; report to "
                        "national-hotline: not finished; retraction requested",
                        complaint.id));
  // Both content actions are reversed; the account action is not.
  EXPECT_EQ(redress_.GetAction(removed.id)->reversed_by, "rev-b");
  EXPECT_EQ(redress_.GetAction(blocked.id)->reversed_at, kStart);
  EXPECT_FALSE(redress_.GetAction(suspended.id)->reversed_at);
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kReinstated);
  EXPECT_TRUE(banks_->GetEntry(entry_id_)->needs_verification);

  // The annual report counts the reinstatement and a reversal for each technology.
  auto form = transparency::BuiltInForm(transparency::kDefaultFormId);
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  stats::InMemoryVolumeCounters volumes;
  auto annual = transparency::BuildAnnualReport(
      {.cases = &cases_, .volumes = &volumes, .banks = banks_.get()}, *form, {}, 2026, kStart);
  ASSERT_TRUE(annual.ok()) << annual.status().ToString();
  ASSERT_EQ(annual->technologies.size(), 2u);
  for (const transparency::TechnologyFigures& t : annual->technologies) {
    EXPECT_EQ(t.actioned, 1) << t.technology;
    EXPECT_EQ(t.reversed_on_complaint, 1) << t.technology;
  }
  EXPECT_EQ(annual->figures.at("reinstatements.content_items").count, 2);
  EXPECT_EQ(annual->figures.at("reinstatements.accounts").count, 0);
  EXPECT_EQ(annual->figures.at("complaints.internal.total").count, 1);
}

TEST_F(ComplaintTest, AnOutcomeMustReinstateSomethingTheCaseHas) {
  const cases::Case c = DecidedCase();
  const Action removed = Act(c.id, ActionKind::kRemoveContent, "item-1");
  const Complaint complaint = File(removed.id);
  auto account = service_->DecideComplaint({.complaint_id = complaint.id,
                                            .reviewer = "rev-b",
                                            .outcome = ComplaintOutcome::kAccountReinstated,
                                            .rationale = "r"});
  EXPECT_EQ(account.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(account.status().message(),
            fmt::format("case {} has no action that account_reinstated would reverse", c.id));
  EXPECT_EQ(cases_.GetCase(c.id)->progress.state, CaseState::kAppealed);
}

TEST_F(ComplaintTest, ReinstatingBothReversesEveryUserAction) {
  const cases::Case c = DecidedCase();
  const Action removed = Act(c.id, ActionKind::kRemoveContent, "item-1");
  const Action closed = Act(c.id, ActionKind::kTerminateAccount);
  const Action evidence = Act(c.id, ActionKind::kPreserveEvidence);
  const Complaint complaint = File(closed.id);
  auto decided = service_->DecideComplaint({.complaint_id = complaint.id,
                                            .reviewer = "rev-b",
                                            .outcome = ComplaintOutcome::kBothReinstated,
                                            .rationale = "misidentified"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->report_followup, "no hotline report");
  EXPECT_TRUE(redress_.GetAction(removed.id)->reversed_at);
  EXPECT_TRUE(redress_.GetAction(closed.id)->reversed_at);
  EXPECT_FALSE(redress_.GetAction(evidence.id)->reversed_at);
  const std::vector<std::string> events = EventActions(c.id);
  EXPECT_EQ(std::vector<std::string>(events.end() - 3, events.end()),
            (std::vector<std::string>{"actioned", "appealed", "reinstated"}));
  // The standard form counts the account and both items as reinstated.
  const transparency::AnnualReport annual = Annual();
  EXPECT_EQ(annual.figures.at("reinstatements.accounts").count, 1);
  EXPECT_EQ(annual.figures.at("reinstatements.content_items").count, 2);
  // A reversed action cannot be complained about again.
  auto late = service_->FileComplaint({.action_id = removed.id, .text = "t", .filed_by = "b"});
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ComplaintTest, ReinstatingOnlyTheAccountCountsAnAccountAndNoItem) {
  const cases::Case c = DecidedCase();
  const Action suspended = Act(c.id, ActionKind::kSuspendAccount);
  const Complaint complaint = File(suspended.id);
  ASSERT_TRUE(service_
                  ->DecideComplaint({.complaint_id = complaint.id,
                                     .reviewer = "rev-b",
                                     .outcome = ComplaintOutcome::kAccountReinstated,
                                     .rationale = "wrong account"})
                  .ok());
  const transparency::AnnualReport annual = Annual();
  EXPECT_EQ(annual.figures.at("reinstatements.accounts").count, 1);
  EXPECT_EQ(annual.figures.at("reinstatements.content_items").count, 0);
}

TEST_F(ComplaintTest, JudicialComplaintsAreRecordedWithTheirOutcome) {
  const cases::Case c = DecidedCase();
  const Action a = Act(c.id, ActionKind::kRemoveContent, "item-1");
  auto j = service_->RecordJudicial({.case_id = c.id,
                                     .action_id = a.id,
                                     .authority = "Amtsgericht Berlin-Mitte",
                                     .reference = "12 C 345/26",
                                     .recorded_by = "legal-1"});
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(j->filed_at, kStart);
  EXPECT_TRUE(j->outcome.empty());
  clock_->Advance(std::chrono::days(60));
  auto outcome = service_->RecordJudicialOutcome(j->id, "action upheld", "legal-1");
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->outcome_at, kStart + std::chrono::days(60));
  EXPECT_EQ(*redress_.GetJudicial(j->id), *outcome);
  auto twice = service_->RecordJudicialOutcome(j->id, "reversed", "legal-1");
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  auto unknown_case = service_->RecordJudicial(
      {.case_id = 999, .authority = "a", .reference = "r", .recorded_by = "legal-1"});
  EXPECT_EQ(unknown_case.status().code(), StatusCode::kNotFound);
  auto other_case = service_->RecordJudicial({.case_id = 999,
                                              .action_id = a.id,
                                              .authority = "a",
                                              .reference = "r",
                                              .recorded_by = "legal-1"});
  EXPECT_EQ(other_case.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::redress::testing
