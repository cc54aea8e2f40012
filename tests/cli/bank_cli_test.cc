// `vigil bank` as a user runs it: create, list, import, export, add, retire, stats; which
// database is used; and the exit code and message of each kind of bad input.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;

const std::string kPdqA(64, 'a');
const std::string kPdqB(64, 'b');
const std::string kMd5(32, 'd');

class BankCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("VIGIL_DATABASE_URL");
    db_ = (tmp_.path() / "vigil.db").string();
  }
  // Runs `vigil bank <args> --db <test database>`.
  CliRun Bank(const std::string& args, const std::string& stdin_file = "") {
    return RunVigil("bank " + args + " --db '" + db_ + "'", stdin_file);
  }
  void CreateBank(const std::string& name = "ncmec") {
    CliRun r = Bank("create " + name + " --owner NCMEC");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir tmp_;
  std::string db_;
};

TEST_F(BankCliTest, CreateListAndStatsOfAnEmptyBank) {
  CliRun create = Bank("create ncmec --owner NCMEC --source-list ESP --auto-action");
  EXPECT_EQ(create.exit_code, 0) << create.err;
  EXPECT_EQ(create.out, "created bank ncmec (auto_action)\n");

  CliRun list = Bank("list --format jsonl");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto j = nlohmann::json::parse(list.out);
  EXPECT_EQ(j["name"], "ncmec");
  EXPECT_EQ(j["owner"], "NCMEC");
  EXPECT_EQ(j["source_list"], "ESP");
  EXPECT_EQ(j["policy"], "auto_action");

  CliRun stats = Bank("stats ncmec");
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(stats.out,
            "bank ncmec (auto_action, owner NCMEC)\n"
            "entries: 0 total, 0 active, 0 retired\n"
            "active: 0 verified, 0 needing verification\n");
}

TEST_F(BankCliTest, DuplicateAndBadNamesAndUnknownBanks) {
  CreateBank();
  CliRun dup = Bank("create ncmec");
  EXPECT_EQ(dup.exit_code, 5);
  EXPECT_EQ(dup.err, "vigil: bank 'ncmec' already exists\n");
  CliRun bad = Bank("create 'has space'");
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.err,
            "vigil: bank name 'has space' may contain only letters, digits, '_', '-' and '.'\n");
  for (const std::string cmd : {"stats nope", "export nope", "retire nope --id 1 --reason x"}) {
    CliRun r = Bank(cmd);
    EXPECT_EQ(r.exit_code, 4) << cmd;
    EXPECT_EQ(r.err, "vigil: bank 'nope' does not exist\n") << cmd;
  }
}

TEST_F(BankCliTest, ReadingCommandsDoNotCreateADatabase) {
  CliRun r = Bank("list");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "vigil: database " + db_ +
                       " does not exist; create a bank first with `vigil bank create`\n");
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(BankCliTest, EnvironmentNamesTheDatabaseAndTheFlagWins) {
  const std::string env_db = (tmp_.path() / "env.db").string();
  setenv("VIGIL_DATABASE_URL", env_db.c_str(), 1);
  CliRun create = RunVigil("bank create from-env");
  unsetenv("VIGIL_DATABASE_URL");
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_TRUE(fs::exists(env_db));
  setenv("VIGIL_DATABASE_URL", env_db.c_str(), 1);
  CliRun via_flag = Bank("list --format csv");  // --db names the other file
  CliRun via_env = RunVigil("bank list --format csv");
  unsetenv("VIGIL_DATABASE_URL");
  EXPECT_EQ(via_flag.exit_code, 4);  // the flag's database does not exist
  ASSERT_EQ(via_env.exit_code, 0) << via_env.err;
  EXPECT_NE(via_env.out.find("\nfrom-env,review_required,"), std::string::npos) << via_env.out;
}

