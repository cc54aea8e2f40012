// `vigil queue dead-letters|requeue|discard` as an operator runs them, against a nats-server the
// test starts (skipped without it). The dead letters are made the way a worker makes them.
#include <gtest/gtest.h>

#include <chrono>

#include "cli/cli_runner.h"
#include "queue/nats.h"
#include "queue/nats_server.h"

namespace vigil::worker {
namespace {

using namespace std::chrono_literals;
using vigil::testing::CliRun;
using vigil::testing::RunVigil;

TEST(QueueCliTest, DeadLettersAreListedRequeuedAndDiscarded) {
  std::string error;
  auto server = vigil::testing::NatsServer::Start(&error);
  if (server == nullptr) GTEST_SKIP() << error;
  queue::NatsOptions o;
  o.url = server->url();
  auto q = queue::NatsQueue::Connect(o);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_TRUE((*q)->Publish("a", "job-a").ok());
  ASSERT_TRUE((*q)->Publish("b", "job-b").ok());
  auto source = (*q)->OpenJobSource();
  ASSERT_TRUE(source.ok());
  std::vector<std::unique_ptr<queue::Delivery>> got;
  for (int i = 0; i < 20 && got.size() < 2; ++i) {
    auto batch = (*source)->Fetch(2, 500ms);
    ASSERT_TRUE(batch.ok());
    for (auto& d : *batch) got.push_back(std::move(d));
  }
  ASSERT_EQ(got.size(), 2u);
  for (auto& d : got) ASSERT_TRUE(d->DeadLetter("poison").ok());
  const std::string nats = " --nats '" + server->url() + "'";

  CliRun list = RunVigil("queue dead-letters -f jsonl" + nats);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto lines = vigil::testing::JsonLines(list.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["data"], "job-b");

  CliRun requeue = RunVigil("queue requeue 2" + nats);
  ASSERT_EQ(requeue.exit_code, 0) << requeue.err;
  EXPECT_EQ(requeue.out, "dead letter 2 re-queued\n");
  CliRun discard = RunVigil("queue discard 1" + nats);
  ASSERT_EQ(discard.exit_code, 0) << discard.err;
  EXPECT_EQ(discard.out, "dead letter 1 discarded\n");
  EXPECT_EQ(*(*q)->Count(), 0u);
  EXPECT_EQ((*q)->Depth()->jobs, 1u);
  auto again = (*source)->Fetch(1, 2000ms);
  ASSERT_TRUE(again.ok() && again->size() == 1u);
  EXPECT_EQ((*again)[0]->data(), "job-b");

  // Settled already: exit 4 (not found) naming the dead letter.
  CliRun twice = RunVigil("queue discard 1" + nats);
  EXPECT_EQ(twice.exit_code, 4) << twice.err;
  EXPECT_NE(twice.err.find("dead letter 1"), std::string::npos) << twice.err;
  CliRun bad = RunVigil("queue requeue not-a-number" + nats);
  EXPECT_NE(bad.exit_code, 0);
}

TEST(WorkerCliTest, PseudonymKeysWithoutEvidenceKeysOrWithBadKeysAreRefusedAtStart) {
  vigil::testing::TempDir dir;
  const std::string keys =
      dir.Write("p.keys", "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
  const std::string config =
      dir.Write("w.json", R"({"database":"postgresql://127.0.0.1:1/none","pseudonym_keys":")" +
                              keys + R"("})");
  CliRun run = RunVigil("worker --config '" + config + "'");
  if (std::getenv("VIGIL_EVIDENCE_KEYS") == nullptr) {
    EXPECT_EQ(run.exit_code, 3) << run.err;
    EXPECT_NE(run.err.find("pseudonym_keys needs evidence_keys"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("w.json"), std::string::npos) << run.err;
  }
  const std::string bad = dir.Write("bad.keys", "m1 abcd\n");
  const std::string bad_config =
      dir.Write("w2.json", R"({"database":"postgresql://127.0.0.1:1/none","pseudonym_keys":")" +
                               keys + R"(","evidence_keys":")" + bad + R"("})");
  CliRun bad_run = RunVigil("worker --config '" + bad_config + "'");
  EXPECT_EQ(bad_run.exit_code, 3) << bad_run.err;
  EXPECT_NE(bad_run.err.find("bad.keys line 1"), std::string::npos) << bad_run.err;
}

}  // namespace
}  // namespace vigil::worker
