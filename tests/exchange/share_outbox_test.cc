// The share outbox end to end: a reviewer confirms new material, the decision's share request
// brings the case's item hashes into the queue for each consenting exchange, and SendDue sends
// them to a fake ThreatExchange on loopback; failures back off and are retried, consent is
// checked at send time, and every accepted hash is counted for the Art 7 list once. A reversal
// that reinstates the content withdraws what was sent (the descriptors deleted, once) and
// cancels what was not.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "bank/bank.h"
#include "cases/cases.h"
#include "exchange/exchange.h"

namespace vigil::exchange {
namespace {

using std::chrono::seconds;

class NoSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// Takes descriptors and deletes them by id; answers 503 while `down` is set.
class FakeGraph {
 public:
  FakeGraph() {
    server_.Post(
        "/v21.0/threat_descriptors", [this](const httplib::Request& req, httplib::Response& res) {
          if (down) {
            res.status = 503;
            return;
          }
          httplib::Params form;
          httplib::detail::parse_query_text(req.body, form);
          std::lock_guard lock(mu);
          indicators.push_back(form.count("indicator") ? form.find("indicator")->second : "<none>");
          res.set_content(fmt::format(R"({{"id":"{}"}})", indicators.size()), "application/json");
          live.insert(std::to_string(indicators.size()));
        });
    server_.Delete(R"(/v21.0/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (down) {
        res.status = 503;
        return;
      }
      std::lock_guard lock(mu);
      delete_requests.push_back(req.target + " " + req.body);
      if (live.erase(req.matches[1].str()) == 0) {
        res.status = 404;
        res.set_content(R"({"error":{"message":"Object does not exist"}})", "application/json");
        return;
      }
      deleted.push_back(req.matches[1].str());
      res.set_content(R"({"success":true})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeGraph() {
    server_.stop();
    thread_.join();
  }
  std::string endpoint() const { return fmt::format("http://127.0.0.1:{}/v21.0", port_); }

  std::atomic<bool> down{false};
  std::mutex mu;
  std::vector<std::string> indicators;       // guarded by mu
  std::set<std::string> live;                // descriptor ids not deleted; guarded by mu
  std::vector<std::string> deleted;          // descriptor ids, in order; guarded by mu
  std::vector<std::string> delete_requests;  // "target body"; guarded by mu

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

const std::string kPdq(64, 'd');
const std::string kMd5(32, 'e');

class ShareOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(banks_.CreateBank({.name = "own"}).ok());
    for (auto [name, share] : {std::pair{"te", true}, {"quiet", false}}) {
      ASSERT_TRUE(exchanges_
                      .CreateExchange({.name = name,
                                       .type = ExchangeType::kThreatExchange,
                                       .bank = "own",
                                       .organisation = std::string("Org ") + name,
                                       .endpoint = graph_.endpoint(),
                                       .credentials_ref = "env:TOKEN",
                                       .options = R"({"privacy_group": "77"})",
                                       .share = share},
                                      clock_->Now())
                      .ok());
    }
    cases::ReviewConfig config;
    config.qa.fraction = 0;
    config.technology_alerts.reset();
    config.bank_entry_alerts.reset();
    auto service = cases::ReviewService::Create(cases_, sink_, clock_, config);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    review_ = *std::move(service);
  }

  // Opens a case whose item has `hashes`, claims it and decides it.
  void Confirm(const std::string& account, std::vector<cases::ItemHash> hashes,
               cases::Decision decision, cases::FlagCategory category = cases::FlagCategory::kNew) {
    cases::NewCase n{.account_id = account, .surface = "photos"};
    n.items.push_back(
        {.item_id = account + "-item",
         .content_type = "image/jpeg",
         .received_at = clock_->Now(),
         .hashes = std::move(hashes),
         .flags = {
             {.technology = "classifier@1 s>=0.9", .category = category, .raw_value = 0.97}}});
    auto opened = review_->OpenCase(n);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ASSERT_TRUE(review_->Claim(opened->opened.id, "alice").ok());
    auto d = review_->Decide(opened->opened.id,
                             {.reviewer = "alice", .decision = decision, .rationale = "seen"});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
  }
  OpenOptions Open() {
    return {.banks = &banks_,
            .clock = clock_,
            .getenv = [](const std::string&) -> std::optional<std::string> { return "1|t"; }};
  }
  uint64_t SharedWith(const std::string& organisation) {
    auto contacts =
        exchanges_.ListOrganisationContacts(TimePoint{}, clock_->Now() + std::chrono::hours(48));
    uint64_t n = 0;
    for (const auto& c : *contacts) {
      if (c.organisation == organisation && c.direction == Direction::kShared) n += c.hashes;
    }
    return n;
  }

