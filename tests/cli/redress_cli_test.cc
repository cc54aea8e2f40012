// `vigil redress` as a user runs it on SQLite: an action on a case decided through the library,
// a complaint, its second review, a judicial complaint and the case file; every refusal maps to
// its exit code and names the input (bad config, unknown case, late or duplicate complaint, same
// reviewer).
#include <gtest/gtest.h>

#include <string>

#include "cases/cases.h"
#include "cli/cli_runner.h"
#include "store/store.h"

namespace vigil::testing {
namespace {

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

class RedressCli : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.path().string() + "/vigil.db";
    config_ = dir_.Write("redress.json", R"({"service_name": "PhotoShare",
      "supervisory_authority": "the Example Authority", "complaint_deadline_days": 30})");
    auto db = store::OpenDatabase(db_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    NoSink sink;
    auto review =
        cases::ReviewService::Create((*db)->cases(), sink, std::make_shared<SystemClock>(), {});
    ASSERT_TRUE(review.ok());
    cases::NewCase n{.account_id = "acct-1", .surface = "photos/upload"};
    n.items.push_back(
        {.item_id = "item-1",
         .content_type = "image",
         .received_at = SystemClock().Now(),
         .hashes = {{.algorithm = "md5", .hex = "0123456789abcdef0123456789abcdef"}},
         .flags = {
             {.technology = "md5", .raw_value = 0, .bank_entry_id = 1, .bank_name = "known"}}});
    auto opened = (*review)->OpenCase(n);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    case_id_ = opened->opened.id;
    ASSERT_TRUE((*review)->Claim(case_id_, "rev-a").ok());
    ASSERT_TRUE((*review)
                    ->Decide(case_id_, {.reviewer = "rev-a",
                                        .decision = cases::Decision::kConfirmedKnown,
                                        .rationale = "matches"})
                    .ok());
  }
  CliRun Redress(const std::string& args) {
    return RunVigil(fmt::format("redress {} --db {} --config {}", args, db_, config_));
  }

  TempDir dir_;
  std::string db_, config_;
  cases::CaseId case_id_ = 0;
};

