#include "transparency/standard_form.h"

#include <fmt/format.h>

#include <set>

#include "core/file.h"
#include "transparency/form_data.h"
#include "transparency/json_input.h"

namespace vigil::transparency {
namespace {

using internal::OptionalBool;
using internal::OptionalInt;
using internal::OptionalString;
using internal::RequiredString;

constexpr uint64_t kMaxFormBytes = 4 << 20;

Result<AnswerKind> ParseAnswerKind(std::string_view name, std::string_view where) {
  for (AnswerKind k : {AnswerKind::kCount, AnswerKind::kText, AnswerKind::kYesNo, AnswerKind::kRate,
                       AnswerKind::kDuration}) {
    if (AnswerKindName(k) == name) return k;
  }
  return InvalidArgumentError(fmt::format(
      "{}: answer \"{}\" is not one of count, text, yes_no, rate, duration", where, name));
}

Result<FormAct> ParseAct(const nlohmann::json& j, std::string_view where) {
  RETURN_IF_ERROR(internal::RequireObject(j, where));
  FormAct a;
  ASSIGN_OR_RETURN(a.id, RequiredString(j, "id", where));
  ASSIGN_OR_RETURN(a.title, RequiredString(j, "title", where));
  for (auto [key, field] : {std::pair{"subject", &a.subject},
                            {"celex", &a.celex},
                            {"eli", &a.eli},
                            {"official_journal", &a.official_journal},
                            {"in_force_from", &a.in_force_from},
                            {"legal_basis", &a.legal_basis},
                            {"report_article", &a.report_article},
                            {"due", &a.due},
                            {"status_note", &a.status_note}}) {
    ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(j, key, where));
    *field = v.value_or("");
  }
  return a;
}

Result<FormRow> ParseRow(const nlohmann::json& j, std::string_view where) {
  RETURN_IF_ERROR(internal::RequireObject(j, where));
  FormRow r;
  ASSIGN_OR_RETURN(r.id, RequiredString(j, "id", where));
  ASSIGN_OR_RETURN(std::optional<int64_t> category, OptionalInt(j, "category", where));
  if (!category) return InvalidArgumentError(fmt::format("{}: missing field \"category\"", where));
  r.category = static_cast<int>(*category);
  ASSIGN_OR_RETURN(std::optional<std::string> ref, OptionalString(j, "ref", where));
  r.ref = ref.value_or("");
  ASSIGN_OR_RETURN(r.group, RequiredString(j, "group", where));
  ASSIGN_OR_RETURN(r.subcategory, RequiredString(j, "subcategory", where));
  ASSIGN_OR_RETURN(std::optional<std::string> description, OptionalString(j, "description", where));
  r.description = description.value_or("");
  if (r.subcategory.empty() && r.description.empty()) {
    return InvalidArgumentError(
        fmt::format("{}: a row needs a subcategory or a description", where));
  }
  ASSIGN_OR_RETURN(std::optional<bool> optional, OptionalBool(j, "optional", where));
  r.optional = optional.value_or(false);
  ASSIGN_OR_RETURN(std::string answer, RequiredString(j, "answer", where));
  ASSIGN_OR_RETURN(r.answer, ParseAnswerKind(answer, where));
  ASSIGN_OR_RETURN(r.figure, RequiredString(j, "figure", where));
  return r;
}

Status CheckConsistent(const StandardForm& form, std::string_view source) {
  std::set<int> categories;
  for (const FormCategory& c : form.categories) {
    if (!categories.insert(c.number).second) {
      return InvalidArgumentError(fmt::format("{}: category {} declared twice", source, c.number));
    }
  }
  std::set<std::string> ids, figures;
  std::set<int> used;
  for (const FormRow& r : form.rows) {
    if (!categories.count(r.category)) {
      return InvalidArgumentError(
          fmt::format("{}: row {} is in undeclared category {}", source, r.id, r.category));
    }
    if (!ids.insert(r.id).second) {
      return InvalidArgumentError(fmt::format("{}: row id {} appears twice", source, r.id));
    }
    if (r.figure.empty() || !figures.insert(r.figure).second) {
      return InvalidArgumentError(
          fmt::format("{}: row {}: figure \"{}\" is empty or used twice", source, r.id, r.figure));
    }
    used.insert(r.category);
  }
  for (int c : categories) {
    if (!used.count(c)) {
      return InvalidArgumentError(fmt::format("{}: category {} has no rows", source, c));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view AnswerKindName(AnswerKind kind) {
  switch (kind) {
    case AnswerKind::kCount:
      return "count";
    case AnswerKind::kText:
      return "text";
    case AnswerKind::kYesNo:
      return "yes_no";
    case AnswerKind::kRate:
      return "rate";
    case AnswerKind::kDuration:
      return "duration";
  }
  return "text";
}

Result<StandardForm> ParseStandardForm(std::string_view json, std::string_view source) {
  ASSIGN_OR_RETURN(nlohmann::json root, internal::ParseJson(json, source));
  RETURN_IF_ERROR(internal::RequireObject(root, source));
  ASSIGN_OR_RETURN(std::string format, RequiredString(root, "format", source));
  if (format != "vigil-standard-form") {
    return InvalidArgumentError(
        fmt::format("{}: format is \"{}\", expected \"vigil-standard-form\"", source, format));
  }
  StandardForm form;
  ASSIGN_OR_RETURN(form.act,
                   ParseAct(root.value("act", nlohmann::json()), fmt::format("{}: act", source)));
  const nlohmann::json categories = root.value("categories", nlohmann::json());
  RETURN_IF_ERROR(internal::RequireArray(categories, fmt::format("{}: categories", source)));
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string where = fmt::format("{}: categories[{}]", source, i);
    RETURN_IF_ERROR(internal::RequireObject(categories[i], where));
    FormCategory c;
    ASSIGN_OR_RETURN(std::optional<int64_t> number, OptionalInt(categories[i], "number", where));
    if (!number) return InvalidArgumentError(fmt::format("{}: missing field \"number\"", where));
    c.number = static_cast<int>(*number);
    ASSIGN_OR_RETURN(c.title, RequiredString(categories[i], "title", where));
    ASSIGN_OR_RETURN(std::optional<std::string> d,
                     OptionalString(categories[i], "description", where));
    c.description = d.value_or("");
    form.categories.push_back(std::move(c));
  }
  const nlohmann::json rows = root.value("rows", nlohmann::json());
  RETURN_IF_ERROR(internal::RequireArray(rows, fmt::format("{}: rows", source)));
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(FormRow r, ParseRow(rows[i], fmt::format("{}: rows[{}]", source, i)));
    form.rows.push_back(std::move(r));
  }
  RETURN_IF_ERROR(CheckConsistent(form, source));
  return form;
}

Result<StandardForm> BuiltInForm(std::string_view id) {
  for (const internal::EmbeddedForm& f : internal::EmbeddedForms()) {
    if (f.id == id) return ParseStandardForm(f.json, fmt::format("standard form {}", id));
  }
  return NotFoundError(fmt::format("no built-in standard form \"{}\" (built in: {})", id,
                                   fmt::join(BuiltInFormIds(), ", ")));
}

std::vector<std::string> BuiltInFormIds() {
  std::vector<std::string> ids;
  for (const internal::EmbeddedForm& f : internal::EmbeddedForms()) ids.emplace_back(f.id);
  return ids;
}

Result<StandardForm> LoadStandardForm(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, kMaxFormBytes));
  return ParseStandardForm(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

}  // namespace vigil::transparency
