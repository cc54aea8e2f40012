// NatsQueue against a real nats-server with JetStream (started per test, on loopback).
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "queue/nats.h"
#include "queue/nats_server.h"

namespace vigil::queue {
namespace {

using namespace std::chrono_literals;

class NatsQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::NatsServer::Start(&error);
    if (server_ == nullptr) GTEST_SKIP() << error;
    options_.url = server_->url();
    options_.ack_wait = 1000ms;
  }

  std::unique_ptr<NatsQueue> Connect() {
    auto q = NatsQueue::Connect(options_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(*q) : nullptr;
  }

  std::vector<std::unique_ptr<Delivery>> FetchAll(JobSource& source, size_t want) {
    std::vector<std::unique_ptr<Delivery>> out;
    for (int i = 0; i < 20 && out.size() < want; ++i) {
      auto batch = source.Fetch(static_cast<int>(want - out.size()), 500ms);
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok()) break;
      for (auto& d : *batch) out.push_back(std::move(d));
    }
    return out;
  }

  std::unique_ptr<testing::NatsServer> server_;
  NatsOptions options_;
};

TEST_F(NatsQueueTest, PublishedJobsAreDeliveredOnceAndLeaveTheQueueWhenAcked) {
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(q->Publish(id, std::string("job-") + id).ok());
  // The same item id again within the window is dropped (publisher retries are harmless).
  ASSERT_TRUE(q->Publish("a", "job-a").ok());
  EXPECT_EQ(q->Depth()->jobs, 3u);
  auto source = q->OpenJobSource();
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto got = FetchAll(**source, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]->data(), "job-a");
  EXPECT_EQ(got[2]->data(), "job-c");
  EXPECT_EQ(got[0]->id(), options_.jobs_stream + ":1");
  EXPECT_EQ(got[0]->attempt(), 1u);
  EXPECT_EQ(got[0]->pending(), 2u);
  EXPECT_GT(got[0]->enqueued_ns(), 0);
  for (auto& d : got) ASSERT_TRUE(d->Ack().ok());
  for (int i = 0; i < 50 && q->Depth()->jobs != 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(q->Depth()->jobs, 0u);
  auto none = (*source)->Fetch(1, 200ms);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(NatsQueueTest, RetriedAndUnsettledJobsComeBackWithTheirAttempt) {
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Publish("r", "retry-me").ok());
  ASSERT_TRUE(q->Publish("u", "lose-me").ok());
  auto source = q->OpenJobSource();
  ASSERT_TRUE(source.ok());
  auto first = FetchAll(**source, 2);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_TRUE(first[0]->Retry(0ms).ok());
  first.clear();  // the second is dropped unsettled: back after ack_wait (1 s)
  std::map<std::string, uint64_t> attempts;  // acked at once, so none expires a second time
  for (int i = 0; i < 20 && attempts.size() < 2; ++i) {
    auto batch = (*source)->Fetch(2, 500ms);
    ASSERT_TRUE(batch.ok());
    for (auto& d : *batch) {
      attempts.emplace(std::string(d->data()), d->attempt());
      ASSERT_TRUE(d->Ack().ok());
    }
  }
  EXPECT_EQ(attempts, (std::map<std::string, uint64_t>{{"lose-me", 2}, {"retry-me", 2}}));
}