TEST_F(RedressCli, ActComplainDecideAndExport) {
  CliRun act = Redress(fmt::format(
      "act --case {} --kind remove_content --item item-1 --reason 'known material' --actor ops-1",
      case_id_));
  ASSERT_EQ(act.exit_code, 0) << act.err;
  EXPECT_NE(act.out.find(fmt::format("action 1 case {}: remove_content item-1 by ops-1", case_id_)),
            std::string::npos)
      << act.out;
  CliRun again = Redress(fmt::format(
      "act --case {} --kind remove_content --item item-1 --reason r --actor ops-1", case_id_));
  EXPECT_EQ(again.exit_code, 5) << again.err;  // kAlreadyExists
  EXPECT_NE(again.err.find("already has action 1"), std::string::npos) << again.err;

  CliRun complain = Redress("complain --action 1 --text 'a family photo' --by backend");
  ASSERT_EQ(complain.exit_code, 0) << complain.err;
  EXPECT_NE(complain.out.find("complaint 1 against action 1"), std::string::npos);
  CliRun dup = Redress("complain --action 1 --text again --by backend");
  EXPECT_EQ(dup.exit_code, 5);
  EXPECT_NE(dup.err.find("action 1 already has complaint 1"), std::string::npos) << dup.err;

  CliRun same = Redress(
      "decide --complaint 1 --reviewer rev-a --outcome content_reinstated "
      "--rationale benign");
  EXPECT_EQ(same.exit_code, 7) << same.err;  // kPermissionDenied
  EXPECT_NE(same.err.find("made the original decision"), std::string::npos) << same.err;
  CliRun bad_outcome =
      Redress("decide --complaint 1 --reviewer rev-b --outcome maybe --rationale r");
  EXPECT_EQ(bad_outcome.exit_code, 3);
  EXPECT_NE(bad_outcome.err.find("unknown complaint outcome \"maybe\""), std::string::npos);
  CliRun decide = Redress(
      "decide --complaint 1 --reviewer rev-b --outcome content_reinstated "
      "--rationale 'a beach photo'");
  ASSERT_EQ(decide.exit_code, 0) << decide.err;
  EXPECT_NE(decide.out.find("decided, content_reinstated by rev-b"), std::string::npos);

  CliRun judicial = Redress(fmt::format(
      "judicial --case {} --action 1 --authority 'Amtsgericht Mitte' --reference '12 C 3/26' "
      "--by legal-1",
      case_id_));
  ASSERT_EQ(judicial.exit_code, 0) << judicial.err;
  CliRun outcome = Redress("judicial-outcome --id 1 --outcome 'content reinstated' --by legal-1");
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;

  CliRun show = RunVigil(fmt::format("redress show --db {} --case {}", db_, case_id_));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("reversed"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("notice 1 for action 1 (en 2026-11-en-1): pending"), std::string::npos)
      << show.out;

  const std::string out = dir_.path().string() + "/case.json";
  CliRun exp =
      RunVigil(fmt::format("redress export-case --db {} --case {} --out {}", db_, case_id_, out));
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  const nlohmann::json file = nlohmann::json::parse(ReadAll(out));
  EXPECT_EQ(file["format"], "vigil case file");
  EXPECT_EQ(file["case"]["state"], "reinstated");
  EXPECT_EQ(file["items"][0]["hashes"][0]["hex"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(file["actions"][0]["reversed_by"], "rev-b");
  EXPECT_EQ(file["complaints"][0]["outcome"], "content_reinstated");
  EXPECT_EQ(file["judicial_complaints"][0]["outcome"], "content reinstated");
  EXPECT_EQ(file["notices"][0]["body"]["action"], "remove_content");
  EXPECT_FALSE(file["items"][0].contains("bytes"));

  // What each command changed or showed is in the audit log, in order, under the actor the
  // command named; the refused attempts are not.
  CliRun log = RunVigil(fmt::format("audit list -f jsonl --db {}", db_));
  ASSERT_EQ(log.exit_code, 0) << log.err;
  const auto records = JsonLines(log.out);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"ops-1", "redress.action"},
      {"backend", "redress.complaint.file"},
      {"rev-b", "redress.complaint.decide"},
      {"legal-1", "redress.judicial.record"},
      {"legal-1", "redress.judicial.outcome"}};
  ASSERT_EQ(records.size(), expected.size() + 1) << log.out;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(records[i]["actor"], expected[i].first) << i;
    EXPECT_EQ(records[i]["action"], expected[i].second) << i;
    EXPECT_EQ(records[i]["target"], fmt::format("case:{}", case_id_)) << i;
  }
  EXPECT_EQ(records.back()["action"], "case.export");
  EXPECT_EQ(records.back()["actor"].get<std::string>().rfind("cli:", 0), 0u);
  EXPECT_EQ(RunVigil(fmt::format("audit verify --db {}", db_)).exit_code, 0);
}

TEST_F(RedressCli, BadInputIsNamed) {
  CliRun unknown = Redress("act --case 999 --kind suspend_account --reason r --actor ops-1");
  EXPECT_EQ(unknown.exit_code, 4);
  EXPECT_NE(unknown.err.find("case 999 does not exist"), std::string::npos) << unknown.err;
  CliRun kind = Redress(fmt::format("act --case {} --kind delete --reason r --actor a", case_id_));
  EXPECT_EQ(kind.exit_code, 3);
  EXPECT_NE(kind.err.find("unknown action kind \"delete\""), std::string::npos) << kind.err;
  CliRun action = Redress("complain --action 42 --text t --by backend");
  EXPECT_EQ(action.exit_code, 4);
  EXPECT_NE(action.err.find("action 42 does not exist"), std::string::npos);
  const std::string bad = dir_.Write("bad.json", R"({"supervisory_authority": "A", "colour": 1})");
  CliRun config = RunVigil(fmt::format(
      "redress act --db {} --config {} --case 1 --kind suspend_account --reason r --actor a", db_,
      bad));
  EXPECT_EQ(config.exit_code, 3);
  EXPECT_NE(config.err.find("redress config " + bad + ": unknown key \"colour\""),
            std::string::npos)
      << config.err;
  const std::string no_authority = dir_.Write("none.json", R"({"service_name": "S"})");
  CliRun authority = RunVigil(fmt::format(
      "redress act --db {} --config {} --case 1 --kind suspend_account --reason r --actor a", db_,
      no_authority));
  EXPECT_EQ(authority.exit_code, 3);
  EXPECT_NE(authority.err.find("supervisory_authority is required"), std::string::npos);
  CliRun no_webhook = Redress("send-notices");
  EXPECT_EQ(no_webhook.exit_code, 3);
  EXPECT_NE(no_webhook.err.find("no webhook URL configured"), std::string::npos);
  // A webhook nobody answers: the notice stays pending for a retry.
  ASSERT_EQ(Redress(fmt::format("act --case {} --kind suspend_account --reason r --actor ops-1",
                                case_id_))
                .exit_code,
            0);
  const std::string down = dir_.Write("down.json", R"({"supervisory_authority": "A",
      "webhook": {"url": "http://127.0.0.1:1/notices", "timeout_ms": 200}})");
  CliRun send = RunVigil(fmt::format("redress send-notices --db {} --config {}", db_, down));
  EXPECT_EQ(send.exit_code, 0) << send.err;
  EXPECT_EQ(send.out, "delivered 0, account deleted 0, retrying 1, failed 0\n");
  EXPECT_NE(send.err.find("notice 1 (case"), std::string::npos) << send.err;
  CliRun missing = RunVigil(fmt::format("redress export-case --db {} --case 77", db_));
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("case 77 does not exist"), std::string::npos);
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

