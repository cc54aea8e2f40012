// SyncExchange over a scripted source: pages are applied in order with their cursors, failed
// fetches are retried with exponential backoff that honours Retry-After, errors that retrying
// cannot fix stop at once, a failed sync keeps the last committed cursor and records its error,
// and the next sync resumes there. ShareConfirmed honours the organisation's consent.
#include <gtest/gtest.h>

#include <deque>

#include "bank/bank.h"
#include "exchange/exchange.h"

namespace vigil::exchange {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0{std::chrono::seconds(1'800'000'000)};

HashUpdate Md5(int n, Opinion opinion = Opinion::kPositive) {
  return {.type = bank::SignalType::kMd5, .value = fmt::format("{:032x}", n), .opinion = opinion};
}

// Serves scripted answers; records the cursors it was asked for.
class ScriptedExchange final : public Exchange {
 public:
  struct Answer {
    Result<FetchedPage> page = FetchedPage{};
    std::optional<seconds> retry_after{};
  };
  Result<FetchedPage> Fetch(std::string_view cursor) override {
    asked.emplace_back(cursor);
    if (answers.empty()) return InternalError("script exhausted");
    Answer a = std::move(answers.front());
    answers.pop_front();
    retry_after_ = a.retry_after;
    return std::move(a.page);
  }
  std::optional<seconds> retry_after() const override { return retry_after_; }
  bool CanShare() const override { return can_share; }
  Result<uint64_t> Share(std::span<const SharedHash> hashes) override {
    shared += hashes.size();
    return hashes.size();
  }

  std::deque<Answer> answers;
  std::vector<std::string> asked;
  std::optional<seconds> retry_after_;
  bool can_share = true;
  uint64_t shared = 0;
};

class SyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(banks_.CreateBank({.name = "list"}).ok());
    ASSERT_TRUE(store_
                    .CreateExchange({.name = "src",
                                     .bank = "list",
                                     .organisation = "Org",
                                     .endpoint = "https://example.invalid/list"},
                                    kT0)
                    .ok());
    options_.sleep = [this](milliseconds d) { sleeps_.push_back(d); };
    options_.initial_backoff = milliseconds(100);
    options_.max_backoff = milliseconds(1000);
  }
  ExchangeState State() { return store_.GetExchange("src")->state; }
  static ScriptedExchange::Answer Page(std::vector<HashUpdate> u, std::string next, bool done) {
    return {FetchedPage{.updates = std::move(u), .next_cursor = std::move(next), .done = done}};
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kT0);
  bank::InMemoryBankStore banks_{clock_};
  InMemoryExchangeStore store_{banks_};
  ScriptedExchange source_;
  SyncOptions options_;
  std::vector<milliseconds> sleeps_;
};

TEST_F(SyncTest, AppliesPagesInOrderUntilTheSourceIsDone) {
  source_.answers = {Page({Md5(1), Md5(2)}, "p1", false),
                     Page({Md5(1, Opinion::kWithdrawn)}, "p2", false), Page({Md5(3)}, "end", true)};
  std::vector<uint64_t> seen;
  options_.on_page = [&](const SyncProgress& p) {
    seen.push_back(p.pages);
    return Status::Ok();
  };
  auto report = SyncExchange(store_, source_, "src", *clock_, options_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(source_.asked, (std::vector<std::string>{"", "p1", "p2"}));
  EXPECT_EQ(report->pages, 3u);
  EXPECT_EQ(report->added, 3u);
  EXPECT_EQ(report->removed, 1u);
  EXPECT_TRUE(report->complete);
  EXPECT_EQ(report->cursor, "end");
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(State().cursor, "end");
  EXPECT_EQ(State().last_sync_at, kT0);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(SyncTest, RetriesWithExponentialBackoffAndHonoursRetryAfter) {
  source_.answers = {{UnavailableError("HTTP 502")},
                     {ResourceExhaustedError("HTTP 429"), seconds(3)},
                     {InvalidArgumentError("truncated XML")},
                     Page({Md5(1)}, "end", true)};
  auto report = SyncExchange(store_, source_, "src", *clock_, options_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->retries, 3u);
  // 100 ms, then Retry-After's 3 s over the 200 ms backoff, then 400 ms.
  EXPECT_EQ(sleeps_,
            (std::vector<milliseconds>{milliseconds(100), milliseconds(3000), milliseconds(400)}));
  EXPECT_EQ(source_.asked, (std::vector<std::string>{"", "", "", ""}));
  EXPECT_EQ(State().added, 1u);
}

TEST_F(SyncTest, BackoffIsCapped) {
  EXPECT_EQ(BackoffDelay(options_, 1, std::nullopt), milliseconds(100));
  EXPECT_EQ(BackoffDelay(options_, 4, std::nullopt), milliseconds(800));
  EXPECT_EQ(BackoffDelay(options_, 30, std::nullopt), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(options_, 1, seconds(7)), milliseconds(7000));
}

TEST_F(SyncTest, FailureKeepsTheCommittedCursorAndTheNextSyncResumesThere) {
  options_.max_attempts = 2;
  source_.answers = {Page({Md5(1)}, "p1", false),
                     {UnavailableError("connection refused")},
                     {UnavailableError("connection refused")}};
  auto failed = SyncExchange(store_, source_, "src", *clock_, options_);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("exchange src"), std::string::npos);
  auto s = State();
  EXPECT_EQ(s.cursor, "p1");
  EXPECT_EQ(s.added, 1u);
  EXPECT_NE(s.last_error.find("connection refused"), std::string::npos);
  EXPECT_EQ(s.last_error_at, kT0);
  EXPECT_FALSE(s.last_sync_at);

  clock_->Advance(seconds(60));
  source_.asked.clear();
  source_.answers = {Page({Md5(2)}, "end", true)};
  auto resumed = SyncExchange(store_, source_, "src", *clock_, options_);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(source_.asked, (std::vector<std::string>{"p1"}));
  s = State();
  EXPECT_EQ(s.added, 2u);
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(s.last_sync_at, kT0 + seconds(60));
}

TEST_F(SyncTest, RefusedCredentialsAreNotRetried) {
  source_.answers = {{PermissionDeniedError("HTTP 401: the credentials were refused")}};
  auto failed = SyncExchange(store_, source_, "src", *clock_, options_);
  EXPECT_EQ(failed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(source_.asked.size(), 1u);
}

TEST_F(SyncTest, AnOverlongRetryAfterEndsTheSyncForNow) {
  source_.answers = {{ResourceExhaustedError("HTTP 429"), seconds(3600)}};
  auto failed = SyncExchange(store_, source_, "src", *clock_, options_);
  EXPECT_EQ(failed.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(failed.status().message().find("3600 s"), std::string::npos);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(SyncTest, MalformedPagesAreRetriedThenReportedWithNothingApplied) {
  options_.max_attempts = 3;
  for (int i = 0; i < 3; ++i)
    source_.answers.push_back(Page({Md5(1), {.value = "zz"}}, "p1", true));
  auto failed = SyncExchange(store_, source_, "src", *clock_, options_);
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failed.status().message().find("update 1"), std::string::npos);
  EXPECT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(banks_.GetStats(1)->total, 0u);
  EXPECT_EQ(State().cursor, "");
}

TEST_F(SyncTest, ASourceThatDoesNotAdvanceIsStopped) {
  source_.answers = {Page({Md5(1)}, "p1", false), Page({}, "p1", false)};
  auto failed = SyncExchange(store_, source_, "src", *clock_, options_);
  EXPECT_EQ(failed.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(State().cursor, "p1");
}

TEST_F(SyncTest, MaxPagesStopsEarlyWithoutAnError) {
  options_.max_pages = 1;
  source_.answers = {Page({Md5(1)}, "p1", false)};
  auto report = SyncExchange(store_, source_, "src", *clock_, options_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->complete);
  EXPECT_FALSE(State().last_sync_at);
}

TEST_F(SyncTest, SharingNeedsTheOrganisationsConsent) {
  const SharedHash h{.type = bank::SignalType::kMd5, .value = std::string(32, 'a')};
  auto refused = ShareConfirmed(store_, source_, "src", {&h, 1}, *clock_);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(source_.shared, 0u);

  ASSERT_TRUE(store_
                  .CreateExchange({.name = "consents",
                                   .bank = "list",
                                   .organisation = "Org",
                                   .endpoint = "https://example.invalid/x",
                                   .share = true},
                                  kT0)
                  .ok());
  auto shared = ShareConfirmed(store_, source_, "consents", {&h, 1}, *clock_);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(*shared, 1u);
  auto contacts = store_.ListOrganisationContacts(kT0 - seconds(86400), kT0 + seconds(86400));
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].direction, Direction::kShared);
  EXPECT_EQ((*contacts)[0].hashes, 1u);

  source_.can_share = false;
  EXPECT_EQ(ShareConfirmed(store_, source_, "consents", {&h, 1}, *clock_).status().code(),
            StatusCode::kFailedPrecondition);
  const SharedHash bad{.type = bank::SignalType::kMd5, .value = "xyz"};
  source_.can_share = true;
  EXPECT_EQ(ShareConfirmed(store_, source_, "consents", {&bad, 1}, *clock_).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::exchange
