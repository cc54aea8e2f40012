#include "classify/conversation.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.h"

namespace vigil::classify {
namespace {

using Json = nlohmann::json;

Result<std::string> GetText(const Json& j, const char* key, bool required, size_t max_bytes) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) return InvalidArgumentError(fmt::format("'{}' is required", key));
    return std::string();
  }
  if (!it->is_string()) return InvalidArgumentError(fmt::format("'{}' must be a string", key));
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    return ResourceExhaustedError(
        fmt::format("'{}' has {} bytes, more than the limit {}", key, s.size(), max_bytes));
  }
  // Stored and shown to reviewers: hostile bytes are refused where they enter.
  if (!IsValidUtf8(s)) return InvalidArgumentError(fmt::format("'{}' is not valid UTF-8", key));
  return s;
}

Result<std::optional<int>> GetOptionalInt(const Json& j, const char* key, int lo, int hi) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<int>();
  if (!it->is_number_integer()) {
    return InvalidArgumentError(fmt::format("'{}' must be an integer", key));
  }
  const int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    return InvalidArgumentError(fmt::format("'{}' {} is outside {}..{}", key, v, lo, hi));
  }
  return std::optional<int>(static_cast<int>(v));
}

Result<Participant> ParseParticipant(const Json& j) {
  if (!j.is_object()) return InvalidArgumentError("must be an object");
  Participant p;
  ASSIGN_OR_RETURN(p.id, GetText(j, "id", true, 256));
  if (p.id.empty()) return InvalidArgumentError("'id' is empty");
  ASSIGN_OR_RETURN(p.age, GetOptionalInt(j, "age", 0, 150));
  ASSIGN_OR_RETURN(p.minors_contacted, GetOptionalInt(j, "minors_contacted", 0, 1000000000));
  ASSIGN_OR_RETURN(std::string source, GetText(j, "age_source", false, 32));
  if (source == "estimated") {
    p.age_estimated = true;
  } else if (!source.empty() && source != "declared") {
    return InvalidArgumentError(
        fmt::format("'age_source' '{}' is neither 'declared' nor 'estimated'", source));
  }
  return p;
}

Result<Message> ParseMessage(const Json& j, const ConversationLimits& limits) {
  if (!j.is_object()) return InvalidArgumentError("must be an object");
  Message m;
  ASSIGN_OR_RETURN(m.id, GetText(j, "id", true, 256));
  if (m.id.empty()) return InvalidArgumentError("'id' is empty");
  ASSIGN_OR_RETURN(m.from, GetText(j, "from", true, 256));
  ASSIGN_OR_RETURN(m.text, GetText(j, "text", true, limits.max_message_bytes));
  auto t = j.find("time");
  if (t == j.end() || !t->is_number_integer()) {
    return InvalidArgumentError("'time' (integer Unix seconds) is required");
  }
  m.time = t->get<int64_t>();
  return m;
}

template <typename T, typename F>
Status ParseArray(const Json& root, const char* key, size_t limit, F parse, std::vector<T>* out) {
  auto it = root.find(key);
  if (it == root.end() || !it->is_array()) {
    return InvalidArgumentError(fmt::format("'{}' must be an array", key));
  }
  if (it->size() > limit) {
    return ResourceExhaustedError(
        fmt::format("{} {}, more than the limit {}", it->size(), key, limit));
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < it->size(); ++i) {
    auto v = parse((*it)[i]);
    if (!v.ok()) return v.status().WithContext(fmt::format("{}[{}]", key, i));
    if (!ids.insert(v->id).second) {
      return InvalidArgumentError(fmt::format("{}[{}]: duplicate id '{}'", key, i, v->id));
    }
    out->push_back(std::move(*v));
  }
  return Status::Ok();
}

Result<Conversation> ParseRoot(const Json& root, const ConversationLimits& limits) {
  if (!root.is_object()) return InvalidArgumentError("the top level must be an object");
  Conversation c;
  ASSIGN_OR_RETURN(c.id, GetText(root, "id", false, 256));
  ASSIGN_OR_RETURN(c.language, GetText(root, "language", false, 16));
  RETURN_IF_ERROR(ParseArray<Participant>(root, "participants", limits.max_participants,
                                          ParseParticipant, &c.participants));
  RETURN_IF_ERROR(ParseArray<Message>(
      root, "messages", limits.max_messages, [&](const Json& j) { return ParseMessage(j, limits); },
      &c.messages));
  for (size_t i = 0; i < c.messages.size(); ++i) {
    if (FindParticipant(c, c.messages[i].from) == nullptr) {
      return InvalidArgumentError(
          fmt::format("messages[{}]: 'from' '{}' is not a participant", i, c.messages[i].from));
    }
  }
  std::stable_sort(c.messages.begin(), c.messages.end(),
                   [](const Message& a, const Message& b) { return a.time < b.time; });
  return c;
}

}  // namespace

Result<Conversation> ParseConversation(std::string_view json, std::string_view name,
                                       const ConversationLimits& limits) {
  if (json.size() > limits.max_json_bytes) {
    return ResourceExhaustedError(fmt::format("{}: {} bytes, more than the limit {}", name,
                                              json.size(), limits.max_json_bytes));
  }
  // Checked before parsing, so the error says what is wrong rather than "not valid JSON".
  if (!IsValidUtf8(json)) {
    return InvalidArgumentError(fmt::format("{}: not valid UTF-8", name));
  }
  Json root = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", name));
  auto c = ParseRoot(root, limits);
  if (!c.ok()) return c.status().WithContext(name);
  return c;
}

const Participant* FindParticipant(const Conversation& c, std::string_view id) {
  for (const Participant& p : c.participants) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

}  // namespace vigil::classify
