#include "redress/config.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/file.h"

namespace vigil::redress {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxConfigBytes = 1 << 20;

Status CheckKeys(const json& j, const std::set<std::string>& known, std::string_view where) {
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) {
      return InvalidArgumentError(fmt::format("{}: unknown key \"{}\"", where, key.substr(0, 60)));
    }
  }
  return Status::Ok();
}

Result<std::string> String(const json& j, const char* key, std::string_view where,
                           std::string fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string()) {
    return InvalidArgumentError(fmt::format("{}: \"{}\" must be a string", where, key));
  }
  return j[key].get<std::string>();
}

Result<int64_t> Integer(const json& j, const char* key, std::string_view where, int64_t fallback,
                        int64_t lo, int64_t hi) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_number_integer()) {
    return InvalidArgumentError(fmt::format("{}: \"{}\" must be an integer", where, key));
  }
  const int64_t v = j[key].get<int64_t>();
  if (v < lo || v > hi) {
    return InvalidArgumentError(
        fmt::format("{}: \"{}\" must be {} to {}, not {}", where, key, lo, hi, v));
  }
  return v;
}

Result<WebhookConfig> ParseWebhook(const json& j, const std::string& where) {
  if (!j.is_object()) {
    return InvalidArgumentError(fmt::format("{}: \"webhook\" must be an object", where));
  }
  const std::string w = where + " webhook";
  RETURN_IF_ERROR(CheckKeys(j,
                            {"url", "bearer_token", "timeout_ms", "max_attempts",
                             "first_backoff_seconds", "max_backoff_seconds"},
                            w));
  WebhookConfig out;
  ASSIGN_OR_RETURN(out.url, String(j, "url", w, ""));
  if (!out.url.empty() && !out.url.starts_with("http://") && !out.url.starts_with("https://")) {
    return InvalidArgumentError(fmt::format("{}: \"url\" must start with http:// or https://", w));
  }
  ASSIGN_OR_RETURN(out.bearer_token, String(j, "bearer_token", w, ""));
  ASSIGN_OR_RETURN(int64_t timeout, Integer(j, "timeout_ms", w, 5000, 10, 120000));
  out.timeout = std::chrono::milliseconds(timeout);
  ASSIGN_OR_RETURN(int64_t attempts, Integer(j, "max_attempts", w, 8, 1, 100));
  out.max_attempts = static_cast<int>(attempts);
  ASSIGN_OR_RETURN(int64_t first, Integer(j, "first_backoff_seconds", w, 60, 1, 86400));
  out.first_backoff = std::chrono::seconds(first);
  ASSIGN_OR_RETURN(int64_t most, Integer(j, "max_backoff_seconds", w, 21600, 1, 7 * 86400));
  out.max_backoff = std::chrono::seconds(most);
  return out;
}

}  // namespace

Result<RedressFileConfig> ParseRedressConfig(std::string_view text, std::string_view source) {
  const std::string where = fmt::format("redress config {}", source);
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", where));
  }
  RETURN_IF_ERROR(CheckKeys(
      j,
      {"service_name", "supervisory_authority", "complaint_deadline_days",
       "complaint_decision_days", "default_language", "retention_days", "templates_dir", "webhook"},
      where));
  RedressFileConfig out;
  RedressConfig& r = out.redress;
  ASSIGN_OR_RETURN(r.service_name, String(j, "service_name", where, r.service_name));
  ASSIGN_OR_RETURN(r.supervisory_authority, String(j, "supervisory_authority", where, ""));
  ASSIGN_OR_RETURN(r.default_language, String(j, "default_language", where, "en"));
  ASSIGN_OR_RETURN(int64_t days, Integer(j, "complaint_deadline_days", where, 180, 1, 3650));
  r.complaint_deadline = std::chrono::days(days);
  ASSIGN_OR_RETURN(int64_t target, Integer(j, "complaint_decision_days", where, 14, 1, 365));
  r.complaint_decision_target = std::chrono::days(target);
  if (j.contains("retention_days")) {
    ASSIGN_OR_RETURN(r.retention,
                     privacy::ParseRetentionPolicyJson(j["retention_days"].dump(), where));
  }
  if (j.contains("templates_dir")) {
    ASSIGN_OR_RETURN(std::string dir, String(j, "templates_dir", where, ""));
    out.templates_dir = dir;
  }
  if (j.contains("webhook")) {
    ASSIGN_OR_RETURN(out.webhook, ParseWebhook(j["webhook"], where));
  }
  Status valid = ValidateRedressConfig(r);
  if (!valid.ok()) return InvalidArgumentError(fmt::format("{}: {}", where, valid.message()));
  return out;
}

Result<RedressFileConfig> LoadRedressConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, kMaxConfigBytes));
  return ParseRedressConfig(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

Result<NoticeTemplates> LoadNoticeTemplates(const RedressFileConfig& config) {
  if (config.templates_dir) return NoticeTemplates::FromDirectory(*config.templates_dir);
  return NoticeTemplates::Embedded();
}

}  // namespace vigil::redress
