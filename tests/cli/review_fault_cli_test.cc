// Faults from the command line (issue 5, "Bad input and faults"): a PostgreSQL server that is
// not there and an SQLite file another process holds locked give clear errors with exit code 10
// (unavailable) and write nothing.
#include <SQLiteCpp/SQLiteCpp.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";
const std::string kAquaPdq = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

// A loopback port nothing listens on (bound, then closed).
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(ReviewFaultCliTest, AnUnreachablePostgresServerIsExit10NamingItForEveryCommand) {
  const std::string port = std::to_string(ClosedPort());
  const std::string db = "--db 'postgresql://vigil:s3cret@127.0.0.1:" + port + "/vigil_prod'";
  const std::string image = "'" + (kPdqDir / "images" / "01_aqua.jpg").string() + "'";
  for (const std::string& command :
       {"cases list " + db, "cases show 1 " + db, "cases assign 1 --reviewer alice " + db,
        "cases decide 1 --reviewer alice --decision not_csam --rationale r " + db,
        "scan --account a " + db + " " + image}) {
    CliRun run = RunVigil(command);
    EXPECT_EQ(run.exit_code, 10) << command << ": " << run.err;
    EXPECT_EQ(run.out, "") << command;
    EXPECT_NE(run.err.find("127.0.0.1"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(port), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("vigil_prod"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("s3cret"), std::string::npos) << run.err;
  }
}

int64_t Count(const std::string& path, const std::string& table) {
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  return raw.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

TEST(ReviewFaultCliTest, ALockedSqliteFileIsExit10AndNothingIsWritten) {
  if (!fs::exists(kPdqDir / "images")) GTEST_SKIP() << "no shared test data at " << kPdqDir;
  TempDir dir;
  const std::string path = (dir.path() / "v.db").string();
  const std::string db = "--db '" + path + "'";
  ASSERT_EQ(RunVigil("bank create hotline " + db).exit_code, 0);
  const std::string list = dir.Write("l.te", "pdq " + kAquaPdq + "\n");
  ASSERT_EQ(RunVigil("bank import hotline '" + list + "' -f te " + db).exit_code, 0);
  const std::string image = "'" + (kPdqDir / "images" / "01_aqua.jpg").string() + "'";
  ASSERT_EQ(RunVigil("scan -q --account a " + db + " " + image).exit_code, 0);
  ASSERT_EQ(RunVigil("cases assign 1 --reviewer alice " + db).exit_code, 0);
  const int64_t events = Count(path, "case_events");
  {
    // Another process's write transaction, held past the 5 s busy timeout.
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    SQLite::Transaction lock(other, SQLite::TransactionBehavior::IMMEDIATE);
    for (const std::string& command :
         {"cases decide 1 --reviewer alice --decision not_csam --rationale r " + db,
          "scan -q --account a " + db + " " + image}) {
      CliRun run = RunVigil(command);
      EXPECT_EQ(run.exit_code, 10) << command << ": " << run.err;
      EXPECT_NE(run.err.find(path), std::string::npos) << run.err;
      EXPECT_NE(run.err.find("another process holds the database"), std::string::npos) << run.err;
    }
  }
  EXPECT_EQ(Count(path, "case_events"), events);
  EXPECT_EQ(Count(path, "case_reviews"), 0);
  EXPECT_EQ(Count(path, "cases"), 1);
  EXPECT_EQ(Count(path, "case_items"), 1);
  CliRun show = RunVigil("cases show 1 -f jsonl " + db);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(JsonLines(show.out).at(0)["state"], "in_review");
}

}  // namespace
}  // namespace vigil::testing