  FakeGraph graph_;
  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'795'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  InMemoryExchangeStore exchanges_{banks_};
  InMemoryShareQueue queue_{exchanges_};
  cases::InMemoryCaseStore cases_;
  NoSink sink_;
  std::unique_ptr<cases::ReviewService> review_;
  ShareOutbox outbox_{cases_,
                      exchanges_,
                      queue_,
                      clock_,
                      {.batch = 2, .first_backoff = seconds(60), .max_backoff = seconds(600)}};
};

TEST_F(ShareOutboxTest, ConfirmedNewMaterialReachesOnlyTheConsentingPartner) {
  Confirm("acct-1", {{"pdq", kPdq}, {"md5", kMd5}, {"sha1", std::string(40, 'f')}},
          cases::Decision::kConfirmedNew, cases::FlagCategory::kNew);
  Confirm("acct-2", {{"md5", kMd5}}, cases::Decision::kConfirmedNew, cases::FlagCategory::kNew);
  Confirm("acct-3", {{"md5", std::string(32, '1')}}, cases::Decision::kNotCsam,
          cases::FlagCategory::kNew);
  auto run = outbox_.Run(Open());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->requests, 2u);  // the not-CSAM decision asked for nothing
  EXPECT_EQ(run->shared, 2u);    // the md5 confirmed twice goes once; sha1 is no partner's type
  EXPECT_TRUE(run->errors.empty());
  EXPECT_EQ(graph_.indicators, (std::vector<std::string>{kPdq, kMd5}));
  EXPECT_EQ(SharedWith("Org te"), 2u);
  EXPECT_EQ(SharedWith("Org quiet"), 0u);
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.shared = 2}));
  // Nothing new: a second run sends nothing and counts nothing again.
  auto again = outbox_.Run(Open());
  EXPECT_EQ(again->requests, 0u);
  EXPECT_EQ(again->shared, 0u);
  EXPECT_EQ(SharedWith("Org te"), 2u);
}

TEST_F(ShareOutboxTest, AFailingPartnerIsRetriedWithBackoffAndNothingIsLost) {
  Confirm("acct-1", {{"pdq", kPdq}, {"md5", kMd5}}, cases::Decision::kConfirmedNew,
          cases::FlagCategory::kNew);
  graph_.down = true;
  auto failed = outbox_.Run(Open());
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->failed, 1u);  // the first hash failed; the second waits untried
  ASSERT_EQ(failed->errors.size(), 1u);
  EXPECT_NE(failed->errors[0].find("exchange te"), std::string::npos) << failed->errors[0];
  auto counts = *queue_.Counts(1);
  EXPECT_EQ(counts.pending, 2u);
  EXPECT_NE(counts.last_error.find("HTTP 503"), std::string::npos) << counts.last_error;

  graph_.down = false;
  clock_->Advance(seconds(30));  // before the first retry is due: only the untried hash goes
  auto early = outbox_.Run(Open());
  EXPECT_EQ(early->shared, 1u);
  EXPECT_EQ(graph_.indicators, (std::vector<std::string>{kMd5}));
  clock_->Advance(seconds(30));
  auto retried = outbox_.Run(Open());
  EXPECT_EQ(retried->shared, 1u);
  EXPECT_EQ(graph_.indicators, (std::vector<std::string>{kMd5, kPdq}));
  EXPECT_EQ(SharedWith("Org te"), 2u);
  EXPECT_EQ(outbox_.Backoff(1), seconds(60));
  EXPECT_EQ(outbox_.Backoff(3), seconds(240));
  EXPECT_EQ(outbox_.Backoff(20), seconds(600));
}

TEST_F(ShareOutboxTest, WithdrawnConsentHoldsQueuedHashesBack) {
  Confirm("acct-1", {{"md5", kMd5}}, cases::Decision::kConfirmedNew, cases::FlagCategory::kNew);
  ASSERT_EQ(*outbox_.Collect(), 1u);
  ExchangeRecord te = *exchanges_.GetExchange("te");
  te.config.share = false;  // as if the organisation withdrew its consent since
  auto client = OpenExchange(te.config, Open());
  ASSERT_TRUE(client.ok());
  auto run = outbox_.SendDue(te, **client);
  EXPECT_EQ(run->shared, 0u);
  EXPECT_TRUE(graph_.indicators.empty());
  EXPECT_EQ(queue_.Counts(te.config.id)->pending, 1u);
}

