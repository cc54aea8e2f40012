// `vigil keys` and `vigil serve` as a user runs them: the secret is printed once and works
// against the running binary, list never shows it, revoke is final, and SIGTERM stops the server
// cleanly after it answered.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "cli/cli_runner.h"

namespace vigil::testing {
namespace {

TEST(KeysCli, CreatePrintsTheSecretOnceListHidesItRevokeIsFinal) {
  TempDir dir;
  const std::string db = (dir.path() / "k.db").string();
  CliRun created =
      RunVigil("keys create --db " + db + " --name ops --role reviewer --role auditor");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string secret = created.out.substr(0, created.out.find('\n'));
  EXPECT_EQ(secret.size(), 68u);
  EXPECT_EQ(secret.rfind("vgl_", 0), 0u);
  EXPECT_EQ(created.err.find(secret), std::string::npos);
  CliRun list = RunVigil("keys list --db " + db);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("ops  roles=auditor,reviewer"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(secret), std::string::npos);
  EXPECT_EQ(RunVigil("keys create --db " + db + " --name ops --role admin").exit_code, 5);
  EXPECT_EQ(RunVigil("keys create --db " + db + " --name x --role root").exit_code, 3);
  EXPECT_EQ(RunVigil("keys revoke --db " + db + " ops").exit_code, 0);
  EXPECT_EQ(RunVigil("keys revoke --db " + db + " ops").exit_code, 6);
  EXPECT_EQ(RunVigil("keys revoke --db " + db + " nobody").exit_code, 4);
  EXPECT_NE(RunVigil("keys list --db " + db).out.find("revoked="), std::string::npos);
}

TEST(ServeCli, ServesWithAKeyFromTheCliAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const std::string db = (dir.path() / "s.db").string();
  CliRun created = RunVigil("keys create --db " + db + " --name root --role admin");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string secret = created.out.substr(0, created.out.find('\n'));
  const int port = 20000 + static_cast<int>(::getpid() % 20000);
  const std::string config =
      dir.Write("c.json", "{\"port\": " + std::to_string(port) + ", \"database\": \"" + db + "\"}");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(VIGIL_BINARY, "vigil", "serve", "--config", config.c_str(), nullptr);
    ::_exit(127);
  }
  httplib::Client client("127.0.0.1", port);
  httplib::Result ok = client.Get("/healthz");
  for (int i = 0; i < 100 && !ok; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ok = client.Get("/healthz");
  }
  ASSERT_TRUE(ok) << "the server did not come up on port " << port;
  ok = client.Get("/c/banks", {{"Authorization", "Bearer " + secret}});
  ASSERT_TRUE(ok) << "the server did not come up on port " << port;
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "[]");
  EXPECT_EQ(client.Get("/c/banks")->status, 401);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(client.Get("/healthz"));
  // A configuration error names the key and exits 3.
  const std::string bad = dir.Write("bad.json", "{\"prot\": 1}");
  CliRun refused = RunVigil("serve --config " + bad);
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("'prot'"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace vigil::testing
