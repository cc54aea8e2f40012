#include "transparency/report_config.h"

#include <fmt/format.h>

#include <set>

#include "core/file.h"
#include "transparency/json_input.h"

namespace vigil::transparency {
namespace {

using internal::OptionalString;
using internal::RequiredString;

Result<std::vector<std::string>> StringList(const nlohmann::json& j, std::string_view where) {
  RETURN_IF_ERROR(internal::RequireArray(j, where));
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string() || j[i].get<std::string>().empty()) {
      return InvalidArgumentError(fmt::format("{}[{}]: must be a non-empty string", where, i));
    }
    out.push_back(j[i].get<std::string>());
  }
  return out;
}

}  // namespace

Result<ReportConfig> ParseReportConfig(std::string_view json, std::string_view source,
                                       const StandardForm& form) {
  ASSIGN_OR_RETURN(nlohmann::json root, internal::ParseJson(json, source));
  RETURN_IF_ERROR(internal::RequireObject(root, source));
  for (const auto& [key, value] : root.items()) {
    if (key != "provider" && key != "services" && key != "organisations" && key != "answers") {
      return InvalidArgumentError(fmt::format("{}: unknown field \"{}\"", source, key));
    }
  }
  ReportConfig c;
  c.given = true;
  const std::string pw = fmt::format("{}: provider", source);
  const nlohmann::json provider = root.value("provider", nlohmann::json());
  RETURN_IF_ERROR(internal::RequireObject(provider, pw));
  ASSIGN_OR_RETURN(c.provider_name, RequiredString(provider, "name", pw));
  if (c.provider_name.empty()) return InvalidArgumentError(pw + ": name is empty");
  ASSIGN_OR_RETURN(std::optional<std::string> address, OptionalString(provider, "address", pw));
  ASSIGN_OR_RETURN(std::optional<std::string> contact, OptionalString(provider, "contact", pw));
  c.provider_address = address.value_or("");
  c.provider_contact = contact.value_or("");
  if (root.contains("services")) {
    ASSIGN_OR_RETURN(c.services, StringList(root["services"], fmt::format("{}: services", source)));
  }
  if (root.contains("organisations")) {
    c.organisations_given = true;
    const std::string ow = fmt::format("{}: organisations", source);
    RETURN_IF_ERROR(internal::RequireArray(root["organisations"], ow));
    for (size_t i = 0; i < root["organisations"].size(); ++i) {
      const std::string where = fmt::format("{}[{}]", ow, i);
      const nlohmann::json& o = root["organisations"][i];
      RETURN_IF_ERROR(internal::RequireObject(o, where));
      Organisation org;
      ASSIGN_OR_RETURN(org.name, RequiredString(o, "name", where));
      ASSIGN_OR_RETURN(org.kind, RequiredString(o, "kind", where));
      if (org.kind != "ncmec" && org.kind != "eu_centre" && org.kind != "other") {
        return InvalidArgumentError(
            fmt::format("{}: kind \"{}\" is not ncmec, eu_centre or other", where, org.kind));
      }
      c.organisations.push_back(std::move(org));
    }
  }
  std::set<std::string> text_figures;
  for (const FormRow& r : form.rows) {
    if (r.answer == AnswerKind::kText || r.answer == AnswerKind::kYesNo)
      text_figures.insert(r.figure);
  }
  if (root.contains("answers")) {
    const std::string aw = fmt::format("{}: answers", source);
    RETURN_IF_ERROR(internal::RequireObject(root["answers"], aw));
    for (const auto& [key, value] : root["answers"].items()) {
      if (!text_figures.count(key)) {
        return InvalidArgumentError(
            fmt::format("{}: \"{}\" is not the figure of a text row of standard form {}", aw, key,
                        form.act.id));
      }
      if (!value.is_string() || value.get<std::string>().empty()) {
        return InvalidArgumentError(fmt::format("{}: \"{}\" must be a non-empty string", aw, key));
      }
      c.answers[key] = value.get<std::string>();
    }
  }
  return c;
}

Result<ReportConfig> LoadReportConfig(const std::string& path, const StandardForm& form) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, 4 << 20));
  return ParseReportConfig(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path, form);
}

}  // namespace vigil::transparency