// A queue that dies (as the process would) when settling a withdrawal the partner accepted,
// `crashes` times: the partner has it, the database does not know.
class CrashingQueue final : public ShareQueue {
 public:
  explicit CrashingQueue(ShareQueue& q) : q_(q) {}
  Result<int64_t> LastRequest() override { return q_.LastRequest(); }
  Result<bool> Enqueue(int64_t e, int64_t r, std::span<const SharedHash> h, TimePoint t) override {
    return q_.Enqueue(e, r, h, t);
  }
  Result<std::vector<QueuedShare>> Due(ExchangeId id, TimePoint t, size_t n) override {
    return q_.Due(id, t, n);
  }
  Result<bool> Settle(const QueuedShare& s, TimePoint t) override {
    if (s.state == ShareState::kWithdrawn && crashes > 0) {
      --crashes;
      return UnavailableError("killed before the commit");
    }
    return q_.Settle(s, t);
  }
  Result<int64_t> LastWithdrawal() override { return q_.LastWithdrawal(); }
  Result<bool> Withdraw(int64_t e, int64_t w, int64_t r, TimePoint t) override {
    return q_.Withdraw(e, w, r, t);
  }
  Result<std::vector<QueuedShare>> DueWithdrawals(ExchangeId id, TimePoint t, size_t n) override {
    return q_.DueWithdrawals(id, t, n);
  }
  Result<ShareCounts> Counts(ExchangeId id) override { return q_.Counts(id); }
  int crashes = 0;

 private:
  ShareQueue& q_;
};

class ShareWithdrawalTest : public ShareOutboxTest {
 protected:
  // A complaint against the removal is upheld with the content reinstated (or only the
  // account): redress's path through the case lifecycle.
  void Reinstate(cases::CaseId id, bool content = true) {
    ASSERT_TRUE(review_->MarkActioned(id, "ops", "removed").ok());
    ASSERT_TRUE(review_->MarkAppealed(id, "user-desk", "complaint 1").ok());
    auto r = review_->MarkReinstated(id, "bob", "complaint 1 upheld", content);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::vector<std::string> Deleted() {
    std::lock_guard lock(graph_.mu);
    return graph_.deleted;
  }
};

TEST_F(ShareWithdrawalTest, SharedThenReversedHashesAreWithdrawnOnceAtThePartner) {
  Confirm("acct-1", {{"pdq", kPdq}, {"md5", kMd5}}, cases::Decision::kConfirmedNew);
  auto shared = outbox_.Run(Open());
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  ASSERT_EQ(shared->shared, 2u);  // descriptors 1 and 2
  clock_->Advance(seconds(10));
  Reinstate(1);
  auto run = outbox_.Run(Open());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->errors.empty()) << run->errors[0];
  EXPECT_EQ(run->requests, 0u);
  EXPECT_EQ(run->withdrawals, 1u);
  EXPECT_EQ(run->withdrawn, 2u);
  EXPECT_EQ(Deleted(), (std::vector<std::string>{"1", "2"}));
  {
    std::lock_guard lock(graph_.mu);
    ASSERT_EQ(graph_.delete_requests.size(), 2u);
    // The token travels in the body, never in the URL.
    EXPECT_EQ(graph_.delete_requests[0], "/v21.0/1 access_token=1%7Ct");
  }
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.withdrawn = 2}));
  EXPECT_EQ(SharedWith("Org te"), 2u);  // they were shared; the Art 7 list keeps that
  // Nothing is withdrawn twice.
  clock_->Advance(std::chrono::hours(7));
  auto again = outbox_.Run(Open());
  EXPECT_EQ(again->withdrawals, 0u);
  EXPECT_EQ(again->withdrawn, 0u);
  EXPECT_EQ(Deleted().size(), 2u);
}

TEST_F(ShareWithdrawalTest, AReversalBeforeTheSendCancelsAndNothingIsSent) {
  Confirm("acct-1", {{"pdq", kPdq}, {"md5", kMd5}}, cases::Decision::kConfirmedNew);
  ASSERT_EQ(*outbox_.Collect(), 1u);  // queued, not sent
  Confirm("acct-2", {{"md5", std::string(32, '7')}}, cases::Decision::kConfirmedNew);
  Reinstate(1);
  Reinstate(2);  // reversed before the outbox even saw its decision
  auto run = outbox_.Run(Open());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->requests, 1u);
  EXPECT_EQ(run->withdrawals, 2u);
  EXPECT_EQ(run->shared, 0u);
  EXPECT_EQ(run->withdrawn, 0u);
  EXPECT_TRUE(graph_.indicators.empty());
  EXPECT_TRUE(Deleted().empty());
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.cancelled = 3}));
  EXPECT_EQ(SharedWith("Org te"), 0u);
}

