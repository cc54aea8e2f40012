// NCMEC hash sharing: the /v2/entries parser on hand-written answers in the API's shape and on
// hostile XML, and the client against a fake NCMEC server on loopback that checks Basic
// credentials, pages with <next>, changes its list between syncs (tombstones, negative
// feedback) and fails on demand.
#include "exchange/ncmec.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "bank/bank.h"
#include "exchange/exchange.h"

namespace vigil::exchange {
namespace {

using std::chrono::seconds;

const std::string kMd5A(32, 'a');
const std::string kMd5B(32, 'b');
const std::string kPdqC(64, 'c');
const std::string kBasicEspPw = "Basic ZXNwOnB3";  // esp:pw in base64

std::string Entries(const std::string& images, const std::string& next = "") {
  std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
  <images count="3" maxTimestamp="2026-11-01T10:00:00Z">)" +
                    images + "</images>";
  if (!next.empty()) xml += "<paging><next>" + next + "</next></paging>";
  return xml + "</queryResult>";
}

std::string Image(const std::string& id, const std::string& fingerprints,
                  const std::string& feedback = "") {
  return R"(<image><member id="7">Provider Seven</member><timestamp>2026-11-01T09:00:00Z</timestamp><id>)" +
         id + "</id><classification>A1</classification><fingerprints>" + fingerprints +
         "</fingerprints>" + feedback + "</image>";
}

TEST(NcmecParseTest, RecordsBecomeUpdatesPerFingerprint) {
  const std::string xml = Entries(
      Image("img1", "<md5>" + std::string(32, 'A') + "</md5><sha1>" + std::string(40, 'f') +
                        "</sha1><pdq>" + kPdqC + "</pdq>") +
          Image(
              "img2", "<md5>" + kMd5B + "</md5>",
              R"(<feedback><negativeFeedback type="Md5"><reasons><reason guid="g" name="Not CSAM" type="Md5"/><members><member id="9">Other</member></members></reasons></negativeFeedback></feedback>)") +
          R"(<deletedImage><member id="7">Provider Seven</member><id>img0</id></deletedImage>)",
      "/v2/"
      "entries?from=2026-11-01T00%3A00%3A00Z&amp;to=2026-11-02T00%3A00%3A00Z&amp;start=4&amp;size="
      "3&amp;max=6");
  auto page = ParseNcmecEntries(xml, "test");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->records, 3u);
  EXPECT_EQ(page->skipped, 1u);  // sha1
  ASSERT_EQ(page->updates.size(), 4u);
  EXPECT_EQ(page->updates[0],
            (HashUpdate{.type = bank::SignalType::kMd5, .value = kMd5A, .source_ref = "7:img1"}));
  EXPECT_EQ(page->updates[1].type, bank::SignalType::kPdq);
  EXPECT_EQ(page->updates[1].value, kPdqC);
  EXPECT_EQ(page->updates[2].opinion, Opinion::kDisputed);
  EXPECT_EQ(page->updates[2].source_ref, "7:img2");
  EXPECT_EQ(page->updates[3], (HashUpdate{.opinion = Opinion::kWithdrawn,
                                          .source_ref = "7:img0",
                                          .reason = "deleted at NCMEC",
                                          .by_source_ref = true}));
  EXPECT_EQ(
      page->next,
      "/v2/entries?from=2026-11-01T00%3A00%3A00Z&to=2026-11-02T00%3A00%3A00Z&start=4&size=3&max=6");
}

TEST(NcmecParseTest, EmptyAnswerHasNoUpdatesAndNoNext) {
  auto page = ParseNcmecEntries(
      R"(<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2"><images count="0"/><videos count="0"/></queryResult>)",
      "t");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->updates.empty());
  EXPECT_EQ(page->next, "");
}

TEST(NcmecParseTest, HostileOrMalformedAnswersAreRefusedByName) {
  struct Case {
    std::string xml, needle;
  } cases[] = {
      {R"(<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><queryResult>&x;</queryResult>)",
       "DOCTYPE"},
      {"<queryResult><images>", "not well-formed"},
      {"<status/>", "expected <queryResult>"},
      {"", "not well-formed"},
      {Entries("<image><member id=\"7\"/><fingerprints/></image>"), "no <id>"},
      {Entries(Image("i", "<md5>xyz</md5>")), "record 7:i <md5>"},
      {Entries("", "https://evil.example/steal"), "not a /v2/entries path"},
  };
  for (const Case& c : cases) {
    auto page = ParseNcmecEntries(c.xml, "answer from fake");
    ASSERT_FALSE(page.ok()) << c.xml;
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << c.xml;
    EXPECT_NE(page.status().message().find(c.needle), std::string::npos) << page.status().message();
    EXPECT_NE(page.status().message().find("answer from fake"), std::string::npos);
  }
  EXPECT_EQ(ParseNcmecEntries(std::string(kMaxNcmecPageBytes + 1, ' '), "big").status().code(),
            StatusCode::kFailedPrecondition);
}

