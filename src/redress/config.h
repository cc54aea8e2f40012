// The redress configuration file (JSON; docs/redress.md): the complaint deadline, what notices
// name, the notice templates and the webhook the notice outbox delivers to.
//
// Thread safety: pure functions.
#ifndef VIGIL_REDRESS_CONFIG_H_
#define VIGIL_REDRESS_CONFIG_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "redress/service.h"

namespace vigil::redress {

// Where and how user notices are delivered (the operator's backend tells the user).
struct WebhookConfig {
  std::string url{};           // http://host:port/path or https://...; empty: notices are not sent
  std::string bearer_token{};  // sent as "Authorization: Bearer ..." when set
  std::chrono::milliseconds timeout{5000};
  int max_attempts = 8;
  std::chrono::seconds first_backoff{60};  // doubled after each failure
  std::chrono::seconds max_backoff{std::chrono::hours(6)};
};

struct RedressFileConfig {
  RedressConfig redress{};
  std::optional<std::string> templates_dir{};  // the embedded templates when empty
  WebhookConfig webhook{};
};

// Parses {"service_name": ..., "supervisory_authority": ..., "complaint_deadline_days": 180,
// "complaint_decision_days": 14, "default_language": "en", "retention_days": {...} (optional,
// privacy/retention.h), "templates_dir": "...", "webhook": {"url": ..., "bearer_token": ...,
// "timeout_ms": ..., "max_attempts": ..., "first_backoff_seconds": ..., "max_backoff_seconds":
// ...}}. kInvalidArgument naming `source` and the key for malformed JSON, unknown keys, wrong types
// and values out of range.
Result<RedressFileConfig> ParseRedressConfig(std::string_view json, std::string_view source);
// Reads and parses the file at `path`; kNotFound when it does not exist.
Result<RedressFileConfig> LoadRedressConfig(const std::string& path);
// The templates the configuration names (its directory, or the embedded ones).
Result<NoticeTemplates> LoadNoticeTemplates(const RedressFileConfig& config);

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_CONFIG_H_
