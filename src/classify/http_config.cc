// Parsing the external classifier's configuration (http_classifier.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "classify/http_classifier.h"

namespace vigil::classify {
namespace {

Result<int64_t> Positive(const nlohmann::json& v, const std::string& key) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 86400000) {
    return InvalidArgumentError(fmt::format("'{}' must be a positive integer", key));
  }
  return v.get<int64_t>();
}

Status SetField(const std::string& key, const nlohmann::json& v, HttpClassifierConfig* c) {
  auto text = [&](std::string* out) -> Status {
    if (!v.is_string()) return InvalidArgumentError(fmt::format("'{}' must be a string", key));
    *out = v.get<std::string>();
    return Status::Ok();
  };
  if (key == "model") return text(&c->model);
  if (key == "version") return text(&c->version);
  if (key == "url") return text(&c->url);
  if (key == "authorization") return text(&c->authorization);
  ASSIGN_OR_RETURN(int64_t n, Positive(v, key));
  if (key == "timeout_ms") {
    c->timeout = std::chrono::milliseconds(n);
  } else if (key == "max_attempts") {
    c->max_attempts = static_cast<int>(std::min<int64_t>(n, 10));
  } else if (key == "backoff_ms") {
    c->backoff = std::chrono::milliseconds(n);
  } else if (key == "breaker_failures") {
    c->breaker_failures = static_cast<int>(n);
  } else if (key == "breaker_open_seconds") {
    c->breaker_open_seconds = n;
  } else {
    return InvalidArgumentError(fmt::format("unknown field '{}'", key));
  }
  return Status::Ok();
}

}  // namespace

Result<HttpClassifierConfig> ParseHttpClassifierConfig(std::string_view json,
                                                       std::string_view name) {
  auto root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", name));
  }
  HttpClassifierConfig config;
  for (const auto& [key, value] : root.items()) {
    Status s = SetField(key, value, &config);
    if (!s.ok()) return s.WithContext(name);
  }
  if (config.url.empty()) return InvalidArgumentError(fmt::format("{}: 'url' is required", name));
  return config;
}

}  // namespace vigil::classify
