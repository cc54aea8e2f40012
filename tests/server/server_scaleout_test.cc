// The server's scale-out side (docs/scaling.md) against a nats-server the test starts: bank
// changes made through the API reach a worker's matcher (another node: its own database handle,
// NATS connection and LiveMatcher) within one second. Skips with a message without nats-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "queue/job.h"
#include "queue/nats.h"
#include "queue/nats_server.h"
#include "server_env.h"
#include "worker/live_matcher.h"

namespace vigil::server::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using auth::Role;

const char kPdq[] = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";

class ServerScaleoutTest : public ServerTest {
 protected:
  void SetUp() override {
    std::string error;
    nats_ = vigil::testing::NatsServer::Start(&error);
    if (nats_ == nullptr) GTEST_SKIP() << error;
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    StartServer(NatsConfig());
  }

  // The server connects first, so it creates the streams: a job stream of at most kMaxJobs.
  static constexpr int kMaxJobs = 3;
  ServerConfig NatsConfig() const {
    ServerConfig c = DefaultConfig();
    c.nats.url = nats_->url();
    c.nats.max_jobs = kMaxJobs;
    return c;
  }

  // A client of the same queue, as a worker or `vigil queue` would have.
  std::unique_ptr<queue::NatsQueue> Client() {
    queue::NatsOptions o;
    o.url = nats_->url();
    auto q = queue::NatsQueue::Connect(o);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(*q) : nullptr;
  }

  static std::string JobJson(int i) {
    return fmt::format(R"({{"item_id":"item-{}","account_id":"a{}","region":"eu","md5":"{:032x}",)"
                       R"("sha256":"{:064x}"}})",
                       i, i, i, i);
  }
  static std::string Jobs(std::initializer_list<int> ids) {
    std::string out;
    for (int i : ids) out += (out.empty() ? "" : ",") + JobJson(i);
    return R"({"jobs":[)" + out + "]}";
  }

