// The file/URL exchange: a list in a bank import format is synced into its bank in pages; a
// changed list adds its new rows, applies its withdrawals (rows with retired_at) and disputes
// (needs_verification), and retires entries it no longer holds; a list with invalid rows
// changes nothing. Over http(s) the bearer token is sent, refused credentials are not retried,
// and 503 with Retry-After is retried. Credentials are resolved from env: and file: references.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bank/bank.h"
#include "exchange/exchange.h"

namespace vigil::exchange {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const TimePoint kT0{std::chrono::seconds(1'800'000'000)};

std::string Md5(int n) { return fmt::format("{:032x}", n); }

class FileExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("vigil_file_exchange_{}", ::getpid());
    fs::create_directories(dir_);
    list_ = (dir_ / "list.csv").string();
    ASSERT_TRUE(banks_.CreateBank({.name = "list"}).ok());
    options_.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& text) { std::ofstream(list_, std::ios::binary) << text; }

  Result<SyncReport> Sync(const std::string& name) {
    auto record = store_.GetExchange(name);
    if (!record.ok()) return record.status();
    auto x =
        OpenExchange(record->config, {.banks = &banks_, .timeout = seconds(5), .getenv = env_});
    if (!x.ok()) return x.status();
    return SyncExchange(store_, **x, name, *clock_, options_);
  }
  ExchangeConfig Add(NewExchange e) {
    auto c = store_.CreateExchange(e, kT0);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : ExchangeConfig{};
  }
  bank::BankEntry Entry(int n) {
    auto e = banks_.FindEntry(1, bank::SignalType::kMd5, Md5(n));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? *e : bank::BankEntry{};
  }

  fs::path dir_;
  std::string list_;
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kT0);
  bank::InMemoryBankStore banks_{clock_};
  InMemoryExchangeStore store_{banks_};
  SyncOptions options_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::function<std::optional<std::string>(const std::string&)> env_ =
      [](const std::string& name) -> std::optional<std::string> {
    if (name == "LIST_TOKEN") return "s3cret-token";
    return std::nullopt;
  };
};

TEST_F(FileExchangeTest, ListIsAppliedInPagesThenChangesAreFollowed) {
  Add({.name = "csv",
       .bank = "list",
       .organisation = "Tech Coalition",
       .endpoint = list_,
       .options = R"({"format": "csv", "page_rows": 2})"});
  Write(fmt::format("signal_type,signal_value,source_ref\nmd5,{},r1\nmd5,{},r2\nmd5,{},r3\n",
                    Md5(1), Md5(2), Md5(3)));
  auto first = Sync("csv");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->added, 3u);
  EXPECT_EQ(first->pages, 3u);  // rows 0-1, row 2, then the (empty) check for dropped entries
  EXPECT_EQ(Entry(2).source_ref, "r2");

  // Unchanged list: one page, nothing to do.
  auto same = Sync("csv");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->pages, 1u);
  EXPECT_EQ(same->added + same->removed + same->updated, 0u);

  // Row 1 dropped, row 2 disputed, row 3 withdrawn explicitly, row 4 new.
  Write(fmt::format(
      "signal_type,signal_value,source_ref,needs_verification,retired_at,retired_reason\n"
      "md5,{},r2,true,,\nmd5,{},r3,,2027-01-01T00:00:00Z,false positive\nmd5,{},r4,,,\n",
      Md5(2), Md5(3), Md5(4)));
  clock_->Advance(seconds(60));
  auto changed = Sync("csv");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->added, 1u);
  EXPECT_EQ(changed->updated, 1u);
  EXPECT_EQ(changed->removed, 2u);
  EXPECT_TRUE(Entry(1).retired);
  EXPECT_EQ(Entry(1).retired_reason, "withdrawn by exchange csv: no longer in the list");
  EXPECT_TRUE(Entry(2).needs_verification);
  EXPECT_EQ(Entry(3).retired_reason, "withdrawn by exchange csv: false positive");
  EXPECT_FALSE(Entry(4).retired);
  const auto state = store_.GetExchange("csv")->state;
  EXPECT_EQ(state.added, 4u);
  EXPECT_EQ(state.removed, 2u);
  EXPECT_TRUE(state.cursor.ends_with(":done"));
}

TEST_F(FileExchangeTest, ManyDroppedEntriesAreWithdrawnAPageAtATime) {
  Add({.name = "te",
       .bank = "list",
       .organisation = "Org",
       .endpoint = list_,
       .options = R"({"format": "te", "default_type": "md5", "page_rows": 2})"});
  Write(fmt::format("{}\n{}\n{}\n{}\n{}\n", Md5(1), Md5(2), Md5(3), Md5(4), Md5(5)));
  ASSERT_TRUE(Sync("te").ok());
  Write(Md5(5) + "\n");
  auto report = Sync("te");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->removed, 4u);
  EXPECT_EQ(banks_.GetStats(1)->active, 1u);
}

