#include "report/ncmec/ncmec_config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

namespace vigil::report::ncmec {

namespace {

using Json = nlohmann::json;

Result<std::string> StringField(const Json& obj, const char* key, std::string_view where) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::string();
  if (!it->is_string()) {
    return InvalidArgumentError(fmt::format("{}: \"{}\" must be a string", where, key));
  }
  return it->get<std::string>();
}

Status CheckKeys(const Json& obj, const std::set<std::string>& known, std::string_view where) {
  for (const auto& [key, value] : obj.items()) {
    if (!known.count(key))
      return InvalidArgumentError(fmt::format("{}: unknown field \"{}\"", where, key));
  }
  return Status::Ok();
}

Result<Contact> ParseContact(const Json& obj, const char* key, std::string_view name) {
  const std::string where = fmt::format("{}: {}", name, key);
  auto it = obj.find(key);
  if (it == obj.end()) return Contact{};
  if (!it->is_object()) return InvalidArgumentError(fmt::format("{} must be an object", where));
  RETURN_IF_ERROR(CheckKeys(*it, {"first_name", "last_name", "email", "phone"}, where));
  Contact c;
  ASSIGN_OR_RETURN(c.first_name, StringField(*it, "first_name", where));
  ASSIGN_OR_RETURN(c.last_name, StringField(*it, "last_name", where));
  ASSIGN_OR_RETURN(c.email, StringField(*it, "email", where));
  ASSIGN_OR_RETURN(c.phone, StringField(*it, "phone", where));
  return c;
}

}  // namespace

Result<NcmecConfig> ParseNcmecConfig(std::string_view json, std::string_view name) {
  Json obj = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", name));
  if (!obj.is_object()) return InvalidArgumentError(fmt::format("{}: must be a JSON object", name));
  RETURN_IF_ERROR(
      CheckKeys(obj,
                {"org_name", "reporter", "contact", "platform", "service_url", "legal_url",
                 "endpoint", "username", "password_env", "xsd_path", "timeout_seconds"},
                name));
  NcmecConfig c;
  ASSIGN_OR_RETURN(c.org_name, StringField(obj, "org_name", name));
  ASSIGN_OR_RETURN(c.reporter, ParseContact(obj, "reporter", name));
  ASSIGN_OR_RETURN(c.contact, ParseContact(obj, "contact", name));
  ASSIGN_OR_RETURN(c.platform, StringField(obj, "platform", name));
  ASSIGN_OR_RETURN(c.service_url, StringField(obj, "service_url", name));
  ASSIGN_OR_RETURN(c.legal_url, StringField(obj, "legal_url", name));
  ASSIGN_OR_RETURN(std::string endpoint, StringField(obj, "endpoint", name));
  if (!endpoint.empty()) c.endpoint = endpoint;
  ASSIGN_OR_RETURN(c.username, StringField(obj, "username", name));
  ASSIGN_OR_RETURN(c.xsd_path, StringField(obj, "xsd_path", name));
  ASSIGN_OR_RETURN(std::string password_env, StringField(obj, "password_env", name));
  if (auto it = obj.find("timeout_seconds"); it != obj.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 600) {
      return InvalidArgumentError(
          fmt::format("{}: \"timeout_seconds\" must be an integer from 1 to 600", name));
    }
    c.timeout = std::chrono::seconds(it->get<int64_t>());
  }
  if (c.org_name.empty())
    return InvalidArgumentError(fmt::format("{}: \"org_name\" is required", name));
  if (c.reporter.email.empty()) {
    return InvalidArgumentError(fmt::format("{}: \"reporter\".\"email\" is required", name));
  }
  if (!c.endpoint.starts_with("https://") && !c.endpoint.starts_with("http://")) {
    return InvalidArgumentError(
        fmt::format("{}: endpoint '{}' is not an http(s) URL", name, c.endpoint));
  }
  if (!password_env.empty()) {
    const char* value = std::getenv(password_env.c_str());
    if (value == nullptr) {
      return InvalidArgumentError(
          fmt::format("{}: \"password_env\" names {}, which is not set in the environment", name,
                      password_env));
    }
    c.password = value;
  }
  return c;
}

}  // namespace vigil::report::ncmec