  // A worker node on the same database and NATS server.
  struct Node {
    std::unique_ptr<store::Database> db;
    std::unique_ptr<queue::NatsQueue> nats;
    std::unique_ptr<worker::LiveMatcher> live;
  };
  Node StartNode() {
    Node n;
    auto db = store::OpenDatabase(url_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    queue::NatsOptions o;
    o.url = nats_->url();
    auto q = queue::NatsQueue::Connect(o);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    if (!db.ok() || !q.ok()) return n;
    n.db = std::move(*db);
    n.nats = std::move(*q);
    auto live = worker::LiveMatcher::Start(n.db->banks(), {}, *n.nats);
    EXPECT_TRUE(live.ok()) << live.status().ToString();
    if (live.ok()) n.live = std::move(*live);
    return n;
  }

  static bool Matches(const Node& n) {
    auto r = n.live->matcher().MatchPdq(*hash::Hash256::FromHex(kPdq), std::nullopt);
    return r.ok() && !r->empty();
  }
  // Polls (at most 5 s) until the node matches kPdq (want) or does not.
  static bool Await(const Node& n, bool want) {
    const auto deadline = SteadyClock::now() + 5s;
    while (Matches(n) != want) {
      if (SteadyClock::now() > deadline) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  std::unique_ptr<vigil::testing::NatsServer> nats_;
};

TEST_F(ServerScaleoutTest, BankChangesThroughTheApiReachAWorkerWithinOneSecond) {
  Json(PostJson("/v1/banks", R"({"name":"hotline"})", Role::kBankManager), 201);
  Node node = StartNode();
  ASSERT_NE(node.live, nullptr);
  ASSERT_FALSE(Matches(node));

  auto start = SteadyClock::now();
  auto added = Json(
      PostJson("/v1/banks/hotline/entries",
               fmt::format(R"({{"signal_type":"pdq","signal":"{}"}})", kPdq), Role::kBankManager),
      201);
  ASSERT_TRUE(Await(node, true)) << "the worker never matched the entry added through the API";
  EXPECT_LT(SteadyClock::now() - start, 1000ms);

  start = SteadyClock::now();
  Json(PostJson(fmt::format("/v1/entries/{}/retire", added["id"].get<int64_t>()),
                R"({"reason":"false positive confirmed"})", Role::kBankManager),
       200);
  ASSERT_TRUE(Await(node, false)) << "the worker kept matching the retired entry";
  EXPECT_LT(SteadyClock::now() - start, 1000ms);
  EXPECT_EQ(node.live->failed_events(), 0u);
}

// Issue 12: a worker that started before the bank existed matches it without a restart.
TEST_F(ServerScaleoutTest, ABankCreatedThroughTheApiAfterAWorkerStartedIsMatchedThere) {
  Node node = StartNode();
  ASSERT_NE(node.live, nullptr);
  const auto start = SteadyClock::now();
  Json(PostJson("/v1/banks", R"({"name":"late"})", Role::kBankManager), 201);
  Json(PostJson("/v1/banks/late/entries",
                fmt::format(R"({{"signal_type":"pdq","signal":"{}"}})", kPdq), Role::kBankManager),
       201);
  ASSERT_TRUE(Await(node, true)) << "the worker never matched the new bank's entry";
  EXPECT_LT(SteadyClock::now() - start, 1000ms);
  auto late = node.db->banks().GetBank("late");
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(node.live->matcher().HasBank(late->id));
  EXPECT_EQ(node.live->failed_events(), 0u);
}

TEST_F(ServerScaleoutTest, HmaCurationRoutesPublishToo) {
  Json(PostJson("/c/banks", R"({"name":"HMA_BANK"})", Role::kBankManager), 201);
  Node node = StartNode();
  ASSERT_NE(node.live, nullptr);
  auto r = PostJson("/c/bank/HMA_BANK/signal", fmt::format(R"({{"pdq":"{}"}})", kPdq),
                    Role::kBankManager);
  ASSERT_TRUE(r);
  ASSERT_LT(r->status, 300) << r->body;
  EXPECT_TRUE(Await(node, true)) << "the worker never matched the entry added through HMA";
}

TEST_F(ServerScaleoutTest, ABankChangeWhileNatsIsDownIsStillDoneAndAudited) {
  Json(PostJson("/v1/banks", R"({"name":"hotline"})", Role::kBankManager), 201);
  nats_->Stop(/*kill=*/true);
  // The database commit is the change: it is answered and audited as done; the lost event is
  // logged (repeating the request once NATS is back publishes it again).
  auto added = Json(
      PostJson("/v1/banks/hotline/entries",
               fmt::format(R"({{"signal_type":"pdq","signal":"{}"}})", kPdq), Role::kBankManager),
      201);
  EXPECT_FALSE(added["retired"].get<bool>());
  bool audited = false;
  for (const auto& r : AuditLog()) audited |= r.event.action == "POST /v1/banks/{bank}/entries";
  EXPECT_TRUE(audited);
}

TEST_F(ServerScaleoutTest, JobsAreQueuedUntilTheStreamIsFullThen429WithRetryAfter) {
  auto q = Client();
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(Json(PostJson("/v1/jobs", Jobs({1, 2}), Role::kIngestClient), 202)["queued"], 2);
  EXPECT_EQ(q->Depth()->jobs, 2u);
  // Re-sending a job already queued is harmless (de-duplicated by item id).
  EXPECT_EQ(Json(PostJson("/v1/jobs", Jobs({2}), Role::kIngestClient), 202)["queued"], 1);
  EXPECT_EQ(q->Depth()->jobs, 2u);

  // Two more do not fit in 3: refused whole, before any is queued.
  auto full = PostJson("/v1/jobs", Jobs({3, 4}), Role::kIngestClient);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 429) << full->body;
  EXPECT_EQ(full->get_header_value("Retry-After"), "1");
  auto body = nlohmann::json::parse(full->body);
  EXPECT_EQ(body["queued"], 0);
  EXPECT_NE(body["message"].get<std::string>().find("at most 3"), std::string::npos) << body;
  EXPECT_EQ(q->Depth()->jobs, 2u);
  EXPECT_EQ(Json(PostJson("/v1/jobs", Jobs({3}), Role::kIngestClient), 202)["queued"], 1);
  auto again = PostJson("/v1/jobs", Jobs({5}), Role::kIngestClient);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 429);
  EXPECT_EQ(q->Depth()->jobs, 3u);

  // What was queued is what a worker receives.
  auto source = q->OpenJobSource();
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto got = (*source)->Fetch(1, 2000ms);
  ASSERT_TRUE(got.ok() && got->size() == 1u);
  auto job = queue::DecodeJob((*got)[0]->data(), "job");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->item_id, "item-1");
  EXPECT_EQ(job->md5, fmt::format("{:032x}", 1));
}

