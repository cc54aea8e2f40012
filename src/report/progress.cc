#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/reporter.h"

namespace vigil::report {

std::string ProgressToJson(const DeliveryProgress& p) {
  nlohmann::json j = nlohmann::json::object();
  if (p.remote_id) j["remote_id"] = *p.remote_id;
  if (p.opened_at) j["opened_at"] = p.opened_at->time_since_epoch().count();
  if (p.touched_at) j["touched_at"] = p.touched_at->time_since_epoch().count();
  j["files"] = nlohmann::json::array();
  for (const auto& f : p.files) {
    j["files"].push_back(
        {{"item_id", f.item_id}, {"file_id", f.file_id}, {"info_sent", f.info_sent}});
  }
  j["in_flight"] = p.in_flight;
  j["finished"] = p.finished;
  j["restarts"] = p.restarts;
  return j.dump();
}

Result<DeliveryProgress> ProgressFromJson(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return DataLossError("stored delivery progress is not a JSON object");
  }
  DeliveryProgress p;
  try {
    if (j.contains("remote_id")) p.remote_id = j.at("remote_id").get<int64_t>();
    if (j.contains("opened_at"))
      p.opened_at = TimePoint(std::chrono::seconds(j.at("opened_at").get<int64_t>()));
    if (j.contains("touched_at"))
      p.touched_at = TimePoint(std::chrono::seconds(j.at("touched_at").get<int64_t>()));
    for (const auto& f : j.at("files")) {
      p.files.push_back({.item_id = f.at("item_id").get<std::string>(),
                         .file_id = f.at("file_id").get<std::string>(),
                         .info_sent = f.at("info_sent").get<bool>()});
    }
    p.in_flight = j.at("in_flight").get<std::string>();
    p.finished = j.at("finished").get<bool>();
    p.restarts = j.at("restarts").get<int>();
  } catch (const nlohmann::json::exception& e) {
    // nlohmann reports missing fields and wrong types by exception; this adapter maps them.
    return DataLossError(fmt::format("stored delivery progress is damaged: {}", e.what()));
  }
  return p;
}

}  // namespace vigil::report