TEST_F(ShareWithdrawalTest, AHashAnotherConfirmedCaseStillCarriesStaysShared) {
  Confirm("acct-1", {{"pdq", kPdq}, {"md5", kMd5}}, cases::Decision::kConfirmedNew);
  Confirm("acct-2", {{"md5", kMd5}}, cases::Decision::kConfirmedNew);  // the same md5
  auto shared = outbox_.Run(Open());
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  ASSERT_EQ(shared->shared, 2u);  // each hash once
  Reinstate(1);
  auto run = outbox_.Run(Open());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->withdrawals, 1u);
  EXPECT_EQ(run->withdrawn, 1u);  // only the pdq hash: case 2 still confirms the md5
  EXPECT_EQ(Deleted().size(), 1u);
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.shared = 1, .withdrawn = 1}));
  // Once case 2 is reversed too, the md5 hash is withdrawn.
  Reinstate(2);
  auto last = outbox_.Run(Open());
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->withdrawn, 1u);
  EXPECT_EQ(Deleted().size(), 2u);
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.withdrawn = 2}));
}

TEST_F(ShareWithdrawalTest, OnlyTheAccountReinstatedWithdrawsNothing) {
  Confirm("acct-1", {{"md5", kMd5}}, cases::Decision::kConfirmedNew);
  ASSERT_EQ(outbox_.Run(Open())->shared, 1u);
  Reinstate(1, /*content=*/false);
  auto run = outbox_.Run(Open());
  EXPECT_EQ(run->withdrawals, 0u);
  EXPECT_TRUE(Deleted().empty());
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.shared = 1}));
}

TEST_F(ShareWithdrawalTest, AFailingPartnerGetsTheWithdrawalLaterWithBackoff) {
  Confirm("acct-1", {{"md5", kMd5}}, cases::Decision::kConfirmedNew);
  ASSERT_EQ(outbox_.Run(Open())->shared, 1u);
  Reinstate(1);
  graph_.down = true;
  auto failed = outbox_.Run(Open());
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->failed, 1u);
  ASSERT_EQ(failed->errors.size(), 1u);
  EXPECT_NE(failed->errors[0].find("exchange te: withdrawing: "), std::string::npos)
      << failed->errors[0];
  auto counts = *queue_.Counts(1);
  EXPECT_EQ(counts.withdrawing, 1u);
  EXPECT_NE(counts.last_error.find("HTTP 503"), std::string::npos) << counts.last_error;
  graph_.down = false;
  clock_->Advance(seconds(59));  // not due yet
  EXPECT_EQ(outbox_.Run(Open())->withdrawn, 0u);
  clock_->Advance(seconds(1));
  EXPECT_EQ(outbox_.Run(Open())->withdrawn, 1u);
  EXPECT_EQ(Deleted(), (std::vector<std::string>{"1"}));
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.withdrawn = 1}));
}

TEST_F(ShareWithdrawalTest, ACrashAfterThePartnerAcceptedDeletesNothingTwiceAndCountsOnce) {
  Confirm("acct-1", {{"pdq", kPdq}, {"md5", kMd5}}, cases::Decision::kConfirmedNew);
  ASSERT_EQ(outbox_.Run(Open())->shared, 2u);
  Reinstate(1);
  CrashingQueue crashing(queue_);
  crashing.crashes = 1;
  ShareOutbox dying(cases_, exchanges_, crashing, clock_, {.batch = 2});
  auto first = dying.Run(Open());
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->errors.size(), 1u);  // descriptor 1 deleted, the settle never committed
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.withdrawing = 2}));
  // A collect after the crash does not apply the withdrawal again (its mark moved with it).
  EXPECT_EQ(*outbox_.CollectWithdrawals(), 0u);
  auto second = outbox_.Run(Open());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->errors.empty()) << second->errors[0];
  EXPECT_EQ(second->withdrawn, 2u);
  // The partner deleted each descriptor once: the repeated request found it gone (404).
  EXPECT_EQ(Deleted(), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(*queue_.Counts(1), (ShareCounts{.withdrawn = 2}));
}

TEST_F(ShareWithdrawalTest, AHashWithoutADescriptorIdIsRefusedNamingIt) {
  Confirm("acct-1", {{"md5", kMd5}}, cases::Decision::kConfirmedNew);
  ASSERT_EQ(*outbox_.Collect(), 1u);
  // Shared by an older version that kept no descriptor id.
  QueuedShare old = *queue_.Due(1, clock_->Now(), 10)->begin();
  old.state = ShareState::kShared;
  old.attempts = 1;
  old.shared_at = clock_->Now();
  ASSERT_TRUE(*queue_.Settle(old, clock_->Now()));
  Reinstate(1);
  auto run = outbox_.Run(Open());
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->withdraw_refused, 1u);
  EXPECT_TRUE(Deleted().empty());
  auto counts = *queue_.Counts(1);
  EXPECT_EQ(counts.withdraw_refused, 1u);
}

}  // namespace
}  // namespace vigil::exchange