TEST_F(ServerScaleoutTest, AnUnreachableQueueIs503WithRetryAfter) {
  nats_->Stop(/*kill=*/true);
  auto r = PostJson("/v1/jobs", Jobs({1}), Role::kIngestClient);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(r->get_header_value("Retry-After"), "5");
  EXPECT_EQ(nlohmann::json::parse(r->body)["queued"], 0);
  // Back once the server is: the connection returns on its own.
  ASSERT_TRUE(nats_->Launch());
  int status = 0;
  for (const auto deadline = SteadyClock::now() + 20s; SteadyClock::now() < deadline;) {
    auto ok = PostJson("/v1/jobs", Jobs({1}), Role::kIngestClient);
    status = ok ? ok->status : 0;
    if (status == 202) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, 202);
}

TEST_F(ServerScaleoutTest, BadJobsAreRefusedNamingTheJobAndNoneIsQueued) {
  auto q = Client();
  ASSERT_NE(q, nullptr);
  struct Case {
    std::string body, field;
  };
  const std::string no_md5 = R"({"item_id":"x","sha256":")" + std::string(64, 'a') + R"("})";
  for (const Case& c : std::vector<Case>{
           {R"({"jobs":[]})", "jobs"},
           {R"({"jobs":{}})", "jobs"},
           {R"({"jobs":[1]})", "jobs[0]"},
           {R"({"jobs":[)" + JobJson(1) + "," + no_md5 + "]}", "jobs[1]"},
           {R"({"jobs":[)" + JobJson(1) + R"(],"extra":1})", "extra"},
           {"[1,2]", "body"},
       }) {
    auto r = PostJson("/v1/jobs", c.body, Role::kIngestClient);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.body << " -> " << r->body;
    auto body = nlohmann::json::parse(r->body, nullptr, false);
    EXPECT_EQ(body.value("field", ""), c.field) << r->body;
  }
  std::string many;
  for (int i = 0; i < 1001; ++i) many += (many.empty() ? "" : ",") + JobJson(i);
  auto r = PostJson("/v1/jobs", R"({"jobs":[)" + many + "]}", Role::kIngestClient);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(q->Depth()->jobs, 0u);
  // Only ingest clients (and admins) may queue.
  auto denied = PostJson("/v1/jobs", Jobs({1}), Role::kReviewer);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
}

TEST_F(ServerScaleoutTest, DeadLettersAreListedRequeuedAndDiscardedWithAuditRecords) {
  auto q = Client();
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Publish("p", "{poison").ok());
  ASSERT_TRUE(q->Publish("item-7", JobJson(7)).ok());
  auto source = q->OpenJobSource();
  ASSERT_TRUE(source.ok());
  std::vector<std::unique_ptr<queue::Delivery>> got;
  for (int i = 0; i < 20 && got.size() < 2; ++i) {
    auto batch = (*source)->Fetch(2, 500ms);
    ASSERT_TRUE(batch.ok());
    for (auto& d : *batch) got.push_back(std::move(d));
  }
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(got[0]->DeadLetter("not valid JSON").ok());
  ASSERT_TRUE(got[1]->DeadLetter("database down").ok());

  auto before = Get("/metrics", Role::kAdmin);
  ASSERT_TRUE(before);
  EXPECT_NE(before->body.find("\nvigil_queue_dead_letters 2\n"), std::string::npos) << before->body;
  auto list = Json(Get("/v1/dead-letters", Role::kAuditor), 200);
  EXPECT_EQ(list["total"], 2);
  ASSERT_EQ(list["dead_letters"].size(), 2u);
  const auto& poison = list["dead_letters"][0];
  EXPECT_EQ(poison["sequence"], 1);
  EXPECT_EQ(poison["reason"], "not valid JSON");
  EXPECT_EQ(poison["deliveries"], 1);
  EXPECT_TRUE(poison["job"].is_null());
  EXPECT_EQ(poison["data"], "{poison");
  EXPECT_EQ(list["dead_letters"][1]["job"]["item_id"], "item-7");
  auto page = Json(Get("/v1/dead-letters?limit=1", Role::kIngestClient), 200);
  EXPECT_EQ(page["dead_letters"].size(), 1u);
  EXPECT_EQ(page["next_after"], 1);
  EXPECT_EQ(Json(Get("/v1/dead-letters?after=1", Role::kAuditor), 200)["dead_letters"].size(), 1u);
  auto bad = Get("/v1/dead-letters?limit=0", Role::kAuditor);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto denied = Get("/v1/dead-letters", Role::kReviewer);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  auto auditor_cannot = PostJson("/v1/dead-letters/2/requeue", "{}", Role::kAuditor);
  ASSERT_TRUE(auditor_cannot);
  EXPECT_EQ(auditor_cannot->status, 403);

  EXPECT_EQ(Json(PostJson("/v1/dead-letters/2/requeue", "{}", Role::kIngestClient), 200)["job_id"],
            "VIGIL_JOBS:2");
  EXPECT_EQ(q->Depth()->jobs, 1u);
  EXPECT_EQ(
      Json(PostJson("/v1/dead-letters/1/discard", "{}", Role::kIngestClient), 200)["discarded"],
      true);
  EXPECT_EQ(Json(Get("/v1/dead-letters", Role::kAuditor), 200)["total"], 0);
  // Settled once: again is 404, and nothing more is queued.
  for (const char* path : {"/v1/dead-letters/2/requeue", "/v1/dead-letters/1/discard",
                           "/v1/dead-letters/99/discard"}) {
    auto r = PostJson(path, "{}", Role::kIngestClient);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path << " " << r->body;
  }
  EXPECT_EQ(q->Depth()->jobs, 1u);
  auto zero = PostJson("/v1/dead-letters/0/requeue", "{}", Role::kIngestClient);
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->status, 400);

  // The server's metrics show what is left: one job queued again, no dead letter.
  auto metrics = Get("/metrics", Role::kAdmin);
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("\nvigil_queue_dead_letters 0\n"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("\nvigil_queue_jobs 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("\nvigil_queue_max_jobs 3\n"), std::string::npos);

  std::vector<std::string> actions;
  for (const auto& r : AuditLog()) actions.push_back(r.event.action);
  for (const char* want : {"GET /v1/dead-letters", "POST /v1/dead-letters/{seq}/requeue",
                           "POST /v1/dead-letters/{seq}/discard"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), want), actions.end()) << want;
  }
}

