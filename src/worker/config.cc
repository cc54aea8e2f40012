#include "worker/config.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace vigil::worker {
namespace {

using Json = nlohmann::json;

Status Unknown(const Json& j, const std::set<std::string>& known, std::string_view where) {
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) {
      return InvalidArgumentError(fmt::format("{}: unknown key '{}'", where, key));
    }
  }
  return Status::Ok();
}

template <typename T>
Status Read(const Json& j, const char* key, std::string_view where, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) {
      return InvalidArgumentError(fmt::format("{}: '{}' must be a string", where, key));
    }
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!it->is_array()) {
      return InvalidArgumentError(fmt::format("{}: '{}' must be an array of strings", where, key));
    }
    for (const Json& v : *it) {
      if (!v.is_string()) {
        return InvalidArgumentError(
            fmt::format("{}: '{}' must be an array of strings", where, key));
      }
    }
  } else {
    if (!it->is_number_integer() || it->template get<int64_t>() < 1) {
      return InvalidArgumentError(fmt::format("{}: '{}' must be a positive integer", where, key));
    }
  }
  *out = it->template get<T>();
  return Status::Ok();
}

Status ReadNats(const Json& j, std::string_view where, queue::NatsOptions* nats) {
  if (!j.is_object())
    return InvalidArgumentError(fmt::format("{}: 'nats' must be an object", where));
  const std::string at = fmt::format("{}: nats", where);
  RETURN_IF_ERROR(
      Unknown(j, {"url", "max_jobs", "max_deliver", "ack_wait_ms", "max_ack_pending"}, at));
  RETURN_IF_ERROR(Read(j, "url", at, &nats->url));
  RETURN_IF_ERROR(Read(j, "max_jobs", at, &nats->max_jobs));
  RETURN_IF_ERROR(Read(j, "max_deliver", at, &nats->max_deliver));
  RETURN_IF_ERROR(Read(j, "max_ack_pending", at, &nats->max_ack_pending));
  int64_t ack_wait_ms = nats->ack_wait.count();
  RETURN_IF_ERROR(Read(j, "ack_wait_ms", at, &ack_wait_ms));
  nats->ack_wait = std::chrono::milliseconds(ack_wait_ms);
  return Status::Ok();
}

}  // namespace

Result<WorkerConfig> ParseWorkerConfig(std::string_view json, std::string_view where) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", where));
  if (!j.is_object()) return InvalidArgumentError(fmt::format("{}: not a JSON object", where));
  RETURN_IF_ERROR(Unknown(j,
                          {"name", "database", "nats", "threads", "batch", "retry_delay_ms",
                           "rules", "banks", "metrics_listen", "legal_basis",
                           "ledger_retention_hours", "pseudonym_keys", "evidence_keys"},
                          where));
  WorkerConfig c;
  RETURN_IF_ERROR(Read(j, "database", where, &c.database));
  if (c.database.empty()) {
    return InvalidArgumentError(
        fmt::format("{}: 'database' (a postgresql:// URL) is required", where));
  }
  if (auto n = j.find("nats"); n != j.end()) RETURN_IF_ERROR(ReadNats(*n, where, &c.nats));
  RETURN_IF_ERROR(Read(j, "name", where, &c.worker.name));
  RETURN_IF_ERROR(Read(j, "threads", where, &c.worker.threads));
  RETURN_IF_ERROR(Read(j, "batch", where, &c.worker.batch));
  int64_t retry_ms = c.worker.retry_delay.count();
  RETURN_IF_ERROR(Read(j, "retry_delay_ms", where, &retry_ms));
  c.worker.retry_delay = std::chrono::milliseconds(retry_ms);
  RETURN_IF_ERROR(Read(j, "rules", where, &c.rules_file));
  RETURN_IF_ERROR(Read(j, "banks", where, &c.banks));
  RETURN_IF_ERROR(Read(j, "metrics_listen", where, &c.metrics_listen));
  RETURN_IF_ERROR(Read(j, "legal_basis", where, &c.legal_basis));
  RETURN_IF_ERROR(Read(j, "ledger_retention_hours", where, &c.ledger_retention_hours));
  RETURN_IF_ERROR(Read(j, "pseudonym_keys", where, &c.pseudonym_keys_file));
  RETURN_IF_ERROR(Read(j, "evidence_keys", where, &c.evidence_keys_file));
  c.worker.max_deliver = c.nats.max_deliver;
  c.nats.client_name = "vigil-worker-" + c.worker.name;
  return c;
}

Result<WorkerConfig> LoadWorkerConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError(fmt::format("{}: cannot open worker configuration", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseWorkerConfig(ss.str(), path);
}

}  // namespace vigil::worker
