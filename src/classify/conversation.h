// A conversation as the grooming scorer sees it: participants (with the ages the service has,
// declared or estimated) and timestamped messages. Parsed from JSON with size limits and UTF-8
// validation, because conversations come from outside and may be huge or hostile.
//
// JSON form:
//   {"id": "c1", "language": "en",
//    "participants": [{"id": "a", "age": 34, "age_source": "declared", "minors_contacted": 5},
//                     {"id": "b", "age": 13, "age_source": "estimated"}],
//    "messages": [{"id": "m1", "from": "a", "time": 1700000000, "text": "hi"}, ...]}
// `age`, `age_source` and `minors_contacted` (distinct minors this account wrote to recently,
// from the service's records) are optional; `time` is Unix seconds.
//
// Thread safety: plain values.
#ifndef VIGIL_CLASSIFY_CONVERSATION_H_
#define VIGIL_CLASSIFY_CONVERSATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::classify {

struct Participant {
  std::string id;
  std::optional<int> age;
  bool age_estimated = false;           // true: estimated by the service, not declared
  std::optional<int> minors_contacted;  // distinct minors this account wrote to recently
};

struct Message {
  std::string id;
  std::string from;  // a participant id
  int64_t time = 0;  // Unix seconds
  std::string text;  // valid UTF-8
};

struct Conversation {
  std::string id;
  std::string language;  // e.g. "en"; empty: the rule set's default
  std::vector<Participant> participants;
  std::vector<Message> messages;  // in time order after parsing
};

struct ConversationLimits {
  size_t max_json_bytes = 16u << 20;
  size_t max_participants = 1000;
  size_t max_messages = 20000;
  size_t max_message_bytes = 64u << 10;
};

// kInvalidArgument for bad JSON, a missing or wrong-typed field, invalid UTF-8, duplicate ids
// or a message from an unknown participant; kResourceExhausted past a limit. `name` (the file)
// prefixes every message.
Result<Conversation> ParseConversation(std::string_view json, std::string_view name,
                                       const ConversationLimits& limits = {});

// The participant with `id`, or null.
const Participant* FindParticipant(const Conversation& c, std::string_view id);

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_CONVERSATION_H_
