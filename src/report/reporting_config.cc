#include "report/reporting_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/file.h"

namespace vigil::report {
namespace {

using Json = nlohmann::json;

constexpr int64_t kMaxLimitHours = 720;  // 30 days: anything longer is not "without delay"

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
           ch == '-';
  });
}

Status Bad(std::string_view name, std::string_view field, std::string_view problem) {
  return InvalidArgumentError(fmt::format("{}: \"{}\" {}", name, field, problem));
}

Result<std::vector<std::string>> ParseDestinations(const Json& value, std::string_view name) {
  if (!value.is_array()) return Bad(name, "destinations", "must be an array of names");
  std::vector<std::string> out;
  for (const Json& d : value) {
    if (!d.is_string()) return Bad(name, "destinations", "must be an array of names");
    std::string dest = d.get<std::string>();
    if (!ValidName(dest)) {
      return Bad(
          name, "destinations",
          fmt::format("has an invalid name '{}' (1 to 64 of a-z 0-9 . _ -)", dest.substr(0, 80)));
    }
    if (std::find(out.begin(), out.end(), dest) != out.end()) {
      return Bad(name, "destinations", fmt::format("names '{}' twice", dest));
    }
    out.push_back(std::move(dest));
  }
  return out;
}

}  // namespace

Result<ReportingConfig> ParseReportingConfig(std::string_view json, std::string_view name) {
  Json obj = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", name));
  if (!obj.is_object()) return InvalidArgumentError(fmt::format("{}: must be a JSON object", name));
  ReportingConfig c;
  for (const auto& [key, value] : obj.items()) {
    if (key == "destinations") {
      ASSIGN_OR_RETURN(c.destinations, ParseDestinations(value, name));
    } else if (key == "report_limit_hours") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > kMaxLimitHours) {
        return Bad(name, key, fmt::format("must be an integer from 1 to {}", kMaxLimitHours));
      }
      c.report_limit = std::chrono::hours(value.get<int64_t>());
    } else {
      return InvalidArgumentError(fmt::format("{}: unknown field \"{}\"", name, key));
    }
  }
  if (!obj.contains("destinations")) {
    // Required so that a file missing its list is noticed, not taken as "report nowhere".
    return Bad(name, "destinations", "is required (an empty list reports nowhere)");
  }
  return c;
}

Result<ReportingConfig> LoadReportingConfig(const std::string& path) {
  auto bytes = ReadFileBytes(path, 1 << 20);
  if (!bytes.ok()) return bytes.status().WithContext("reporting config");
  return ParseReportingConfig(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), path);
}

}  // namespace vigil::report