TEST_F(BankCliTest, UnreachablePostgresqlIsUnavailableWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  CliRun r = RunVigil("bank list --db postgresql://vigil:s3cret-pw@127.0.0.1:1/vigil");
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_NE(r.err.find("postgresql://vigil@127.0.0.1:1/vigil"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

TEST_F(BankCliTest, ImportWithAnInvalidRowWritesNothingAndListsEveryProblem) {
  CreateBank();
  const std::string csv =
      tmp_.Write("list.csv", "signal_type,signal_value\npdq," + kPdqA + "\npdq,xyz\ntmk," + kPdqB +
                                 "\npdq," + kPdqA + "\n");
  CliRun r = Bank("import ncmec '" + csv + "'");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            csv + ":3: pdq value needs 64 hex digits, got 3 characters\n" + csv +
                ":4: unknown signal type 'tmk' (known: pdq, md5, sha256, vpdq, video_md5, "
                "video_sha256)\n" +
                csv + ":5: skipped: duplicate of line 2\n" + "vigil: " + csv +
                ": 2 of 4 rows invalid; nothing was imported (fix them, or pass --skip-invalid "
                "to import the rest)\n");
  EXPECT_NE(Bank("stats ncmec").out.find("entries: 0 total"), std::string::npos);

  CliRun skip = Bank("import ncmec '" + csv + "' --skip-invalid -q");
  EXPECT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_EQ(skip.out, "imported " + csv +
                          " into ncmec: 1 added, 0 already present, 1 duplicate in the file, 2 "
                          "invalid skipped\n");
}

TEST_F(BankCliTest, ImportIsIdempotentAndReadsEveryFormat) {
  CreateBank();
  const std::string te = tmp_.Write("list.txt", "pdq " + kPdqA + "\nvideo_md5 " + kMd5 + "\n");
  CliRun first = Bank("import ncmec '" + te + "' --format te");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "imported " + te +
                           " into ncmec: 2 added, 0 already present, 0 duplicates in the file, "
                           "0 invalid skipped\n");
  CliRun again = Bank("import ncmec '" + te + "' --format te");
  EXPECT_EQ(again.out, "imported " + te +
                           " into ncmec: 0 added, 2 already present, 0 duplicates in the file, "
                           "0 invalid skipped\n");
  const std::string jsonl =
      tmp_.Write("list.jsonl", "{\"signal_type\":\"pdq\",\"signal_value\":\"" + kPdqB + "\"}\n");
  EXPECT_EQ(Bank("import ncmec '" + jsonl + "'").exit_code, 0);  // format from the extension
  const std::string bare = tmp_.Write("bare", std::string(64, 'c') + "\n");
  CliRun from_stdin = Bank("import ncmec - --format te --type pdq", bare);
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out.rfind("imported <stdin> into ncmec: 1 added", 0), 0u);
  EXPECT_NE(Bank("stats ncmec").out.find("entries: 4 total, 4 active"), std::string::npos);
}

TEST_F(BankCliTest, ImportInputErrors) {
  CreateBank();
  CliRun missing = Bank("import ncmec '" + (tmp_.path() / "none.csv").string() + "'");
  EXPECT_EQ(missing.exit_code, 4);
  CliRun no_format = Bank("import ncmec '" + tmp_.Write("hashes.dat", "x") + "'");
  EXPECT_EQ(no_format.exit_code, 3);
  EXPECT_NE(no_format.err.find("give --format csv, jsonl or te"), std::string::npos);
  CliRun empty = Bank("import ncmec '" + tmp_.Write("e.csv", "") + "'");
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.err.find("empty input: no rows to import"), std::string::npos) << empty.err;
  CliRun header = Bank("import ncmec '" + tmp_.Write("h.csv", "pdq," + kPdqA + "\n") + "'");
  EXPECT_EQ(header.exit_code, 3);
  EXPECT_NE(header.err.find("line 1: CSV header lacks column 'signal_type'"), std::string::npos);
  CliRun bad_type = Bank("import ncmec - --format te --type tmk", tmp_.Write("t", kPdqA));
  EXPECT_EQ(bad_type.exit_code, 3);
  EXPECT_EQ(bad_type.err.rfind("vigil: --type: unknown signal type 'tmk'", 0), 0u) << bad_type.err;
}

TEST_F(BankCliTest, ExportWritesEachFormatExactly) {
  CreateBank();
  const std::string csv = tmp_.Write("in.csv",
                                     "signal_type,signal_value,added_at,source_ref,verifications\n"
                                     "pdq," +
                                         kPdqA +
                                         ",2024-05-01T00:00:00Z,\"ref, 1\",2\n"
                                         "md5," +
                                         kMd5 + ",2024-05-02,,0\n");
  ASSERT_EQ(Bank("import ncmec '" + csv + "'").exit_code, 0);
  CliRun out_csv = Bank("export ncmec -q");
  EXPECT_EQ(out_csv.exit_code, 0) << out_csv.err;
  EXPECT_EQ(out_csv.out,
            "signal_type,signal_value,added_at,source_ref,verifications,needs_verification,"
            "retired_at,retired_reason\n"
            "pdq," +
                kPdqA +
                ",2024-05-01T00:00:00Z,\"ref, 1\",2,false,,\n"
                "md5," +
                kMd5 + ",2024-05-02T00:00:00Z,,0,false,,\n");
  EXPECT_EQ(Bank("export ncmec --format te -q").out, "pdq " + kPdqA + "\nvideo_md5 " + kMd5 + "\n");
  CliRun jsonl = Bank("export ncmec --format jsonl");
  EXPECT_EQ(jsonl.err, "vigil: exported 2 entries of ncmec\n");
  EXPECT_EQ(nlohmann::json::parse(jsonl.out.substr(0, jsonl.out.find('\n')))["source_ref"],
            "ref, 1");

  // And the export imports back into another bank unchanged.
  const std::string exported = tmp_.Write("out.csv", out_csv.out);
  CreateBank("copy");
  ASSERT_EQ(Bank("import copy '" + exported + "'").exit_code, 0);
  EXPECT_EQ(Bank("export copy -q").out, out_csv.out);
}

