// `vigil serve --config FILE`: the JSON configuration (docs/server.md).
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/server.h"

namespace vigil::server {
namespace {

using nlohmann::json;

Status Bad(std::string_view key, std::string_view problem) {
  return InvalidArgumentError(fmt::format("config key '{}': {}", key, problem));
}

Status Unknown(const json& obj, std::string_view where,
               std::initializer_list<std::string_view> known) {
  for (const auto& [key, v] : obj.items()) {
    bool ok = false;
    for (auto k : known) ok |= key == k;
    if (!ok) return Bad(fmt::format("{}{}", where, key), "unknown key");
  }
  return Status::Ok();
}

Status GetInt(const json& obj, std::string_view where, const char* key, int64_t min, int64_t max,
              int64_t* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max) {
    return Bad(fmt::format("{}{}", where, key),
               fmt::format("expected an integer from {} to {}", min, max));
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

Status GetString(const json& obj, const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_string()) return Bad(key, "expected a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ParseLimits(const json& l, ServerLimits& limits) {
  if (!l.is_object()) return Bad("limits", "expected an object");
  RETURN_IF_ERROR(
      Unknown(l, "limits.",
              {"max_body_bytes", "read_timeout_ms", "write_timeout_ms", "keep_alive_timeout_s",
               "keep_alive_max_requests", "max_list", "request_timeout_ms"}));
  int64_t body = static_cast<int64_t>(limits.max_body_bytes);
  int64_t read = limits.read_timeout.count(), write = limits.write_timeout.count();
  int64_t keep = limits.keep_alive_timeout.count(), keep_max = limits.keep_alive_max_requests;
  int64_t max_list = static_cast<int64_t>(limits.max_list);
  int64_t request = limits.request_timeout.count();
  RETURN_IF_ERROR(GetInt(l, "limits.", "max_body_bytes", 1, int64_t{1} << 40, &body));
  RETURN_IF_ERROR(GetInt(l, "limits.", "read_timeout_ms", 1, 3600000, &read));
  RETURN_IF_ERROR(GetInt(l, "limits.", "write_timeout_ms", 1, 3600000, &write));
  RETURN_IF_ERROR(GetInt(l, "limits.", "keep_alive_timeout_s", 1, 3600, &keep));
  RETURN_IF_ERROR(GetInt(l, "limits.", "keep_alive_max_requests", 1, 1000000000, &keep_max));
  RETURN_IF_ERROR(GetInt(l, "limits.", "max_list", 1, 100000, &max_list));
  RETURN_IF_ERROR(GetInt(l, "limits.", "request_timeout_ms", 0, 3600000, &request));
  limits = ServerLimits{static_cast<uint64_t>(body),       std::chrono::milliseconds(read),
                        std::chrono::milliseconds(write),  std::chrono::seconds(keep),
                        static_cast<int>(keep_max),        static_cast<size_t>(max_list),
                        std::chrono::milliseconds(request)};
  return Status::Ok();
}

// "nats": the workers' queue (docs/scaling.md). The stream settings matter when this server is
// the first to connect (it creates the streams), so they are the worker configuration's.
Status ParseNats(const json& n, queue::NatsOptions& nats) {
  if (!n.is_object()) return Bad("nats", "expected an object");
  RETURN_IF_ERROR(
      Unknown(n, "nats.", {"url", "max_jobs", "max_deliver", "ack_wait_ms", "max_ack_pending"}));
  auto url = n.find("url");
  if (url == n.end() || !url->is_string() || url->get<std::string>().empty()) {
    return Bad("nats.url", "expected a nats:// URL");
  }
  nats.url = url->get<std::string>();
  int64_t max_deliver = nats.max_deliver, ack_wait = nats.ack_wait.count();
  RETURN_IF_ERROR(GetInt(n, "nats.", "max_jobs", 1, int64_t{1} << 40, &nats.max_jobs));
  RETURN_IF_ERROR(GetInt(n, "nats.", "max_deliver", 1, 1000, &max_deliver));
  RETURN_IF_ERROR(GetInt(n, "nats.", "ack_wait_ms", 100, 86400000, &ack_wait));
  RETURN_IF_ERROR(
      GetInt(n, "nats.", "max_ack_pending", 1, int64_t{1} << 31, &nats.max_ack_pending));
  nats.max_deliver = static_cast<int>(max_deliver);
  nats.ack_wait = std::chrono::milliseconds(ack_wait);
  return Status::Ok();
}

}  // namespace

Result<ServerConfig> ParseServerConfig(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("config: not a JSON object");
  }
  // The console's plain media directory was replaced by the encrypted evidence store, which the
  // purge covers (Art 3(1)(h)); a configuration still naming it is refused so its files are not
  // forgotten.
  if (j.contains("media_dir")) {
    return Bad("media_dir",
               "no longer read: the console shows items' media from the encrypted evidence store "
               "(evidence_dir, evidence_keys; docs/console.md); delete the old directory's plain "
               "files, which no purge covers");
  }
  // One line per few keys, as before "nats" made clang-format put one key per line.
  // clang-format off
  RETURN_IF_ERROR(
      Unknown(j, "",
              {"address", "port", "database", "banks", "threads", "limits", "pdq_radius",
               "min_pdq_quality", "rules", "auth_cache_seconds", "reporting", "console_dir",
               "bank_poll_seconds", "exchange_sync_minutes", "evidence_dir",
               "evidence_keys", "purge_interval_seconds", "redress_config", "nats",
               "pseudonym_keys", "classifiers", "classifier_retry_seconds"}));
  // clang-format on
  ServerConfig c;
  int64_t port = c.port, threads = c.threads, radius = c.pdq_radius, purge = 0;
  int64_t quality = c.min_pdq_quality, cache = c.auth_cache.count(), poll = c.bank_poll.count();
  RETURN_IF_ERROR(GetString(j, "address", &c.address));
  RETURN_IF_ERROR(GetInt(j, "", "port", 0, 65535, &port));
  RETURN_IF_ERROR(GetString(j, "database", &c.database));
  RETURN_IF_ERROR(GetInt(j, "", "threads", 1, 1024, &threads));
  RETURN_IF_ERROR(GetInt(j, "", "pdq_radius", 0, 256, &radius));
  RETURN_IF_ERROR(GetInt(j, "", "min_pdq_quality", 0, 100, &quality));
  RETURN_IF_ERROR(GetString(j, "rules", &c.rules_file));
  RETURN_IF_ERROR(GetString(j, "redress_config", &c.redress_config));
  RETURN_IF_ERROR(GetString(j, "reporting", &c.reporting_file));
  RETURN_IF_ERROR(GetInt(j, "", "bank_poll_seconds", 0, 86400, &poll));
  RETURN_IF_ERROR(GetString(j, "console_dir", &c.console_dir));
  RETURN_IF_ERROR(GetInt(j, "", "auth_cache_seconds", 0, 3600, &cache));
  int64_t exchange_minutes = 0;
  RETURN_IF_ERROR(GetInt(j, "", "exchange_sync_minutes", 0, 7 * 24 * 60, &exchange_minutes));
  c.exchange_sync_interval = std::chrono::minutes(exchange_minutes);
  RETURN_IF_ERROR(GetString(j, "evidence_dir", &c.evidence_dir));
  RETURN_IF_ERROR(GetString(j, "evidence_keys", &c.evidence_keys_file));
  RETURN_IF_ERROR(GetString(j, "pseudonym_keys", &c.pseudonym_keys_file));
  RETURN_IF_ERROR(GetString(j, "classifiers", &c.classifiers_file));
  int64_t retry = c.classifier_retry_interval.count();
  RETURN_IF_ERROR(GetInt(j, "", "classifier_retry_seconds", 0, 86400, &retry));
  if (retry > 0 && retry < 10) return Bad("classifier_retry_seconds", "0 (off) or 10 to 86400");
  c.classifier_retry_interval = std::chrono::seconds(retry);
  RETURN_IF_ERROR(GetInt(j, "", "purge_interval_seconds", 0, 7 * 86400, &purge));
  if (purge > 0 && purge < 60) return Bad("purge_interval_seconds", "0 (off) or 60 to 604800");
  if (auto it = j.find("banks"); it != j.end()) {
    if (!it->is_array()) return Bad("banks", "expected an array of bank names");
    for (const auto& b : *it) {
      if (!b.is_string()) return Bad("banks", "expected an array of bank names");
      c.banks.push_back(b.get<std::string>());
    }
  }
  if (auto it = j.find("limits"); it != j.end()) RETURN_IF_ERROR(ParseLimits(*it, c.limits));
  if (auto it = j.find("nats"); it != j.end()) RETURN_IF_ERROR(ParseNats(*it, c.nats));
  // With nats, bank events bring other processes' changes; the poll only catches lost ones.
  if (!c.nats.url.empty() && !j.contains("bank_poll_seconds")) {
    poll = kBankPollWithEvents.count();
  }
  c.port = static_cast<int>(port);
  c.threads = static_cast<int>(threads);
  c.pdq_radius = static_cast<int>(radius);
  c.min_pdq_quality = static_cast<int>(quality);
  c.auth_cache = std::chrono::seconds(cache);
  c.bank_poll = std::chrono::seconds(poll);
  c.purge_interval = std::chrono::seconds(purge);
  return c;
}

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError(fmt::format("{}: cannot open config file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto config = ParseServerConfig(ss.str());
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

}  // namespace vigil::server