TEST_F(ServerTest, WithoutNatsTheQueueRoutesAre503) {
  for (const char* path :
       {"/v1/jobs", "/v1/dead-letters/1/requeue", "/v1/dead-letters/1/discard"}) {
    auto r =
        PostJson(path, path == std::string("/v1/jobs") ? R"({"jobs":[]})" : "{}", Role::kAdmin);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << path;
    auto body = nlohmann::json::parse(r->body, nullptr, false);
    EXPECT_NE(body.value("message", "").find("\"nats\""), std::string::npos) << r->body;
    EXPECT_FALSE(r->has_header("Retry-After")) << "a missing setting does not pass with time";
  }
  auto list = Get("/v1/dead-letters", Role::kAdmin);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 503);
}

TEST_F(ServerTest, OpenApiDocumentsTheQueueRoutesBackPressure) {
  auto doc = Json(Get("/openapi.json", Role::kAdmin), 200);
  const auto& jobs = doc["paths"]["/v1/jobs"]["post"];
  ASSERT_TRUE(jobs.is_object()) << "POST /v1/jobs is not in the OpenAPI document";
  EXPECT_EQ(jobs["responses"]["429"]["headers"]["Retry-After"]["schema"]["type"], "integer");
  EXPECT_TRUE(jobs["responses"]["503"]["headers"].contains("Retry-After"));
  EXPECT_TRUE(doc["paths"]["/v1/dead-letters/{seq}/requeue"]["post"]["responses"].contains("429"));
  EXPECT_EQ(doc["paths"]["/v1/dead-letters"]["get"]["x-vigil-audit"], "view");
  EXPECT_EQ(doc["paths"]["/v1/dead-letters/{seq}/discard"]["post"]["x-vigil-audit"], "change");
  // Routes that do not queue say nothing about back-pressure.
  EXPECT_FALSE(doc["paths"]["/v1/match"]["post"]["responses"].contains("429"));
}

TEST(ServerScaleoutConfigTest, NatsSectionIsParsedAndChecked) {
  auto c = ParseServerConfig(R"({"nats":{"url":"nats://10.0.0.5:4222","max_jobs":500}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nats.url, "nats://10.0.0.5:4222");
  EXPECT_EQ(c->nats.max_jobs, 500);
  EXPECT_TRUE(ParseServerConfig("{}")->nats.url.empty());
  for (const char* bad : {R"({"nats":"nats://x"})", R"({"nats":{}})", R"({"nats":{"url":""}})",
                          R"({"nats":{"url":"nats://x","max_jobs":0}})",
                          R"({"nats":{"url":"nats://x","colour":1}})"}) {
    auto r = ParseServerConfig(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("nats"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace vigil::server::testing