TEST_F(BankCliTest, AddRetireAndTheirErrors) {
  CreateBank();
  CliRun add = Bank("add ncmec pdq " + kPdqA + " --source-ref manual -q");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, "entry 1 pdq " + kPdqA + "\n");
  EXPECT_EQ(Bank("add ncmec pdq abc").exit_code, 3);
  EXPECT_EQ(Bank("add ncmec tmk " + kPdqA).exit_code, 3);

  CliRun retire = Bank("retire ncmec pdq " + kPdqA + " --reason 'false positive'");
  ASSERT_EQ(retire.exit_code, 0) << retire.err;
  EXPECT_EQ(retire.out.rfind("retired entry 1 pdq " + kPdqA + " in ncmec at ", 0), 0u);
  CliRun twice = Bank("retire ncmec --id 1 --reason again");
  EXPECT_EQ(twice.exit_code, 6);
  EXPECT_EQ(twice.err, "vigil: entry 1 is already retired (false positive)\n");
  EXPECT_EQ(Bank("retire ncmec --id 99 --reason x").exit_code, 4);
  EXPECT_EQ(Bank("retire ncmec pdq " + kPdqB + " --reason x").exit_code, 4);
  CliRun no_reason = Bank("retire ncmec --id 1");  // a usage error, reported by CLI11
  EXPECT_NE(no_reason.exit_code, 0);
  EXPECT_NE(no_reason.err.find("--reason is required"), std::string::npos);

  EXPECT_EQ(Bank("export ncmec -q").out.find(kPdqA), std::string::npos);  // retired: left out
  EXPECT_NE(Bank("export ncmec -q --include-retired").out.find(",false positive\n"),
            std::string::npos);
  CliRun stats = Bank("stats ncmec --format jsonl");
  auto j = nlohmann::json::parse(stats.out);
  EXPECT_EQ(j["retired"], 1);
  EXPECT_EQ(j["by_type"]["pdq"]["retired"], 1);
}

// Issue 6, Art 3(1)(h): every change a bank command makes, and every export of a list, is in the
// audit log with who made it (--by, else the system user) after it committed; failed and
// reading commands write nothing.
TEST_F(BankCliTest, ChangesAndExportsAreRecordedInTheAuditLog) {
  ASSERT_EQ(Bank("create ncmec --owner NCMEC --by alice").exit_code, 0);
  const std::string csv =
      tmp_.Write("list.csv", "signal_type,signal_value\npdq," + kPdqA + "\npdq," + kPdqB + "\n");
  ASSERT_EQ(Bank("import ncmec '" + csv + "' -q --by bob").exit_code, 0);
  ASSERT_EQ(Bank("add ncmec md5 " + kMd5 + " --by carol -q").exit_code, 0);
  EXPECT_EQ(Bank("add ncmec md5 xyz --by carol").exit_code, 3);  // refused: not recorded
  ASSERT_EQ(Bank("retire ncmec --id 2 --reason 'false positive' --by dave").exit_code, 0);
  ASSERT_EQ(Bank("export ncmec -q -o '" + (tmp_.path() / "out.csv").string() + "'").exit_code, 0);
  ASSERT_EQ(Bank("stats ncmec").exit_code, 0);
  ASSERT_EQ(Bank("list").exit_code, 0);

  CliRun log = RunVigil("audit list -f jsonl --db '" + db_ + "'");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  const auto records = JsonLines(log.out);
  ASSERT_EQ(records.size(), 5u) << log.out;
  const std::vector<std::array<std::string, 3>> expected = {{"alice", "bank.create", "bank:ncmec"},
                                                            {"bob", "bank.import", "bank:ncmec"},
                                                            {"carol", "bank.add", "bank:ncmec"},
                                                            {"dave", "bank.retire", "bank_entry:2"},
                                                            {"", "bank.export", "bank:ncmec"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    if (!expected[i][0].empty()) {
      EXPECT_EQ(records[i]["actor"], expected[i][0]) << i;
    }
    EXPECT_EQ(records[i]["action"], expected[i][1]) << i;
    EXPECT_EQ(records[i]["target"], expected[i][2]) << i;
    EXPECT_EQ(records[i]["origin"].get<std::string>().rfind("cli:", 0), 0u) << i;
  }
  // Without --by the system user is the actor, as in the origin.
  EXPECT_EQ(records[4]["actor"], records[4]["origin"]);
  auto details = [&](size_t i) {
    return nlohmann::json::parse(records[i]["details"].get<std::string>());
  };
  EXPECT_EQ(details(1)["added"], 2);
  EXPECT_EQ(details(1)["format"], "csv");
  EXPECT_EQ(details(2)["entries"], nlohmann::json::array({3}));
  EXPECT_EQ(details(3)["reason"], "false positive");
  EXPECT_EQ(details(4)["entries"], 2);  // the retired entry is left out
  EXPECT_EQ(RunVigil("audit verify --db '" + db_ + "'").exit_code, 0);
}

}  // namespace
}  // namespace vigil::testing
