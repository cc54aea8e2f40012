#include "redress/notice_template.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "redress/embedded_data.h"
#include "redress/text_fill.h"

namespace vigil::redress {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 9> kPlaceholders = {
    "service", "date", "item", "reason", "technologies", "deadline", "case", "action", "authority"};
constexpr std::array<ActionKind, 4> kNoticeKinds = {
    ActionKind::kRemoveContent, ActionKind::kBlockContent, ActionKind::kSuspendAccount,
    ActionKind::kTerminateAccount};
constexpr uint64_t kMaxTemplateBytes = 1 << 20;

Result<std::string> TextField(const json& j, std::string_view key, std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgumentError(fmt::format("{}: \"{}\" must be a non-empty string", where, key));
  }
  std::string text = it->get<std::string>();
  RETURN_IF_ERROR(
      internal::CheckPlaceholders(text, kPlaceholders, fmt::format("{} \"{}\"", where, key)));
  return text;
}

std::string Date(TimePoint t) { return FormatUtc(t).substr(0, 10); }

}  // namespace

Result<NoticeTemplate> ParseNoticeTemplate(std::string_view text, std::string_view source) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return InvalidArgumentError(fmt::format("user-notice template {}: not valid JSON", source));
  }
  const std::string where = fmt::format("user-notice template {}", source);
  if (!j.is_object() || j.value("kind", json()) != "vigil user notice") {
    return InvalidArgumentError(
        fmt::format("{}: not a user-notice template (\"kind\": \"vigil user notice\")", where));
  }
  NoticeTemplate t;
  ASSIGN_OR_RETURN(t.language, TextField(j, "language", where));
  ASSIGN_OR_RETURN(t.version, TextField(j, "version", where));
  ASSIGN_OR_RETURN(t.subject, TextField(j, "subject", where));
  ASSIGN_OR_RETURN(t.reason, TextField(j, "reason", where));
  ASSIGN_OR_RETURN(t.legal_basis, TextField(j, "legal_basis", where));
  ASSIGN_OR_RETURN(t.redress, TextField(j, "redress", where));
  ASSIGN_OR_RETURN(t.authority, TextField(j, "authority", where));
  ASSIGN_OR_RETURN(t.judicial, TextField(j, "judicial", where));
  auto what = j.find("what_happened");
  if (what == j.end() || !what->is_object()) {
    return InvalidArgumentError(fmt::format("{}: \"what_happened\" must be an object", where));
  }
  for (ActionKind kind : kNoticeKinds) {
    ASSIGN_OR_RETURN(t.what_happened[kind],
                     TextField(*what, ActionKindName(kind), where + " what_happened"));
  }
  return t;
}

Result<NoticeTemplates> NoticeTemplates::FromSources(
    const std::vector<std::pair<std::string, std::string>>& sources) {
  NoticeTemplates out;
  for (const auto& [name, text] : sources) {
    ASSIGN_OR_RETURN(NoticeTemplate t, ParseNoticeTemplate(text, name));
    if (out.by_language_.contains(t.language)) {
      return InvalidArgumentError(fmt::format(
          "user-notice template {}: a second template for language {}", name, t.language));
    }
    out.by_language_[t.language] = std::move(t);
  }
  if (out.by_language_.empty()) return InvalidArgumentError("no user-notice template");
  return out;
}

Result<NoticeTemplates> NoticeTemplates::Embedded() {
  std::vector<std::pair<std::string, std::string>> sources;
  for (const internal::EmbeddedFile& f : internal::EmbeddedNoticeTemplates()) {
    sources.emplace_back(fmt::format("data/notices/{}.json", f.name), std::string(f.json));
  }
  return FromSources(sources);
}

Result<NoticeTemplates> NoticeTemplates::FromDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(fmt::format("user-notice template directory {} does not exist", dir));
  }
  std::vector<std::string> paths;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".json") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::pair<std::string, std::string>> sources;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, kMaxTemplateBytes));
    sources.emplace_back(path, std::string(bytes.begin(), bytes.end()));
  }
  if (sources.empty()) {
    return InvalidArgumentError(fmt::format("user-notice template directory {} has no .json", dir));
  }
  return FromSources(sources);
}

Result<NoticeTemplate> NoticeTemplates::For(std::string_view language) const {
  auto it = by_language_.find(language);
  if (it != by_language_.end()) return it->second;
  return NotFoundError(fmt::format("no user-notice template for language {} (available: {})",
                                   language.substr(0, 40), fmt::join(Languages(), ", ")));
}

std::vector<std::string> NoticeTemplates::Languages() const {
  std::vector<std::string> out;
  for (const auto& [language, t] : by_language_) out.push_back(language);
  return out;
}

Result<RenderedNotice> RenderUserNotice(const NoticeTemplate& t, const Action& action,
                                        const NoticeFacts& facts) {
  auto what = t.what_happened.find(action.kind);
  if (!NeedsUserNotice(action.kind) || what == t.what_happened.end()) {
    return InvalidArgumentError(
        fmt::format("action kind {} has no user notice", ActionKindName(action.kind)));
  }
  const std::map<std::string, std::string> values = {{"service", facts.service},
                                                     {"date", Date(action.taken_at)},
                                                     {"item", action.item_id},
                                                     {"reason", action.reason},
                                                     {"technologies", action.technologies},
                                                     {"deadline", Date(facts.complaint_deadline)},
                                                     {"case", std::to_string(action.case_id)},
                                                     {"action", std::to_string(action.id)},
                                                     {"authority", facts.authority}};
  RenderedNotice out;
  out.subject = internal::Fill(t.subject, values);
  std::vector<std::string> paragraphs;
  for (const std::string* p :
       {&what->second, &t.reason, &t.legal_basis, &t.redress, &t.authority, &t.judicial}) {
    paragraphs.push_back(internal::Fill(*p, values));
  }
  out.text = fmt::format("{}", fmt::join(paragraphs, "\n\n"));
  json body = {{"notice_version", t.version},
               {"language", t.language},
               {"account_id", action.account_id},
               {"case_id", action.case_id},
               {"action_id", action.id},
               {"action", ActionKindName(action.kind)},
               {"item_id", action.item_id},
               {"taken_at", FormatUtc(action.taken_at)},
               {"complaint_deadline", FormatUtc(facts.complaint_deadline)},
               {"supervisory_authority", facts.authority},
               {"subject", out.subject},
               {"text", out.text}};
  out.json = body.dump();
  return out;
}

}  // namespace vigil::redress
