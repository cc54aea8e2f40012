// `vigil privacy describe|pseudonymise` as an operator runs them.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

// Python: hmac.new(bytes(range(32)), b"account-12345", hashlib.sha256).hexdigest()
constexpr char kExpected[] =
    "p1.k1.29a2beb5da8cfd6ebcb9fe04fa05ebe441eea3156458c8a41736e33b61f47edc";
constexpr char kKey0to31[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(PrivacyCliTest, PseudonymiseUsesTheChosenKey) {
  TempDir dir;
  const std::string keys = dir.Write("keys.txt", std::string("# rotated 2027-01\nk1 ") + kKey0to31 +
                                                     "\nk2 " + std::string(64, 'e') + "\n");
  CliRun run = RunVigil("privacy pseudonymise --keys '" + keys + "' --key-id k1 account-12345");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, std::string("account-12345\t") + kExpected + "\n");
  CliRun latest = RunVigil("privacy pseudonymise --keys '" + keys + "' account-12345");
  EXPECT_NE(latest.out.find("\tp1.k2."), std::string::npos) << latest.out;
}

TEST(PrivacyCliTest, ABadKeyFileIsNamedWithItsLine) {
  TempDir dir;
  const std::string keys = dir.Write("keys.txt", "k1 tooshort\n");
  CliRun run = RunVigil("privacy pseudonymise --keys '" + keys + "' a");
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("keys.txt line 1"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("tooshort"), std::string::npos) << "a secret was printed: " << run.err;
  EXPECT_EQ(RunVigil("privacy pseudonymise --keys /nonexistent/keys a").exit_code, 4);
}

TEST(PrivacyCliTest, DescribeListsEveryTableWithItsPurpose) {
  CliRun run = RunVigil("privacy describe -f jsonl");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_GE(rows.size(), 10u);
  bool saw_volume = false;
  for (const auto& r : rows) {
    EXPECT_FALSE(r["purposes"].get<std::string>().empty()) << r.dump();
    if (r["table"] == "volume_counters") {
      saw_volume = true;
      EXPECT_NE(r["personal_data"].get<std::string>().find("aggregates only"), std::string::npos);
    }
    // What the annual report counts a purged row under (docs/privacy.md's table).
    const std::map<std::string, std::string> purged_as = {
        {"audit_log", "accountability"},
        {"processed_items", "exactly_once_processing"},
        {"banks", ""}};  // never purged
    if (auto it = purged_as.find(r["table"].get<std::string>()); it != purged_as.end()) {
      EXPECT_EQ(r["purged_as"], it->second) << r.dump();
    }
  }
  EXPECT_TRUE(saw_volume);
  CliRun text = RunVigil("privacy describe");
  EXPECT_NE(text.out.find("audit_log\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  purged as:     legal_procedures\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Regulation (EU) 2026/1881: 2026-07-31 to 2028-04-03"), std::string::npos)
      << text.out;
}

TEST(PrivacyCliTest, ScanRefusesWhatTheLegalBasisExcludes) {
  const std::string image = std::string(VIGIL_SHARED_DIR) + "/testdata/pdq/images/01_aqua.jpg";
  if (!std::filesystem::exists(image)) GTEST_SKIP() << "no shared test data at " << image;
  TempDir dir;
  const std::string db = " --db '" + (dir.path() / "v.db").string() + "'";
  CliRun e2ee = RunVigil("scan --account a --end-to-end-encrypted '" + image + "'" + db);
  EXPECT_EQ(e2ee.exit_code, 6);
  EXPECT_NE(e2ee.err.find("end-to-end encrypted communications is excluded by Regulation (EU) "
                          "2026/1881"),
            std::string::npos)
      << e2ee.err;
  EXPECT_TRUE(e2ee.out.empty()) << e2ee.out;
  // 2021/1232 lapsed on 3 April 2026 (the test runs later than that).
  CliRun lapsed = RunVigil("scan --account a --legal-basis 2021/1232 '" + image + "'" + db);
  EXPECT_EQ(lapsed.exit_code, 6);
  EXPECT_NE(lapsed.err.find("2021-08-02 to 2026-04-03"), std::string::npos) << lapsed.err;
  CliRun unknown = RunVigil("scan --account a --legal-basis 1999/1 '" + image + "'" + db);
  EXPECT_EQ(unknown.exit_code, 3);
  CliRun cases = RunVigil("cases list -f jsonl" + db);
  EXPECT_EQ(cases.exit_code, 0) << cases.err;
  EXPECT_TRUE(cases.out.empty()) << cases.out;
}

}  // namespace
}  // namespace vigil::testing
