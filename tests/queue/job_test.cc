#include "queue/job.h"

#include <gtest/gtest.h>

#include <string>

#include "queue/in_memory_events.h"
#include "queue/queue.h"

namespace vigil::queue {
namespace {

const std::string kPdq(64, 'f');
const std::string kMd5 = "d41d8cd98f00b204e9800998ecf8427e";  // MD5 of nothing
const std::string kSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

ScanJob SampleJob() {
  ScanJob job;
  job.item_id = "u/1";
  job.account_id = "acct";
  job.surface = "photos/upload";
  job.region = "eu";
  job.pdq = kPdq;
  job.pdq_quality = 90;
  job.md5 = kMd5;
  job.sha256 = kSha256;
  return job;
}

TEST(JobTest, EncodesAndDecodesEveryField) {
  ScanJob job = SampleJob();
  job.end_to_end_encrypted = true;
  const std::string data = EncodeJob(job);
  EXPECT_EQ(data, R"({"item_id":"u/1","account_id":"acct","surface":"photos/upload","region":"eu",)"
                  R"("pdq":")" +
                      kPdq + R"(","pdq_quality":90,"md5":")" + kMd5 + R"(","sha256":")" + kSha256 +
                      R"(","end_to_end_encrypted":true})");
  auto back = DecodeJob(data, "job 1");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, job);
}

TEST(JobTest, PdqIsOptionalAndHexIsLowercased) {
  auto job = DecodeJob(R"({"item_id":"x","account_id":"a","md5":")" + std::string(32, 'A') +
                           R"(","sha256":")" + kSha256 + R"("})",
                       "job 2");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_FALSE(job->pdq.has_value());
  EXPECT_EQ(job->md5, std::string(32, 'a'));
  EXPECT_EQ(job->surface, "queue");
  EXPECT_EQ(job->region, "unknown");
}

struct BadJob {
  std::string data;
  std::string message;  // a part of the expected message
};

class BadJobTest : public ::testing::TestWithParam<BadJob> {};

TEST_P(BadJobTest, IsRefusedNamingTheJobAndField) {
  auto job = DecodeJob(GetParam().data, "job 7");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(job.status().message().find("job 7"), std::string::npos) << job.status().message();
  EXPECT_NE(job.status().message().find(GetParam().message), std::string::npos)
      << job.status().message();
}

const std::string kTail = R"(,"md5":")" + kMd5 + R"(","sha256":")" + kSha256 + R"("})";

INSTANTIATE_TEST_SUITE_P(
    Inputs, BadJobTest,
    ::testing::Values(
        BadJob{"{not json", "not valid JSON"}, BadJob{"[1,2]", "not a JSON object"},
        BadJob{R"({"account_id":"a")" + kTail, "'item_id' is missing"},
        BadJob{R"({"item_id":7,"account_id":"a")" + kTail, "'item_id' must be"},
        BadJob{R"({"item_id":"","account_id":"a")" + kTail, "item_id is empty"},
        BadJob{R"({"item_id":"i","account_id":"")" + kTail, "account_id is empty"},
        BadJob{R"({"item_id":"i","account_id":"a","md5":"zz","sha256":")" + kSha256 + R"("})",
               "'md5' must be 32 hex digits"},
        BadJob{R"({"item_id":"i","account_id":"a","pdq":"12")" + kTail,
               "'pdq' must be 64 hex digits"},
        BadJob{R"({"item_id":"i","account_id":"a","pdq_quality":101)" + kTail, "0..100"},
        BadJob{R"({"item_id":"i","account_id":"a","region":"mars")" + kTail, "region 'mars'"},
        BadJob{R"({"item_id":"i","account_id":"a","end_to_end_encrypted":1)" + kTail,
               "true or false"},
        BadJob{R"({"item_id":"i","account_id":"a","sealed_account_id":"")" + kTail,
               "'sealed_account_id' must be an even number of lowercase hex"},
        BadJob{R"({"item_id":"i","account_id":"a","sealed_account_id":"abc")" + kTail,
               "'sealed_account_id' must be"},
        BadJob{R"({"item_id":"i","account_id":"a","sealed_account_id":"ABCD")" + kTail,
               "'sealed_account_id' must be"},
        BadJob{R"({"item_id":"i","account_id":"a","sealed_account_id":"zz")" + kTail,
               "'sealed_account_id' must be"},
        BadJob{R"({"item_id":"i","account_id":"a","sealed_account_id":12)" + kTail,
               "'sealed_account_id' must be a string"},
        BadJob{R"({"item_id":"i","account_id":"a","sealed_account_id":")" +
                   std::string(kMaxSealedAccountHex + 2, 'a') + "\"" + kTail,
               "at most 4096"}));

