// The audit chain itself, on the in-memory store: the hash is the documented construction
// (golden values computed outside vigil), and VerifyChain/VerifyAnchor catch every kind of
// tampering: an edited field, a deleted record, a truncated end.
#include "audit/audit.h"

#include <gtest/gtest.h>

namespace vigil::audit {
namespace {

TimePoint At(int64_t unix_seconds) { return TimePoint(std::chrono::seconds(unix_seconds)); }

// Golden values: Python's hashlib.sha256 over the documented encoding (each field as
// "<byte length>:<bytes>\n": "vigil-audit-v1", prev_hash, seq, unix seconds, actor, action,
// target, origin, details).
TEST(ChainHashTest, MatchesTheDocumentedConstruction) {
  const AuditEvent first{"key:ops", "case.decide", "case:42", "127.0.0.1",
                         R"({"decision":"not_csam"})"};
  const std::string h1 = ChainHash(kGenesisHash, 1, At(1795000000), first);
  EXPECT_EQ(h1, "0334e2f6e8ecc897e85d1814784b4dd1a86377c4b534613c91ebb434c0043ebd");
  const AuditEvent second{"reviewer-\xc3\xa4", "evidence.view", "case:42", "", ""};
  EXPECT_EQ(ChainHash(h1, 2, At(1795000060), second),
            "590f22fcff10422c7ad26efe4eb8ed068c8424066b5011af8332a04c643632c6");
}

TEST(ChainHashTest, FieldBoundariesAreUnambiguous) {
  // Moving a character from one field to the next must change the hash.
  EXPECT_NE(ChainHash(kGenesisHash, 1, At(0), {"ab", "c", "", "", ""}),
            ChainHash(kGenesisHash, 1, At(0), {"a", "bc", "", "", ""}));
}

TEST(ValidateEventTest, NamesTheBadField) {
  EXPECT_TRUE(ValidateEvent({"a", "b", "", "", ""}).ok());
  Status no_actor = ValidateEvent({"", "b", "", "", ""});
  EXPECT_EQ(no_actor.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_actor.message().find("actor"), std::string::npos);
  Status bad_utf8 = ValidateEvent({"a", "b", "", "", "\xff\xfe"});
  EXPECT_NE(bad_utf8.message().find("details"), std::string::npos);
  Status huge = ValidateEvent({"a", "b", std::string(64 * 1024 + 1, 'x'), "", ""});
  EXPECT_NE(huge.message().find("target"), std::string::npos);
}

class AuditChainTest : public ::testing::Test {
 protected:
  AuditChainTest() : clock_(std::make_shared<FakeClock>(At(1795000000))), log_(clock_) {}
  void AppendN(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(log_.Append({"actor", "action", "case:" + std::to_string(i), "", ""}).ok());
      clock_->Advance(std::chrono::seconds(1));
    }
  }
  std::shared_ptr<FakeClock> clock_;
  InMemoryAuditStore log_;
};

TEST_F(AuditChainTest, AppendLinksEachRecordToThePrevious) {
  auto first = log_.Append({"a", "x", "", "", ""});
  clock_->Advance(std::chrono::seconds(5));
  auto second = log_.Append({"b", "y", "", "", ""});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->prev_hash, kGenesisHash);
  EXPECT_EQ(first->at, At(1795000000));
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(second->prev_hash, first->hash);
  EXPECT_EQ(second->at, At(1795000005));
  EXPECT_EQ(second->hash, ChainHash(first->hash, 2, At(1795000005), {"b", "y", "", "", ""}));
}

TEST_F(AuditChainTest, AnEmptyLogVerifies) {
  auto head = VerifyChain(log_);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 0);
  EXPECT_EQ(head->seq, 0);
  EXPECT_EQ(head->hash, kGenesisHash);
}

TEST_F(AuditChainTest, AnIntactChainVerifiesAcrossPages) {
  AppendN(25);
  auto head = VerifyChain(log_, 7);  // pages of 7, 7, 7, 4
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->records, 25);
  EXPECT_EQ(head->seq, 25);
  EXPECT_EQ(head->hash, (*log_.List(25, 1))[0].hash);
}

TEST_F(AuditChainTest, AnEditedRecordIsNamed) {
  AppendN(10);
  log_.TamperForTest(4, {"actor", "action", "case:999", "", ""});
  auto head = VerifyChain(log_, 3);
  EXPECT_EQ(head.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(head.status().message().find("seq 4"), std::string::npos) << head.status().ToString();
}

TEST_F(AuditChainTest, ADeletedRecordIsNamed) {
  AppendN(10);
  log_.EraseForTest(6);
  auto head = VerifyChain(log_);
  EXPECT_EQ(head.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(head.status().message().find("records 6 to 6 are missing"), std::string::npos)
      << head.status().ToString();
}

TEST_F(AuditChainTest, ADeletedFirstRecordIsNamed) {
  AppendN(3);
  log_.EraseForTest(1);
  EXPECT_EQ(VerifyChain(log_).status().code(), StatusCode::kDataLoss);
}

TEST_F(AuditChainTest, TruncationIsCaughtOnlyByTheAnchor) {
  AppendN(10);
  auto anchor = VerifyChain(log_);
  ASSERT_TRUE(anchor.ok());
  EXPECT_TRUE(VerifyAnchor(log_, anchor->seq, anchor->hash).ok());
  log_.EraseForTest(10);
  log_.EraseForTest(9);
  EXPECT_TRUE(VerifyChain(log_).ok());  // a shorter chain is still a chain
  Status s = VerifyAnchor(log_, anchor->seq, anchor->hash);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("truncated"), std::string::npos);
}

TEST_F(AuditChainTest, AnAnchorWithAnotherHashFails) {
  AppendN(3);
  EXPECT_EQ(VerifyAnchor(log_, 2, std::string(64, 'a')).code(), StatusCode::kDataLoss);
}

TEST(ParseAnchorTest, AcceptsOnlySeqColonHash) {
  const std::string hash(64, 'c');
  auto ok = ParseAnchor("12:" + hash);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, 12);
  EXPECT_EQ(ok->second, hash);
  for (const std::string& bad :
       {std::string("12"), "x:" + hash, "0:" + hash, "-1:" + hash, "12:" + std::string(63, 'c'),
        "12:" + std::string(64, 'C'), "12 :" + hash, std::string("")}) {
    EXPECT_EQ(ParseAnchor(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace vigil::audit
