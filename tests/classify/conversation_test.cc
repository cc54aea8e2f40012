#include "classify/conversation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "classify/classifier.h"

namespace vigil::classify {
namespace {

constexpr char kMinimal[] = R"({"id": "c", "participants": [{"id": "a"}, {"id": "b", "age": 9}],
  "messages": [{"id": "2", "from": "b", "time": 20, "text": "yes"},
               {"id": "1", "from": "a", "time": 10, "text": "h\u00e9llo"}]})";

TEST(ConversationTest, ParsesAndSortsByTime) {
  auto c = ParseConversation(kMinimal, "c.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->messages.size(), 2u);
  EXPECT_EQ(c->messages[0].id, "1");
  EXPECT_EQ(c->messages[0].text, "h\xc3\xa9llo");
  EXPECT_EQ(c->messages[1].time, 20);
  EXPECT_FALSE(c->participants[0].age.has_value());
  EXPECT_EQ(c->participants[1].age, 9);
  EXPECT_EQ(FindParticipant(*c, "b"), &c->participants[1]);
  EXPECT_EQ(FindParticipant(*c, "z"), nullptr);
}

void ExpectError(std::string_view json, StatusCode code, std::string_view part,
                 const ConversationLimits& limits = {}) {
  auto c = ParseConversation(json, "in.json", limits);
  ASSERT_FALSE(c.ok()) << json;
  EXPECT_EQ(c.status().code(), code) << c.status().ToString();
  EXPECT_NE(c.status().message().find("in.json"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find(part), std::string::npos) << c.status().ToString();
}

TEST(ConversationTest, BadInputNamesTheProblem) {
  const auto kInvalid = StatusCode::kInvalidArgument;
  ExpectError("{", kInvalid, "not valid JSON");
  ExpectError("[]", kInvalid, "top level");
  ExpectError(R"({"participants": [], "messages": 3})", kInvalid, "'messages' must be an array");
  ExpectError(R"({"participants": [{"id": "a"}], "messages": [{"id": "1", "from": "x",
      "time": 1, "text": ""}]})",
              kInvalid, "'x' is not a participant");
  ExpectError(R"({"participants": [{"id": "a"}, {"id": "a"}], "messages": []})", kInvalid,
              "duplicate id 'a'");
  ExpectError(R"({"participants": [{"id": "a", "age": -1}], "messages": []})", kInvalid,
              "participants[0]: 'age' -1");
  ExpectError(R"({"participants": [{"id": "a", "age_source": "guess"}], "messages": []})", kInvalid,
              "age_source");
  ExpectError(R"({"participants": [{"id": "a"}], "messages": [{"id": "1", "from": "a",
      "time": "noon", "text": ""}]})",
              kInvalid, "messages[0]: 'time'");
  ExpectError(R"({"participants": [{"id": "a"}], "messages": [{"id": "1", "from": "a",
      "time": 1, "text": 5}]})",
              kInvalid, "'text' must be a string");
  // Invalid UTF-8 (a lone continuation byte) inside a string.
  ExpectError(
      "{\"participants\": [{\"id\": \"a\"}], \"messages\": [{\"id\": \"1\", \"from\": "
      "\"a\", \"time\": 1, \"text\": \"\x80\"}]}",
      kInvalid, "not valid UTF-8");
}

TEST(ConversationTest, LimitsAreEnforced) {
  ConversationLimits limits;
  limits.max_messages = 1;
  ExpectError(kMinimal, StatusCode::kResourceExhausted, "2 messages, more than the limit 1",
              limits);
  limits = {};
  limits.max_message_bytes = 4;
  ExpectError(kMinimal, StatusCode::kResourceExhausted, "'text' has 6 bytes", limits);
  limits = {};
  limits.max_json_bytes = 10;
  ExpectError(kMinimal, StatusCode::kResourceExhausted, "more than the limit 10", limits);
  limits = {};
  limits.max_participants = 1;
  ExpectError(kMinimal, StatusCode::kResourceExhausted, "2 participants", limits);
}

TEST(ClassifierTest, NonsenseScoresAreErrors) {
  EXPECT_TRUE(CheckScoreValue(0, "m").ok());
  EXPECT_TRUE(CheckScoreValue(1, "m").ok());
  EXPECT_TRUE(CheckScoreValue(0.5, "m").ok());
  for (double bad : {std::nan(""), -0.01, 1.0001, std::numeric_limits<double>::infinity()}) {
    Status s = CheckScoreValue(bad, "model-x");
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << bad;
    EXPECT_NE(s.message().find("model-x"), std::string::npos);
  }
}

TEST(ClassifierTest, FramesAreChecked) {
  std::vector<uint8_t> pixels(2 * 3 * 3);
  ClassifierInput in;
  in.kind = InputKind::kImage;
  in.frames.push_back({2, 3, 3, pixels});
  EXPECT_TRUE(CheckFrames(in).ok());
  in.frames[0].channels = 1;
  EXPECT_NE(CheckFrames(in).message().find("18 pixel bytes, expected 6"), std::string::npos);
  in.frames[0].channels = 4;
  EXPECT_EQ(CheckFrames(in).code(), StatusCode::kInvalidArgument);
  in.frames.clear();
  EXPECT_NE(CheckFrames(in).message().find("image input has no frames"), std::string::npos);
  in.kind = InputKind::kConversation;
  EXPECT_EQ(CheckFrames(in).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::classify