// A fake NCMEC hash sharing service: two pages for the first range, then a changed list.
class FakeNcmec {
 public:
  FakeNcmec() {
    server_.Get("/hashsharing/v2/entries",
                [this](const httplib::Request& req, httplib::Response& res) {
                  ++requests;
                  if (!req.has_header("Authorization") ||
                      req.get_header_value("Authorization") != kBasicEspPw) {
                    res.status = 401;
                    return;
                  }
                  if (fail_next > 0) {
                    --fail_next;
                    res.status = 429;
                    res.set_header("Retry-After", "1");
                    return;
                  }
                  if (truncate_next > 0) {
                    --truncate_next;
                    res.set_content("<queryResult><images><image>", "application/xml");
                    return;
                  }
                  const bool second_page = req.get_param_value("start") == "2";
                  if (second_page && expire_next > 0) {
                    --expire_next;
                    ++expired_answers;
                    res.status = expire_status;
                    res.set_content(expire_body, "application/xml");
                    return;
                  }
                  seen_from.push_back(req.get_param_value("from"));
                  res.set_content(round == 0 ? (second_page ? Page2() : Page1()) : Changed(),
                                  "application/xml");
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeNcmec() {
    server_.stop();
    thread_.join();
  }
  std::string endpoint() const { return fmt::format("http://127.0.0.1:{}/hashsharing", port_); }

  static std::string Page1() {
    return Entries(Image("a", "<md5>" + kMd5A + "</md5>"),
                   "/v2/entries?from=x&amp;to=y&amp;start=2&amp;size=1&amp;max=2");
  }
  static std::string Page2() {
    return Entries(Image("b", "<md5>" + kMd5B + "</md5><pdq>" + kPdqC + "</pdq>"));
  }
  static std::string Changed() {
    return Entries(
        R"(<deletedImage><member id="7">Provider Seven</member><id>b</id></deletedImage>)" +
        Image("a", "<md5>" + kMd5A + "</md5>",
              R"(<feedback><negativeFeedback type="Md5"/></feedback>)"));
  }

  std::atomic<int> round{0}, fail_next{0}, truncate_next{0}, requests{0};
  // The second page's link answers this many times that it expired.
  std::atomic<int> expire_next{0}, expire_status{410}, expired_answers{0};
  std::string expire_body = "<error><message>paging link has expired</message></error>";
  std::vector<std::string> seen_from;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class NcmecSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(banks_.CreateBank({.name = "ncmec"}).ok());
    auto c = store_.CreateExchange({.name = "ncmec-esp",
                                    .type = ExchangeType::kNcmec,
                                    .bank = "ncmec",
                                    .organisation = "NCMEC",
                                    .organisation_kind = "ncmec",
                                    .endpoint = server_.endpoint(),
                                    .credentials_ref = "env:NCMEC"},
                                   clock_->Now());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    options_.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
  }
  Result<SyncReport> Sync() {
    ASSIGN_OR_RETURN(ExchangeRecord r, store_.GetExchange("ncmec-esp"));
    ASSIGN_OR_RETURN(std::unique_ptr<Exchange> x,
                     OpenExchange(r.config, {.banks = &banks_, .clock = clock_, .getenv = env_}));
    return SyncExchange(store_, *x, "ncmec-esp", *clock_, options_);
  }
  bank::BankEntry Entry(bank::SignalType t, const std::string& v) {
    auto e = banks_.FindEntry(1, t, v);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? *e : bank::BankEntry{};
  }

  FakeNcmec server_;
  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'795'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  InMemoryExchangeStore store_{banks_};
  SyncOptions options_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::function<std::optional<std::string>(const std::string&)> env_ =
      [](const std::string&) -> std::optional<std::string> { return "esp:pw"; };
};

TEST_F(NcmecSyncTest, PagesThenChangesAreApplied) {
  auto first = Sync();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->pages, 2u);
  EXPECT_EQ(first->added, 3u);
  EXPECT_EQ(server_.seen_from.front(), "1970-01-01T00:00:00Z");
  const auto state = store_.GetExchange("ncmec-esp")->state;
  EXPECT_EQ(state.cursor, std::to_string(1'795'000'000 - 5));  // the range is complete
  EXPECT_EQ(Entry(bank::SignalType::kPdq, kPdqC).source_ref, "7:b");

  server_.round = 1;
  clock_->Advance(seconds(3600));
  auto second = Sync();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->removed, 2u);                               // both fingerprints of record b
  EXPECT_EQ(second->updated, 1u);                               // a disputed
  EXPECT_EQ(server_.seen_from.back(), "2026-11-18T11:06:35Z");  // where the last range ended
  EXPECT_TRUE(Entry(bank::SignalType::kMd5, kMd5B).retired);
  EXPECT_EQ(Entry(bank::SignalType::kPdq, kPdqC).retired_reason,
            "withdrawn by exchange ncmec-esp: deleted at NCMEC");
  EXPECT_TRUE(Entry(bank::SignalType::kMd5, kMd5A).needs_verification);
}

TEST_F(NcmecSyncTest, RateLimitsAndTruncatedAnswersAreRetried) {
  server_.fail_next = 1;
  server_.truncate_next = 1;
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->retries, 2u);
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(sleeps_[0], std::chrono::milliseconds(1000));  // Retry-After: 1
  EXPECT_EQ(report->added, 3u);
}

TEST_F(NcmecSyncTest, WrongCredentialsStopWithoutRetryOrLeak) {
  env_ = [](const std::string&) -> std::optional<std::string> { return "esp:wrong-pw"; };
  auto failed = Sync();
  EXPECT_EQ(failed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(server_.requests, 1);
  const auto state = store_.GetExchange("ncmec-esp")->state;
  EXPECT_EQ(state.last_error.find("wrong-pw"), std::string::npos);
  EXPECT_NE(state.last_error.find("credentials were refused"), std::string::npos);
  env_ = [](const std::string&) -> std::optional<std::string> { return "no-colon"; };
  EXPECT_EQ(Sync().status().code(), StatusCode::kInvalidArgument);
}

TEST_F(NcmecSyncTest, ACrashBetweenPagesResumesFromTheCommittedPage) {
  options_.max_pages = 1;  // stands in for a process stopped after the first page
  ASSERT_TRUE(Sync().ok());
  const std::string cursor = store_.GetExchange("ncmec-esp")->state.cursor;
  EXPECT_NE(cursor.find("|/v2/entries?from=x&to=y&start=2"), std::string::npos) << cursor;
  options_.max_pages = 0;
  auto rest = Sync();
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->pages, 1u);
  EXPECT_EQ(rest->added, 2u);
  EXPECT_EQ(banks_.GetStats(1)->active, 3u);
}

TEST_F(NcmecSyncTest, AnExpiredPagingLinkRestartsTheRangeFromTheCheckpoint) {
  options_.max_pages = 1;  // the first page is in, its next link stored
  ASSERT_TRUE(Sync().ok());
  ASSERT_NE(store_.GetExchange("ncmec-esp")->state.cursor.find("start=2"), std::string::npos);
  options_.max_pages = 0;
  server_.expire_next = 1;
  auto rest = Sync();
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(server_.expired_answers, 1);
  // An empty page back to the checkpoint (0), then the whole range again, both pages.
  EXPECT_EQ(rest->pages, 3u);
  EXPECT_EQ(rest->retries, 0u);
  EXPECT_EQ(rest->added, 2u);      // record b, which the expired link would have given
  EXPECT_EQ(rest->unchanged, 1u);  // record a, applied before, changes nothing
  // The first sync's page 1, then the range asked for again from the checkpoint, and its page 2
  // (the fake's link carries from=x).
  EXPECT_EQ(server_.seen_from,
            (std::vector<std::string>{"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "x"}));
  EXPECT_EQ(banks_.GetStats(1)->active, 3u);
  const auto state = store_.GetExchange("ncmec-esp")->state;
  EXPECT_EQ(state.cursor, std::to_string(1'795'000'000 - 5));
  EXPECT_EQ(state.last_error, "");
}

TEST_F(NcmecSyncTest, ABadRequestThatIsNotAnExpiryStaysAnError) {
  options_.max_pages = 1;
  ASSERT_TRUE(Sync().ok());
  const std::string cursor = store_.GetExchange("ncmec-esp")->state.cursor;
  options_.max_pages = 0;
  server_.expire_next = 1;
  server_.expire_status = 400;
  server_.expire_body = "<error><message>bad parameter size</message></error>";
  auto failed = Sync();
  EXPECT_EQ(failed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_.GetExchange("ncmec-esp")->state.cursor, cursor);  // kept for the next sync
  // 400 with NCMEC's explanation that the link expired restarts like 410.
  server_.expire_next = 1;
  server_.expire_body = "<error><message>The paging link has EXPIRED</message></error>";
  auto rest = Sync();
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->added, 2u);
}

TEST_F(NcmecSyncTest, LinksThatAlwaysExpireOrAreADayOldAreNotFollowed) {
  options_.max_pages = 1;
  ASSERT_TRUE(Sync().ok());
  options_.max_pages = 0;
  server_.expire_next = 100;
  auto failed = Sync();
  EXPECT_EQ(failed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(failed.status().message().find("expired 2 times"), std::string::npos)
      << failed.status().ToString();
  EXPECT_EQ(server_.expired_answers, 3);  // two restarts, then the third expiry ends the sync

  // A stored link from a range opened more than a day ago is dropped without asking for it.
  server_.expire_next = 0;
  ASSERT_NE(store_.GetExchange("ncmec-esp")->state.cursor.find("start=2"), std::string::npos);
  clock_->Advance(seconds(25 * 3600));
  const int before = server_.requests;
  auto fresh = Sync();
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(server_.requests - before, 2);  // the range's two pages, not the stale link
  EXPECT_EQ(store_.GetExchange("ncmec-esp")->state.cursor,
            std::to_string(1'795'000'000 + 25 * 3600 - 5));
}

}  // namespace
}  // namespace vigil::exchange
