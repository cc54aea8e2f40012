// Grooming rule files (GroomingScorer::Create: JSON plus RE2 patterns); a rule set that loads
// scores a fixed conversation, so the compiled patterns and indicators are run too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classify/conversation.h"
#include "classify/grooming.h"

using namespace vigil::classify;

namespace {
const Conversation& Sample() {
  static const Conversation c = [] {
    Conversation c;
    c.id = "c1";
    c.language = "en";
    c.participants = {{"a", 34, false, 5}, {"b", 13, true, std::nullopt}};
    c.messages = {{"m1", "a", 1700000000, "hi, keep this between us"},
                  {"m2", "b", 1700000100, "ok"},
                  {"m3", "a", 1700000200, "send me a photo, don't tell your parents"}};
    return c;
  }();
  return c;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto scorer = GroomingScorer::Create(json, "fuzz");
  if (!scorer.ok()) return 0;
  if (auto score = (*scorer)->ScoreConversation(Sample()); score.ok()) {
    if (!(score->value >= 0 && score->value <= 1)) __builtin_trap();
  }
  return 0;
}
