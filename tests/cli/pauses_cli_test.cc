// `vigil cases pauses` and `vigil cases resume`: the automatic action cluster alerts paused,
// listed and resumed from a terminal, each resume in the case events and the audit log.
#include <gtest/gtest.h>

#include <set>

#include "cases/cases.h"
#include "cli/cli_runner.h"
#include "core/clock.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::testing {
namespace {

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// On SQLite and on PostgreSQL (a scratch database; skipped without VIGIL_TEST_POSTGRES_URL).
class PausesCliTest : public ::testing::TestWithParam<store::testing::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::testing::Backend::kPostgres) {
      SKIP_WITHOUT_POSTGRES();
      scratch_ = store::testing::MustCreateScratch();
      ASSERT_NE(scratch_, nullptr);
      db_path_ = scratch_->url();
    } else {
      db_path_ = (dir_.path() / "vigil.db").string();
    }
    auto db = store::OpenDatabase(db_path_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  // Two flags of "pdq@1 r<=31" on bank entry 7 within the hour, thresholds 1: both subjects
  // are alerted and paused.
  void RaisePauses() {
    NoSink sink;
    cases::ReviewConfig config;
    config.technology_alerts = cases::ClusterAlertRule{.max_flags = 1};
    config.bank_entry_alerts = cases::ClusterAlertRule{.max_flags = 1};
    auto review =
        cases::ReviewService::Create(db_->cases(), sink, std::make_shared<SystemClock>(), config);
    ASSERT_TRUE(review.ok()) << review.status().ToString();
    for (int i = 0; i < 2; ++i) {
      cases::NewCase nc{.account_id = "acct-" + std::to_string(i), .surface = "t"};
      nc.items.push_back({.item_id = "i" + std::to_string(i),
                          .content_type = "image",
                          .flags = {{.technology = "pdq@1 r<=31",
                                     .raw_value = 2,
                                     .bank_entry_id = 7,
                                     .bank_name = "b"}}});
      auto opened = (*review)->OpenCase(nc);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    }
  }
  std::string Db() const { return " --db '" + db_path_ + "'"; }

  TempDir dir_;
  std::unique_ptr<store::testing::ScratchDatabase> scratch_;  // dropped after db_
  std::string db_path_;
  std::unique_ptr<store::Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, PausesCliTest,
                         ::testing::Values(store::testing::Backend::kSqlite,
                                           store::testing::Backend::kPostgres),
                         store::testing::BackendTestName);

TEST_P(PausesCliTest, ListsPauses) {
  CliRun none = RunVigil("cases pauses" + Db());
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "automatic action is not paused for any subject\n");
  EXPECT_EQ(RunVigil("cases pauses -f jsonl" + Db()).out, "");
  RaisePauses();
  CliRun json = RunVigil("cases pauses -f jsonl" + Db());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto lines = JsonLines(json.out);
  ASSERT_EQ(lines.size(), 2u) << json.out;
  std::set<std::string> subjects;
  for (const auto& l : lines) {
    subjects.insert(l["subject"].get<std::string>() + " " + l["key"].get<std::string>());
    EXPECT_GT(l["alert_id"].get<int64_t>(), 0);
  }
  EXPECT_EQ(subjects, (std::set<std::string>{"technology pdq@1 r<=31", "bank_entry 7"}));
  CliRun text = RunVigil("cases pauses" + Db());
  EXPECT_NE(text.out.find("bank_entry 7  paused "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("technology pdq@1 r<=31  paused "), std::string::npos) << text.out;
}

TEST_P(PausesCliTest, ResumeLiftsOnePauseAndIsRecorded) {
  RaisePauses();
  // Refusals: no reason, an unknown subject, a subject that is not paused. None is recorded.
  EXPECT_NE(RunVigil("cases resume --subject bank_entry --key 7 --by alice" + Db()).exit_code, 0);
  CliRun bad = RunVigil("cases resume --subject account --key 7 --by alice --reason x" + Db());
  EXPECT_EQ(bad.exit_code, 3) << bad.err;
  EXPECT_NE(bad.err.find("account"), std::string::npos) << bad.err;
  CliRun empty =
      RunVigil("cases resume --subject bank_entry --key 7 --by alice --reason ''" + Db());
  EXPECT_EQ(empty.exit_code, 3) << empty.err;
  CliRun missing =
      RunVigil("cases resume --subject bank_entry --key 8 --by alice --reason x" + Db());
  EXPECT_EQ(missing.exit_code, 4) << missing.err;
  EXPECT_NE(missing.err.find("bank_entry 8 is not paused"), std::string::npos) << missing.err;

  CliRun ok = RunVigil(
      "cases resume --subject bank_entry --key 7 --by alice --reason 'entry re-verified'" + Db());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "automatic action resumed for bank_entry 7\n");
  auto left = JsonLines(RunVigil("cases pauses -f jsonl" + Db()).out);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["subject"], "technology");
  // Resuming again is refused: it is no longer paused.
  EXPECT_EQ(RunVigil("cases resume --subject bank_entry --key 7 --by alice --reason again" + Db())
                .exit_code,
            4);

  // The case event (written by the store with the resume) and one audit record.
  auto events = db_->cases().ListEvents(cases::EventFilter{});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  int resumes = 0;
  for (const auto& e : *events) {
    if (e.action != "auto_action_resumed") continue;
    ++resumes;
    EXPECT_EQ(e.actor, "alice");
    EXPECT_EQ(e.details, "bank_entry 7: entry re-verified");
  }
  EXPECT_EQ(resumes, 1);
  auto log = db_->audit().List(1, 100);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].event.actor, "alice");
  EXPECT_EQ((*log)[0].event.action, "auto_action.resume");
  EXPECT_EQ((*log)[0].event.target, "bank_entry:7");
  EXPECT_EQ(nlohmann::json::parse((*log)[0].event.details)["reason"], "entry re-verified");
  EXPECT_EQ((*log)[0].event.origin.rfind("cli:", 0), 0u) << (*log)[0].event.origin;

  // A technology label with spaces resumes as one --key.
  CliRun tech = RunVigil(
      "cases resume --subject technology --key 'pdq@1 r<=31' --by bob --reason 'model fixed'" +
      Db());
  ASSERT_EQ(tech.exit_code, 0) << tech.err;
  EXPECT_EQ(RunVigil("cases pauses" + Db()).out,
            "automatic action is not paused for any subject\n");
}

}  // namespace
}  // namespace vigil::testing
