// What an external classifier sends back (ParseClassifierResponse) and conversations as the
// grooming scorer receives them (ParseConversation): JSON from outside, possibly hostile.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classify/conversation.h"
#include "classify/http_classifier.h"

using namespace vigil::classify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  HttpClassifierConfig config;
  config.model = "fuzz";
  config.version = "1";
  if (auto score = ParseClassifierResponse(config, json); score.ok()) {
    if (!(score->value >= 0 && score->value <= 1)) __builtin_trap();  // documented range
  }
  ConversationLimits limits;
  limits.max_json_bytes = 1 << 16;
  limits.max_participants = 64;
  limits.max_messages = 256;
  limits.max_message_bytes = 4096;
  if (auto c = ParseConversation(json, "fuzz", limits); c.ok()) {
    if (c->messages.size() > limits.max_messages) __builtin_trap();
    for (size_t i = 1; i < c->messages.size(); ++i) {
      if (c->messages[i].time < c->messages[i - 1].time) __builtin_trap();  // time order
    }
  }
  return 0;
}