TEST(JobTest, ASealedAccountIdRoundTripsAndIsOmittedWhenAbsent) {
  ScanJob job = SampleJob();
  job.account_id = "p1.k1." + std::string(64, 'c');
  job.sealed_account_id = "00ff" + std::string(60, 'e');
  const std::string data = EncodeJob(job);
  EXPECT_NE(data.find(R"("sealed_account_id":"00ffeeee)"), std::string::npos) << data;
  auto back = DecodeJob(data, "job 3");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, job);
  EXPECT_EQ(EncodeJob(SampleJob()).find("sealed_account_id"), std::string::npos);
  auto null = DecodeJob(R"({"item_id":"i","account_id":"a","sealed_account_id":null)" + kTail, "j");
  ASSERT_TRUE(null.ok()) << null.status().ToString();
  EXPECT_FALSE(null->sealed_account_id.has_value());
}

TEST(JobTest, HugeJobIsResourceExhausted) {
  auto job = DecodeJob(std::string(kMaxJobBytes + 1, ' '), "job 9");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(job.status().message().find("job 9"), std::string::npos);
}

TEST(BankEventTest, RoundTripsAndRefusesNonsense) {
  const BankEvent retired{.kind = BankEvent::Kind::kRetired, .entry_id = 42};
  EXPECT_EQ(EncodeBankEvent(retired), R"({"kind":"retired","entry_id":42})");
  auto back = DecodeBankEvent(EncodeBankEvent(retired), "event 1");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, retired);
  const BankEvent created{.kind = BankEvent::Kind::kBankCreated, .bank_id = 7};
  EXPECT_EQ(EncodeBankEvent(created), R"({"kind":"bank_created","bank_id":7})");
  back = DecodeBankEvent(EncodeBankEvent(created), "event 1");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, created);
  EXPECT_EQ(BankEventSubject(created), "bank 7");
  EXPECT_EQ(BankEventSubject(retired), "entry 42");
  for (const char* bad :
       {"", "{}", R"({"kind":"deleted","entry_id":1})", R"({"kind":"added","entry_id":0})",
        R"({"kind":"added","entry_id":"1"})", R"({"kind":"added","bank_id":1})",
        R"({"kind":"bank_created","entry_id":1})", R"({"kind":"bank_created","bank_id":-3})",
        R"({"kind":"bank_created","bank_id":1.5})", "[1,2]"}) {
    auto e = DecodeBankEvent(bad, "event 2");
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find("event 2"), std::string::npos);
  }
}

// The fake other tests use for the event stream: numbered from 1, a subscriber gets what follows
// its position in order, nothing after its end, and nothing is kept while it is down.
TEST(InMemoryBankEventsTest, DeliversInOrderAfterThePositionUntilTheEnd) {
  InMemoryBankEvents events;
  ASSERT_EQ(*events.LastSequence(), 0u);
  ASSERT_TRUE(events.Publish({.kind = BankEvent::Kind::kAdded, .entry_id = 1}).ok());
  ASSERT_TRUE(events.Publish({.kind = BankEvent::Kind::kBankCreated, .bank_id = 2}).ok());
  EXPECT_EQ(*events.LastSequence(), 2u);
  std::vector<std::pair<uint64_t, BankEvent>> got;
  auto sub =
      events.Subscribe(1, [&](uint64_t seq, const BankEvent& e) { got.emplace_back(seq, e); });
  ASSERT_TRUE(sub.ok());
  EXPECT_TRUE(got.empty());  // only when delivered
  EXPECT_EQ(events.Deliver(), 1u);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, 2u);
  EXPECT_EQ(got[0].second.bank_id, 2);
  events.SetUnavailable(true);
  Status down = events.Publish({.kind = BankEvent::Kind::kRetired, .entry_id = 9});
  EXPECT_EQ(down.code(), StatusCode::kUnavailable);
  EXPECT_NE(down.message().find("entry 9"), std::string::npos);
  EXPECT_EQ(events.LastSequence().status().code(), StatusCode::kUnavailable);
  events.SetUnavailable(false);
  ASSERT_TRUE(events.Publish({.kind = BankEvent::Kind::kRetired, .entry_id = 3}).ok());
  EXPECT_EQ(events.Deliver(), 1u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].first, 3u);
  EXPECT_EQ(got[1].second.entry_id, 3);
  sub->reset();
  ASSERT_TRUE(events.Publish({.kind = BankEvent::Kind::kAdded, .entry_id = 4}).ok());
  EXPECT_EQ(events.Deliver(), 0u);
  EXPECT_EQ(got.size(), 2u);
}

}  // namespace
}  // namespace vigil::queue
