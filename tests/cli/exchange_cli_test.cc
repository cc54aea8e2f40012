// `vigil exchange` as a user runs it: add an exchange feeding a bank from a list file, sync it
// (progress per page, a summary), follow a change in the list, and read the state with status
// and list; bad input is refused with the right exit code and never echoes a secret.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_runner.h"
#include "core/status.h"

namespace vigil::testing {
namespace {

const std::string kMd5A(32, 'a');
const std::string kMd5B(32, 'b');

class ExchangeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("VIGIL_DATABASE_URL");
    db_ = (tmp_.path() / "vigil.db").string();
    ASSERT_EQ(RunVigil("bank create shared --db '" + db_ + "'").exit_code, 0);
  }
  CliRun Exchange(const std::string& args) {
    return RunVigil("exchange " + args + " --db '" + db_ + "'");
  }

  TempDir tmp_;
  std::string db_;
};

TEST_F(ExchangeCliTest, AddSyncAndFollowAChangedList) {
  const std::string list =
      tmp_.Write("list.csv", "signal_type,signal_value\nmd5," + kMd5A + "\nmd5," + kMd5B + "\n");
  CliRun add =
      Exchange("add tc --type file --bank shared --organisation 'Tech Coalition' --endpoint '" +
               list + "' --options '{\"page_rows\": 1}'");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, "added exchange tc (file) feeding bank shared\n");

  CliRun sync = Exchange("sync tc");
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(sync.out,
            "tc: 3 pages, 2 added, 0 updated, 0 removed, 0 unchanged, 0 skipped, 0 retries\n");
  EXPECT_NE(sync.err.find("tc: page 2: 2 added, 0 updated, 0 removed"), std::string::npos)
      << sync.err;

  tmp_.Write("list.csv", "signal_type,signal_value\nmd5," + kMd5B + "\n");
  CliRun again = Exchange("sync --all --quiet");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "");
  // Row B (unchanged), a full page of one dropped entry (A), then an empty page: the end.
  EXPECT_EQ(again.out,
            "tc: 3 pages, 0 added, 0 updated, 1 removed, 1 unchanged, 0 skipped, 0 retries\n");

  CliRun status = Exchange("status tc --format jsonl");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["bank"], "shared");
  EXPECT_EQ(j["organisation"], "Tech Coalition");
  EXPECT_EQ(j["organisation_kind"], "other");
  EXPECT_EQ(j["added"], 2);
  EXPECT_EQ(j["removed"], 1);
  EXPECT_EQ(j["last_error"], "");
  EXPECT_NE(j["last_sync_at"], "");
  EXPECT_EQ(j["options"]["page_rows"], 1);
  EXPECT_EQ(j["shares_pending"], 0);
  EXPECT_EQ(j["shares_shared"], 0);

  CliRun stats = RunVigil("bank stats shared --format jsonl --db '" + db_ + "'");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["active"], 1);
  EXPECT_EQ(s["retired"], 1);

  CliRun list_out = Exchange("list");
  ASSERT_EQ(list_out.exit_code, 0);
  EXPECT_NE(list_out.out.find("tc "), std::string::npos);
}

TEST_F(ExchangeCliTest, ShareRunsTheOutboxAndSaysWhatWent) {
  // No decision has confirmed new material yet: the outbox has nothing to queue or send.
  ASSERT_EQ(Exchange("add drop --type file --bank shared --organisation Y --share --endpoint '" +
                     (tmp_.path() / "in.csv").string() + "' --options '{\"share_to\": \"" +
                     tmp_.path().string() + "\"}'")
                .exit_code,
            0);
  CliRun share = Exchange("share");
  ASSERT_EQ(share.exit_code, 0) << share.err;
  EXPECT_EQ(share.out, "0 decisions queued, 0 hashes shared, 0 refused, 0 to retry\n");
  auto j = nlohmann::json::parse(Exchange("status drop --format jsonl").out);
  EXPECT_EQ(j["share"], true);
  EXPECT_EQ(j["shares_pending"], 0);
  EXPECT_EQ(j["share_error"], "");
}

TEST_F(ExchangeCliTest, FailedSyncExitsNonZeroAndKeepsTheError) {
  ASSERT_EQ(Exchange("add gone --type file --bank shared --organisation X --endpoint '" +
                     (tmp_.path() / "missing.csv").string() + "'")
                .exit_code,
            0);
  CliRun sync = Exchange("sync gone --attempts 1");
  EXPECT_NE(sync.exit_code, 0);
  EXPECT_NE(sync.err.find("exchange gone"), std::string::npos) << sync.err;
  auto j = nlohmann::json::parse(Exchange("status gone --format jsonl").out);
  EXPECT_NE(j["last_error"].get<std::string>().find("missing.csv"), std::string::npos);
}

TEST_F(ExchangeCliTest, BadInputIsRefusedWithoutEchoingSecrets) {
  CliRun secret = Exchange(
      "add n --type ncmec --bank shared --organisation NCMEC --endpoint https://x.invalid "
      "--credentials 'user:hunter2'");
  EXPECT_EQ(secret.exit_code, vigil::ExitCodeFor(vigil::StatusCode::kInvalidArgument));
  EXPECT_EQ(secret.err.find("hunter2"), std::string::npos) << secret.err;
  EXPECT_NE(Exchange("add n --type gopher --bank shared --organisation X --endpoint y").exit_code,
            0);
  CliRun no_bank = Exchange("add n --type file --bank nope --organisation X --endpoint /tmp/x.csv");
  EXPECT_NE(no_bank.err.find("bank 'nope' does not exist"), std::string::npos) << no_bank.err;
  CliRun unknown = Exchange("status nope");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("exchange 'nope' does not exist"), std::string::npos);
  EXPECT_NE(Exchange("sync").exit_code, 0);
}

}  // namespace
}  // namespace vigil::testing