TEST(NoticeCli, RendersTheScanningNoticeFromTheConfiguration) {
  TempDir dir;
  const std::string redress = dir.Write("redress.json", R"({"service_name": "PhotoShare",
      "supervisory_authority": "the Example Authority", "complaint_deadline_days": 90})");
  const std::string provider = dir.Write("provider.json", R"({"provider": {"name": "PS GmbH"},
      "organisations": [{"name": "NCMEC", "kind": "ncmec"}]})");
  const std::string rules = dir.Write("rules.json", R"({"auto_action_enabled": true, "rules": [
      {"detector": "md5", "action": "auto_action"},
      {"detector": "pdq", "max_distance": 31, "action": "review"},
      {"detector": "sha256", "action": "ignore"}]})");
  CliRun text = RunVigil(
      fmt::format("notice --config {} --report-config {} --rules {}", redress, provider, rules));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("How PhotoShare detects online child sexual abuse"), std::string::npos);
  EXPECT_NE(text.out.find("- MD5 file fingerprints"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("- PDQ perceptual hashing"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("SHA-256"), std::string::npos) << "an ignored detector is not in use";
  EXPECT_NE(text.out.find("may be blocked automatically"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("to: NCMEC."), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("within 90 days"), std::string::npos) << text.out;

  const std::string out = dir.path().string() + "/notice.html";
  CliRun html = RunVigil(
      fmt::format("notice --config {} --report-config {} --language de --format html --out {}",
                  redress, provider, out));
  ASSERT_EQ(html.exit_code, 0) << html.err;
  const std::string page = ReadAll(out);
  EXPECT_NE(page.find("<html lang=\"de\">"), std::string::npos);
  EXPECT_NE(page.find("<li>PDQ-Wahrnehmungshashing"), std::string::npos) << page;
}

TEST(NoticeCli, BadConfigurationIsNamed) {
  TempDir dir;
  const std::string redress = dir.Write("redress.json", R"({"supervisory_authority": "A"})");
  const std::string no_orgs = dir.Write("provider.json", R"({"provider": {"name": "P"}})");
  CliRun orgs = RunVigil(fmt::format("notice --config {} --report-config {}", redress, no_orgs));
  EXPECT_EQ(orgs.exit_code, 3);
  EXPECT_NE(orgs.err.find("\"organisations\" is missing"), std::string::npos) << orgs.err;
  const std::string provider = dir.Write("p2.json", R"({"provider": {"name": "P"},
      "organisations": []})");
  CliRun format = RunVigil(
      fmt::format("notice --config {} --report-config {} --format pdf", redress, provider));
  EXPECT_EQ(format.exit_code, 3);
  CliRun language = RunVigil(
      fmt::format("notice --config {} --report-config {} --language fr", redress, provider));
  EXPECT_EQ(language.exit_code, 4);
  EXPECT_NE(language.err.find("no scanning-notice template for language fr (available: de, en)"),
            std::string::npos)
      << language.err;
  const std::string bad_rules = dir.Write("rules.json", "{\"rules\": 5}");
  CliRun rules = RunVigil(fmt::format("notice --config {} --report-config {} --rules {}", redress,
                                      provider, bad_rules));
  EXPECT_EQ(rules.exit_code, 3) << rules.err;
  CliRun none = RunVigil(fmt::format("notice --config {} --report-config {}", redress,
                                     dir.path().string() + "/missing.json"));
  EXPECT_EQ(none.exit_code, 4) << none.err;
}

}  // namespace
}  // namespace vigil::testing
