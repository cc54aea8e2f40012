// Sharing confirmed hashes with partners: ThreatExchange's submitting API (one POST
// /threat_descriptors per hash, form-encoded, visible to the privacy group only) and the file
// exchange's share_to (a list POSTed to a URL, or written to a directory), each against a fake
// partner on loopback that checks the request shape, the credentials and fails on demand.
// Nothing is sent without the organisation's consent or for a type the partner does not take.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "bank/bank.h"
#include "exchange/exchange.h"

namespace vigil::exchange {
namespace {

const std::string kPdq(64, 'a');
const std::string kMd5(32, 'b');
const std::string kSha(64, 'c');

// A partner with ThreatExchange's submit route and a list drop for file exchanges.
class FakePartner {
 public:
  FakePartner() {
    server_.Post(
        "/v21.0/threat_descriptors",
        [this](const httplib::Request& req, httplib::Response& res) { OnDescriptor(req, res); });
    server_.Post("/lists/shared", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      if (req.get_header_value("Authorization") != "Bearer list-token") {
        res.status = 401;
        return;
      }
      std::lock_guard lock(mu_);
      list_content_types.push_back(req.get_header_value("Content-Type"));
      lists.push_back(req.body);
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakePartner() {
    server_.stop();
    thread_.join();
  }
  std::string base() const { return fmt::format("http://127.0.0.1:{}", port_); }

  std::atomic<int> requests{0}, fail_at{0}, answer_without_id{0};
  std::mutex mu_;
  std::vector<httplib::Params> descriptors;            // guarded by mu_
  std::vector<std::string> targets;                    // guarded by mu_
  std::vector<std::string> lists, list_content_types;  // guarded by mu_

 private:
  void OnDescriptor(const httplib::Request& req, httplib::Response& res) {
    const int n = ++requests;
    if (req.get_header_value("Content-Type") != "application/x-www-form-urlencoded") {
      res.status = 415;
      return;
    }
    httplib::Params form;
    httplib::detail::parse_query_text(req.body, form);
    auto field = [&](const char* k) {
      auto it = form.find(k);
      return it == form.end() ? std::string() : it->second;
    };
    if (field("access_token") != "1111|token") {
      res.status = 400;
      res.set_content(R"({"error":{"message":"Invalid OAuth access token.","code":190}})",
                      "application/json");
      return;
    }
    if (n == fail_at) {
      res.status = 503;
      res.set_header("Retry-After", "7");
      return;
    }
    std::lock_guard lock(mu_);
    descriptors.push_back(form);
    targets.push_back(req.target);
    if (answer_without_id > 0) {
      res.set_content(R"({"success":false})", "application/json");
      return;
    }
    res.set_content(fmt::format(R"({{"id":"{}"}})", 900 + n), "application/json");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class ShareTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(banks_.CreateBank({.name = "own"}).ok()); }

  void Add(const std::string& name, ExchangeType type, const std::string& endpoint,
           const std::string& options, bool share) {
    auto c = store_.CreateExchange({.name = name,
                                    .type = type,
                                    .bank = "own",
                                    .organisation = "Partner " + name,
                                    .endpoint = endpoint,
                                    .credentials_ref = "env:TOKEN",
                                    .options = options,
                                    .share = share},
                                   clock_->Now());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
  }
  Result<std::unique_ptr<Exchange>> Open(const std::string& name) {
    ASSIGN_OR_RETURN(ExchangeRecord r, store_.GetExchange(name));
    return OpenExchange(r.config, {.banks = &banks_, .clock = clock_, .getenv = env_});
  }
  Result<uint64_t> Share(const std::string& name, const std::vector<SharedHash>& hashes) {
    ASSIGN_OR_RETURN(auto x, Open(name));
    return ShareConfirmed(store_, *x, name, hashes, *clock_);
  }
  uint64_t SharedCount() {
    uint64_t n = 0;
    auto contacts =
        store_.ListOrganisationContacts(TimePoint{}, clock_->Now() + std::chrono::hours(48));
    for (const auto& c : *contacts) {
      if (c.direction == Direction::kShared) n += c.hashes;
    }
    return n;
  }

  FakePartner partner_;
  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint(std::chrono::seconds(1'795'000'000)));
  bank::InMemoryBankStore banks_{clock_};
  InMemoryExchangeStore store_{banks_};
  std::string token_ = "1111|token";
  std::function<std::optional<std::string>(const std::string&)> env_ =
      [this](const std::string&) -> std::optional<std::string> { return token_; };
  const std::vector<SharedHash> three_ = {
      {.type = bank::SignalType::kPdq, .value = std::string(64, 'A'), .source_ref = "case 1"},
      {.type = bank::SignalType::kMd5, .value = kMd5, .source_ref = "case 2"},
      {.type = bank::SignalType::kSha256, .value = kSha, .source_ref = "case 3"}};
};

TEST_F(ShareTest, ThreatExchangeGetsOneDescriptorPerHashVisibleToTheGroupOnly) {
  Add("te", ExchangeType::kThreatExchange, partner_.base() + "/v21.0/",
      R"({"privacy_group": "1234", "share_level": "RED", "share_tags": ["csam", "vigil"]})", true);
  auto shared = Share("te", three_);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(*shared, 3u);
  ASSERT_EQ(partner_.descriptors.size(), 3u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"HASH_PDQ", kPdq}, {"HASH_MD5", kMd5}, {"HASH_SHA256", kSha}};
  for (size_t i = 0; i < 3; ++i) {
    const httplib::Params& d = partner_.descriptors[i];
    auto one = [&](const char* k) { return d.count(k) == 1 ? d.find(k)->second : "<missing>"; };
    EXPECT_EQ(one("type"), expected[i].first);
    EXPECT_EQ(one("indicator"), expected[i].second);  // normalised to lowercase
    EXPECT_EQ(one("status"), "MALICIOUS");
    EXPECT_EQ(one("privacy_type"), "HAS_PRIVACY_GROUP");
    EXPECT_EQ(one("privacy_members"), "1234");
    EXPECT_EQ(one("share_level"), "RED");
    EXPECT_EQ(one("tags"), "csam,vigil");
    EXPECT_FALSE(one("description").empty());
    // The provider's own reference (a case id) stays with the provider.
    EXPECT_EQ(one("description").find("case"), std::string::npos);
    // The token travels in the body, never in the URL a proxy might log.
    EXPECT_EQ(partner_.targets[i], "/v21.0/threat_descriptors");
  }
  EXPECT_EQ(SharedCount(), 3u);
}

TEST_F(ShareTest, NothingIsSentWithoutConsentOrForATypeThePartnerDoesNotTake) {
  Add("te", ExchangeType::kThreatExchange, partner_.base() + "/v21.0",
      R"({"privacy_group": "1234"})", false);
  auto refused = Share("te", three_);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("has not agreed"), std::string::npos);

  Add("te2", ExchangeType::kThreatExchange, partner_.base() + "/v21.0",
      R"({"privacy_group": "1234"})", true);
  std::string video;
  for (int i = 0; i < 3; ++i) {
    video += fmt::format("{}{},100,{:064x},{}.000", i ? ";" : "", 30 * i, 0x5eed + i, i);
  }
  std::vector<SharedHash> with_video = three_;
  with_video.insert(with_video.begin() + 1, {.type = bank::SignalType::kVpdq, .value = video});
  auto unsupported = Share("te2", with_video);
  EXPECT_EQ(unsupported.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unsupported.status().message().find("takes no vpdq"), std::string::npos)
      << unsupported.status().ToString();
  // ThreatExchange takes one hash a request: the PDQ before the video went, nothing after it.
  EXPECT_EQ(partner_.descriptors.size(), 1u);
  EXPECT_EQ(SharedCount(), 1u);

  // A file exchange without share_to cannot share.
  Add("list", ExchangeType::kFile, "/nonexistent/list.csv", "{}", true);
  auto no_target = Share("list", three_);
  EXPECT_EQ(no_target.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ShareTest, PartnerFailuresKeepWhatWasAcceptedAndSayWhy) {
  Add("te", ExchangeType::kThreatExchange, partner_.base() + "/v21.0",
      R"({"privacy_group": "1234"})", true);
  partner_.fail_at = 2;
  auto x = Open("te");
  ASSERT_TRUE(x.ok());
  auto failed = ShareConfirmed(store_, **x, "te", three_, *clock_);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("1 of 3 hashes shared before"), std::string::npos)
      << failed.status().ToString();
  EXPECT_EQ((*x)->retry_after(), std::chrono::seconds(7));
  EXPECT_EQ(partner_.descriptors.size(), 1u);
  EXPECT_EQ(SharedCount(), 1u);

  // A refused token: the Graph API's explanation is kept, the token is not.
  token_ = "9999|wrong-secret";
  auto denied = Share("te", three_);
  EXPECT_EQ(denied.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(denied.status().message().find("Invalid OAuth access token"), std::string::npos)
      << denied.status().ToString();
  EXPECT_EQ(denied.status().message().find("wrong-secret"), std::string::npos);

  // An answer that is not a created descriptor is not counted as shared.
  token_ = "1111|token";
  partner_.answer_without_id = 1;
  auto unclear = Share("te", {three_[0]});
  EXPECT_EQ(unclear.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(SharedCount(), 1u);
}

TEST_F(ShareTest, FileExchangePostsTheBatchAsAListWithItsToken) {
  token_ = "list-token";
  Add("tc", ExchangeType::kFile, partner_.base() + "/lists/current.csv",
      fmt::format(R"({{"format": "csv", "share_to": "{}/lists/shared"}})", partner_.base()), true);
  auto shared = Share("tc", three_);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(*shared, 3u);
  ASSERT_EQ(partner_.lists.size(), 1u);
  EXPECT_EQ(partner_.list_content_types[0], "text/csv");
  std::istringstream in(partner_.lists[0]);
  auto parsed = bank::ParseList(in, {.format = bank::ListFormat::kCsv});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << partner_.lists[0];
  ASSERT_EQ(parsed->entries.size(), 3u);
  EXPECT_EQ(parsed->invalid_rows, 0u);
  const bank::NewEntry second = parsed->entries.Get(1);
  EXPECT_EQ(second.signal_type, bank::SignalType::kMd5);
  EXPECT_EQ(second.value, kMd5);
  EXPECT_EQ(second.source_ref, "case 2");
  EXPECT_EQ(SharedCount(), 3u);

  token_ = "stale";
  EXPECT_EQ(Share("tc", three_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(SharedCount(), 3u);
}

TEST_F(ShareTest, FileExchangeWritesOneListFilePerBatchIntoADirectory) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / fmt::format("share-{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Add("drop", ExchangeType::kFile, (dir / "in.jsonl").string(),
      fmt::format(R"({{"format": "jsonl", "share_to": "{}"}})", dir.string()), true);
  ASSERT_TRUE(Share("drop", three_).ok());
  ASSERT_TRUE(Share("drop", three_).ok());  // a retried batch replaces its own file
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) files.push_back(f.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].filename().string().starts_with("shared-"));
  EXPECT_EQ(files[0].extension(), ".jsonl");
  std::ifstream in(files[0]);
  auto parsed = bank::ParseList(in, {.format = bank::ListFormat::kJsonLines});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->entries.size(), 3u);

  Add("gone", ExchangeType::kFile, (dir / "in.jsonl").string(),
      R"({"share_to": "/nonexistent/vigil-share-dir"})", true);
  auto failed = Share("gone", three_);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("/nonexistent/vigil-share-dir"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_F(ShareTest, FileExchangeWritesAWithdrawalAsRetiredRowsOfTheSameList) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / fmt::format("withdraw-{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Add("drop", ExchangeType::kFile, (dir / "in.csv").string(),
      fmt::format(R"({{"format": "csv", "share_to": "{}"}})", dir.string()), true);
  auto x = Open("drop");
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  ASSERT_TRUE((*x)->CanWithdraw());
  const TimePoint at = clock_->Now() - std::chrono::hours(1);
  std::vector<WithdrawnHash> withdrawn;
  for (const SharedHash& h : three_) {
    withdrawn.push_back({.hash = h, .reason = "decision reversed", .at = at});
  }
  ASSERT_EQ(*(*x)->Withdraw(withdrawn), 3u);
  ASSERT_EQ(*(*x)->Withdraw(withdrawn), 3u);  // a retry replaces its own file
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) files.push_back(f.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].filename().string().starts_with("withdrawn-")) << files[0];
  EXPECT_EQ(files[0].extension(), ".csv");
  // The partner reads it with the list tools; vigil's own file exchange applies such rows as
  // withdrawals (docs/exchanges.md "file").
  std::ifstream in(files[0]);
  auto parsed = bank::ParseList(in, {.format = bank::ListFormat::kCsv});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->entries.size(), 3u);
  for (size_t i = 0; i < parsed->entries.size(); ++i) {
    EXPECT_EQ(parsed->entries.retired_at(i), at);
    EXPECT_EQ(parsed->entries.retired_reason(i), "decision reversed");
  }
  EXPECT_EQ(parsed->entries.Get(1).value, kMd5);
  EXPECT_EQ(parsed->entries.source_ref(1), "case 2");