TEST_F(FileExchangeTest, AListWithInvalidRowsChangesNothing) {
  Add({.name = "csv", .bank = "list", .organisation = "Org", .endpoint = list_});
  options_.max_attempts = 1;
  Write(fmt::format("signal_type,signal_value\nmd5,{}\nmd5,nothex\n", Md5(1)));
  auto failed = Sync("csv");
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failed.status().message().find("line 3"), std::string::npos)
      << failed.status().message();
  EXPECT_EQ(banks_.GetStats(1)->total, 0u);
  EXPECT_NE(store_.GetExchange("csv")->state.last_error.find("invalid rows"), std::string::npos);
}

TEST_F(FileExchangeTest, MissingFileAndBadOptionsAreClearErrors) {
  Add({.name = "gone", .bank = "list", .organisation = "Org", .endpoint = list_ + ".missing"});
  options_.max_attempts = 1;
  EXPECT_EQ(Sync("gone").status().code(), StatusCode::kNotFound);
  Add({.name = "opts",
       .bank = "list",
       .organisation = "Org",
       .endpoint = list_,
       .options = R"({"page_rows": 0})"});
  auto bad = Sync("opts");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("page_rows"), std::string::npos);
}

// A list served over loopback HTTP that checks the bearer token and can fail on demand.
class ListServer {
 public:
  ListServer() {
    server_.Get("/list.csv", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      if (req.get_header_value("Authorization") != "Bearer s3cret-token") {
        res.status = 401;
        return;
      }
      if (fail_next > 0) {
        --fail_next;
        res.status = 503;
        res.set_header("Retry-After", "2");
        return;
      }
      res.set_content(body, "text/csv");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ListServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}/list.csv", port_); }

  std::string body;
  std::atomic<int> fail_next{0};
  std::atomic<int> requests{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(FileExchangeTest, UrlListSendsTheTokenAndRetriesAfterServiceUnavailable) {
  ListServer server;
  server.body = fmt::format("signal_type,signal_value\nmd5,{}\n", Md5(7));
  server.fail_next = 1;
  Add({.name = "url",
       .bank = "list",
       .organisation = "Org",
       .endpoint = server.url(),
       .credentials_ref = "env:LIST_TOKEN"});
  auto report = Sync("url");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->added, 1u);
  EXPECT_EQ(report->retries, 1u);
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_EQ(sleeps_[0], std::chrono::milliseconds(2000));
  EXPECT_EQ(server.requests, 2);
}

TEST_F(FileExchangeTest, UrlListWithWrongTokenIsRefusedWithoutRetry) {
  ListServer server;
  env_ = [](const std::string&) -> std::optional<std::string> { return "wrong-token"; };
  Add({.name = "url",
       .bank = "list",
       .organisation = "Org",
       .endpoint = server.url(),
       .credentials_ref = "env:LIST_TOKEN"});
  auto failed = Sync("url");
  EXPECT_EQ(failed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(failed.status().message().find("wrong-token"), std::string::npos);
  EXPECT_EQ(server.requests, 1);
  EXPECT_EQ(store_.GetExchange("url")->state.last_error.find("wrong-token"), std::string::npos);
}

TEST(CredentialsTest, ResolvesReferencesWithoutEverShowingTheSecret) {
  auto env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "SET") return "user:pa55";
    return std::nullopt;
  };
  EXPECT_EQ(*ResolveCredentials("", env), "");
  EXPECT_EQ(*ResolveCredentials("env:SET", env), "user:pa55");
  EXPECT_EQ(ResolveCredentials("env:UNSET", env).status().code(), StatusCode::kNotFound);
  auto bad = ResolveCredentials("user:pa55", env);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("pa55"), std::string::npos);

  const fs::path file = fs::temp_directory_path() / fmt::format("vigil_cred_{}", ::getpid());
  std::ofstream(file) << "token-from-file\n";
  EXPECT_EQ(*ResolveCredentials("file:" + file.string(), env), "token-from-file");
  std::ofstream(file, std::ios::trunc) << "\n";
  EXPECT_EQ(ResolveCredentials("file:" + file.string(), env).status().code(),
            StatusCode::kInvalidArgument);
  fs::remove(file);
  EXPECT_EQ(ResolveCredentials("file:" + file.string(), env).status().code(),
            StatusCode::kNotFound);

  auto split = SplitUserPassword("user:pa:55", "NCMEC");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->first, "user");
  EXPECT_EQ(split->second, "pa:55");
  auto no_colon = SplitUserPassword("justatoken", "NCMEC");
  EXPECT_EQ(no_colon.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_colon.status().message().find("justatoken"), std::string::npos);
}

}  // namespace
}  // namespace vigil::exchange
