#include "redress/scanning_notice.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "redress/embedded_data.h"
#include "redress/text_fill.h"

namespace vigil::redress {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 15> kTexts = {"title",           "intro",
                                                     "logic_heading",   "logic",
                                                     "review_human",    "review_automatic",
                                                     "unflagged",       "confidentiality_heading",
                                                     "confidentiality", "sharing_heading",
                                                     "sharing",         "sharing_none",
                                                     "rights_heading",  "rights",
                                                     "footer"};
constexpr std::array<std::string_view, 7> kDetectorFamilies = {
    "pdq", "vpdq", "md5", "sha256", "classifier", "grooming", "other"};
constexpr std::array<std::string_view, 8> kPlaceholders = {
    "service",       "provider", "organisations", "authority",
    "deadline_days", "version",  "date",          "detector"};

Result<std::string> Text(const json& j, std::string_view key, std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgumentError(fmt::format("{}: \"{}\" must be a non-empty string", where, key));
  }
  std::string text = it->get<std::string>();
  RETURN_IF_ERROR(
      internal::CheckPlaceholders(text, kPlaceholders, fmt::format("{} \"{}\"", where, key)));
  return text;
}

std::string Family(const std::string& detector) {
  const std::string head = detector.substr(0, detector.find(':'));
  for (std::string_view f : kDetectorFamilies) {
    if (f == head && f != "other") return head;
  }
  return "other";
}

Status CheckFacts(const ScanningFacts& f) {
  if (f.service_name.empty())
    return InvalidArgumentError("the scanning notice needs the service name");
  if (f.provider_name.empty()) {
    return InvalidArgumentError("the scanning notice needs the provider's name");
  }
  if (f.detectors.empty()) {
    return InvalidArgumentError(
        "the scanning notice needs at least one technology in use (no rule acts)");
  }
  if (f.supervisory_authority.empty()) {
    return InvalidArgumentError("the scanning notice needs the supervisory authority");
  }
  if (f.complaint_deadline_days < 1) {
    return InvalidArgumentError("the scanning notice needs the complaint deadline");
  }
  return Status::Ok();
}

// The notice as sections: a heading (empty for the title block) and its paragraphs, the
// technology list after the "logic" paragraph.
struct Section {
  std::string heading;
  std::vector<std::string> paragraphs;
  std::vector<std::string> list;
};

std::vector<Section> Sections(const ScanningNoticeTemplate& t, const ScanningFacts& f) {
  const std::map<std::string, std::string> v = {
      {"service", f.service_name},
      {"provider", f.provider_name},
      {"organisations", fmt::format("{}", fmt::join(f.organisations, ", "))},
      {"authority", f.supervisory_authority},
      {"deadline_days", std::to_string(f.complaint_deadline_days)},
      {"version", t.version},
      {"date", FormatUtc(f.generated_at).substr(0, 10)}};
  auto text = [&](std::string_view key) { return internal::Fill(t.texts.find(key)->second, v); };
  Section logic{text("logic_heading"), {text("logic")}, {}};
  for (const std::string& d : f.detectors) {
    std::map<std::string, std::string> dv = v;
    dv["detector"] = d;
    logic.list.push_back(internal::Fill(t.detectors.find(Family(d))->second, dv));
  }
  logic.paragraphs.push_back(text("review_human"));
  if (f.automatic_action) logic.paragraphs.push_back(text("review_automatic"));
  logic.paragraphs.push_back(text("unflagged"));
  return {Section{"", {text("intro")}, {}},
          logic,
          Section{text("confidentiality_heading"), {text("confidentiality")}, {}},
          Section{text("sharing_heading"),
                  {f.organisations.empty() ? text("sharing_none") : text("sharing")},
                  {}},
          Section{text("rights_heading"), {text("rights")}, {}},
          Section{"", {text("footer")}, {}}};
}

}  // namespace

Result<ScanningNoticeTemplate> ParseScanningNoticeTemplate(std::string_view text,
                                                           std::string_view source) {
  const std::string where = fmt::format("scanning-notice template {}", source);
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", where));
  if (!j.is_object() || j.value("kind", json()) != "vigil scanning notice") {
    return InvalidArgumentError(fmt::format(
        "{}: not a scanning-notice template (\"kind\": \"vigil scanning notice\")", where));
  }
  ScanningNoticeTemplate t;
  ASSIGN_OR_RETURN(t.language, Text(j, "language", where));
  ASSIGN_OR_RETURN(t.version, Text(j, "version", where));
  for (std::string_view key : kTexts) {
    ASSIGN_OR_RETURN(t.texts[std::string(key)], Text(j, key, where));
  }
  auto detectors = j.find("detectors");
  if (detectors == j.end() || !detectors->is_object()) {
    return InvalidArgumentError(fmt::format("{}: \"detectors\" must be an object", where));
  }
  for (std::string_view family : kDetectorFamilies) {
    ASSIGN_OR_RETURN(t.detectors[std::string(family)],
                     Text(*detectors, family, where + " detectors"));
  }
  return t;
}

Result<std::map<std::string, ScanningNoticeTemplate>> EmbeddedScanningNoticeTemplates() {
  std::map<std::string, ScanningNoticeTemplate> out;
  for (const internal::EmbeddedFile& f : internal::EmbeddedScanningNotices()) {
    ASSIGN_OR_RETURN(
        ScanningNoticeTemplate t,
        ParseScanningNoticeTemplate(f.json, fmt::format("data/scanning-notice/{}.json", f.name)));
    out[t.language] = std::move(t);
  }
  return out;
}

Result<RenderedScanningNotice> RenderScanningNotice(const ScanningNoticeTemplate& t,
                                                    const ScanningFacts& facts) {
  RETURN_IF_ERROR(CheckFacts(facts));
  const std::map<std::string, std::string> title_values = {{"service", facts.service_name}};
  const std::string title = internal::Fill(t.texts.find("title")->second, title_values);
  RenderedScanningNotice out{.version = t.version};
  out.text = fmt::format("{}\n{}\n", title, std::string(title.size(), '='));
  out.html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title>"
      "</head>\n<body>\n<h1>{}</h1>\n",
      EscapeHtml(t.language), EscapeHtml(title), EscapeHtml(title));
  for (const Section& s : Sections(t, facts)) {
    if (!s.heading.empty()) {
      out.text += fmt::format("\n{}\n{}\n", s.heading, std::string(s.heading.size(), '-'));
      out.html += fmt::format("<h2>{}</h2>\n", EscapeHtml(s.heading));
    }
    for (size_t i = 0; i < s.paragraphs.size(); ++i) {
      out.text += fmt::format("\n{}\n", s.paragraphs[i]);
      out.html += fmt::format("<p>{}</p>\n", EscapeHtml(s.paragraphs[i]));
      if (i == 0 && !s.list.empty()) {
        out.text += "\n";
        out.html += "<ul>\n";
        for (const std::string& item : s.list) {
          out.text += fmt::format("- {}\n", item);
          out.html += fmt::format("<li>{}</li>\n", EscapeHtml(item));
        }
        out.html += "</ul>\n";
      }
    }
  }
  out.html += "</body>\n</html>\n";
  return out;
}

}  // namespace vigil::redress