  // python-threatexchange's te format has no way to say "withdrawn": refused, nothing written.
  Add("te-list", ExchangeType::kFile, (dir / "in.txt").string(),
      fmt::format(R"({{"format": "te", "share_to": "{}"}})", dir.string()), true);
  auto te = Open("te-list");
  ASSERT_TRUE(te.ok());
  auto refused = (*te)->Withdraw(withdrawn);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("nothing sent"), std::string::npos)
      << refused.status().message();
  size_t count = 0;
  for ([[maybe_unused]] const auto& f : std::filesystem::directory_iterator(dir)) ++count;
  EXPECT_EQ(count, 1u);
  std::filesystem::remove_all(dir);
}

TEST_F(ShareTest, ShareOptionsAreChecked) {
  Add("green", ExchangeType::kThreatExchange, partner_.base(),
      R"({"privacy_group": "1", "share_level": "GREEN"})", true);
  EXPECT_EQ(Open("green").status().code(), StatusCode::kInvalidArgument);
  Add("tags", ExchangeType::kThreatExchange, partner_.base(),
      R"({"privacy_group": "1", "share_tags": ["a,b"]})", true);
  EXPECT_EQ(Open("tags").status().code(), StatusCode::kInvalidArgument);
  Add("badurl", ExchangeType::kFile, "/x.csv", R"({"share_to": "http://"})", true);
  auto bad = Open("badurl");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("share_to"), std::string::npos);
}

}  // namespace
}  // namespace vigil::exchange