TEST_F(NatsQueueTest, DeadLettersAreListedWithReasonAndNotDeliveredAgain) {
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Publish("p", "{poison").ok());
  auto source = q->OpenJobSource();
  ASSERT_TRUE(source.ok());
  auto got = FetchAll(**source, 1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0]->DeadLetter("job VIGIL_JOBS:1: not valid JSON\nsecond line").ok());
  EXPECT_EQ(*q->Count(), 1u);
  auto list = q->List(0, 10);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].job_id, options_.jobs_stream + ":1");
  EXPECT_EQ((*list)[0].reason, "job VIGIL_JOBS:1: not valid JSON second line");
  EXPECT_EQ((*list)[0].deliveries, 1u);
  EXPECT_EQ((*list)[0].data, "{poison");
  EXPECT_TRUE(q->List(1, 10)->empty());
  std::this_thread::sleep_for(1200ms);  // past ack_wait: nothing comes back
  auto none = (*source)->Fetch(1, 300ms);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(NatsQueueTest, DeadLettersAreRequeuedOrDiscardedOnce) {
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  // The item ids' first publishes are still in the de-duplication window: a re-queue must not
  // be dropped as a duplicate of them.
  ASSERT_TRUE(q->Publish("item-1", "job-one").ok());
  ASSERT_TRUE(q->Publish("item-2", "job-two").ok());
  auto source = q->OpenJobSource();
  ASSERT_TRUE(source.ok());
  auto got = FetchAll(**source, 2);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(got[0]->DeadLetter("boom").ok());
  ASSERT_TRUE(got[1]->DeadLetter("bang").ok());
  ASSERT_EQ(*q->Count(), 2u);

  auto one = q->Get(1);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->data, "job-one");
  EXPECT_EQ(one->reason, "boom");
  EXPECT_EQ(q->Get(3).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(q->Requeue(1).ok());
  ASSERT_TRUE(q->Discard(2).ok());
  EXPECT_EQ(*q->Count(), 0u);
  EXPECT_TRUE(q->List(0, 10)->empty());
  // Each is settled once: again is kNotFound, and nothing is queued twice.
  EXPECT_EQ(q->Requeue(1).code(), StatusCode::kNotFound);
  EXPECT_EQ(q->Discard(2).code(), StatusCode::kNotFound);
  EXPECT_EQ(q->Discard(1).code(), StatusCode::kNotFound);
  EXPECT_EQ(q->Get(1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(q->Depth()->jobs, 1u);
  auto again = FetchAll(**source, 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]->data(), "job-one");
  EXPECT_EQ(again[0]->attempt(), 1u);  // a new job: its tries start again
  ASSERT_TRUE(again[0]->Ack().ok());
}

TEST_F(NatsQueueTest, PublishingWhileDisconnectedFailsAtOnce) {
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  server_->Stop(/*kill=*/true);
  for (int i = 0; i < 100 && q->Publish("x", "j").ok(); ++i) std::this_thread::sleep_for(20ms);
  // Refused without waiting for an acknowledgement that cannot come (and not buffered for later).
  const auto start = std::chrono::steady_clock::now();
  Status job = q->Publish("y", "j");
  Status event = q->Publish(BankEvent{BankEvent::Kind::kAdded, 1});
  EXPECT_EQ(job.code(), StatusCode::kUnavailable) << job.ToString();
  EXPECT_EQ(event.code(), StatusCode::kUnavailable) << event.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_EQ(q->Discard(1).code(), StatusCode::kUnavailable);
}

TEST_F(NatsQueueTest, AFullStreamRefusesJobsAsResourceExhausted) {
  options_.max_jobs = 3;
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q->Publish(std::to_string(i), "j").ok());
  Status full = q->Publish("3", "j");
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  EXPECT_EQ(q->Depth()->jobs, 3u);
  EXPECT_EQ(q->Depth()->max_jobs, 3u);
}

TEST_F(NatsQueueTest, BankEventsReplayFromASequenceThenFollow) {
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Publish(BankEvent{BankEvent::Kind::kAdded, 1}).ok());
  ASSERT_TRUE(q->Publish(BankEvent{BankEvent::Kind::kRetired, 1}).ok());
  EXPECT_EQ(*q->LastSequence(), 2u);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<uint64_t, BankEvent>> seen;
  auto sub = q->Subscribe(1, [&](uint64_t seq, const BankEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    seen.emplace_back(seq, e);
    cv.notify_all();
  });
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  ASSERT_TRUE(q->Publish(BankEvent{BankEvent::Kind::kAdded, 7}).ok());
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return seen.size() == 2; }));
  EXPECT_EQ(seen[0].first, 2u);
  EXPECT_EQ(seen[0].second, (BankEvent{BankEvent::Kind::kRetired, 1}));
  EXPECT_EQ(seen[1].first, 3u);
  EXPECT_EQ(seen[1].second, (BankEvent{BankEvent::Kind::kAdded, 7}));
}

TEST_F(NatsQueueTest, ReconnectsAfterTheServerRestarts) {
  auto q = Connect();
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Publish("before", "kept").ok());
  auto source = q->OpenJobSource();
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE(server_->Restart());
  // The job survived on disk, and the same connection and source carry on once reconnected.
  std::vector<std::unique_ptr<Delivery>> got;
  for (int i = 0; i < 40 && got.empty(); ++i) {
    auto batch = (*source)->Fetch(1, 250ms);
    if (batch.ok()) got = std::move(*batch);
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->data(), "kept");
  ASSERT_TRUE(got[0]->Ack().ok());
  Status published = q->Publish("after", "new");
  for (int i = 0; i < 20 && !published.ok(); ++i) {
    std::this_thread::sleep_for(100ms);
    published = q->Publish("after", "new");
  }
  EXPECT_TRUE(published.ok()) << published.ToString();
}

TEST(NatsQueueOptionsTest, BadOptionsAreRefusedBeforeConnecting) {
  NatsOptions o;
  o.max_deliver = 0;
  EXPECT_EQ(NatsQueue::Connect(o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.url = "";
  EXPECT_EQ(NatsQueue::Connect(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(NatsQueueOptionsTest, NoServerIsUnavailable) {
  NatsOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
  auto q = NatsQueue::Connect(o);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(q.status().message().find(o.url), std::string::npos) << q.status().message();
}

}  // namespace
}  // namespace vigil::queue
