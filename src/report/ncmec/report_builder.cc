#include "report/ncmec/report_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "cases/review_rules.h"
#include "hash/digest.h"
#include "report/ncmec/xml.h"

namespace vigil::report::ncmec {

namespace {

using internal::AddElement;
using internal::AddText;

constexpr std::array<std::string_view, 6> kIpEvents = {"Login",  "Registration", "Purchase",
                                                       "Upload", "Other",        "Unknown"};
constexpr std::array<std::string_view, 4> kIndustryClasses = {"A1", "A2", "B1", "B2"};
// fileAnnotations children in schema order (the sequence requires it).
constexpr std::array<std::string_view, 10> kAnnotations = {"animeDrawingVirtualHentai",
                                                           "potentialMeme",
                                                           "viral",
                                                           "possibleSelfProduction",
                                                           "physicalHarm",
                                                           "violenceGore",
                                                           "bestiality",
                                                           "liveStreaming",
                                                           "infant",
                                                           "generativeAi"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

const char* Bool(bool b) { return b ? "true" : "false"; }

// The incident type NCMEC files a confirmed case under.
std::string_view IncidentType(cases::Decision outcome) {
  if (outcome == cases::Decision::kConfirmedSolicitation) {
    return "Online Enticement of Children for Sexual Acts";
  }
  return "Child Pornography (possession, manufacture, and distribution)";
}

Status CheckIpEvent(const IpCaptureEvent& e, std::string_view field) {
  if (e.ip_address.empty())
    return InvalidArgumentError(fmt::format("{}: ip_address is empty", field));
  if (!e.event_name.empty() && !OneOf(kIpEvents, e.event_name)) {
    return InvalidArgumentError(fmt::format(
        "{}: event name '{}' is not one of Login, Registration, Purchase, Upload, Other, Unknown",
        field, e.event_name));
  }
  return Status::Ok();
}

Status CheckEvidence(const EvidenceFile& f) {
  const std::string field = fmt::format("evidence of item {}", f.item_id);
  if (!f.industry_classification.empty() && !OneOf(kIndustryClasses, f.industry_classification)) {
    return InvalidArgumentError(
        fmt::format("{}: industry classification '{}' is not A1, A2, B1 or B2", field,
                    f.industry_classification));
  }
  if (!f.pdq_hex.empty() &&
      (f.pdq_hex.size() != 64 || !std::all_of(f.pdq_hex.begin(), f.pdq_hex.end(), [](char ch) {
         return std::isxdigit(static_cast<unsigned char>(ch));
       }))) {
    return InvalidArgumentError(fmt::format("{}: PDQ '{}' is not 64 hex digits", field, f.pdq_hex));
  }
  for (const std::string& a : f.annotations) {
    if (!OneOf(kAnnotations, a)) {
      return InvalidArgumentError(
          fmt::format("{}: '{}' is not an NCMEC file annotation", field, a));
    }
  }
  if (f.upload_ip) RETURN_IF_ERROR(CheckIpEvent(*f.upload_ip, field + " upload_ip"));
  return Status::Ok();
}

void AddIpEvent(xmlNode* parent, const IpCaptureEvent& e) {
  xmlNode* node = AddElement(parent, "ipCaptureEvent");
  AddText(node, "ipAddress", e.ip_address);
  if (!e.event_name.empty()) AddText(node, "eventName", e.event_name);
  if (e.at) AddText(node, "dateTime", FormatUtc(*e.at));
  if (e.possible_proxy) AddText(node, "possibleProxy", Bool(*e.possible_proxy));
  if (e.port) AddText(node, "port", std::to_string(*e.port));
}

void AddPerson(xmlNode* parent, const char* name, const Contact& c) {
  xmlNode* person = AddElement(parent, name);
  if (!c.first_name.empty()) AddText(person, "firstName", c.first_name);
  if (!c.last_name.empty()) AddText(person, "lastName", c.last_name);
  if (!c.phone.empty()) AddText(person, "phone", c.phone);
  if (!c.email.empty()) AddText(person, "email", c.email);
}

TimePoint IncidentTime(const cases::Case& c) {
  TimePoint first = c.items.front().received_at;
  for (const auto& item : c.items) first = std::min(first, item.received_at);
  return first;
}

std::string CaseSummary(const cases::Case& c) {
  std::set<std::string> reviewers;
  for (const auto& r : c.reviews) {
    if (r.kind == cases::ReviewKind::kPrimary && r.decision == *c.progress.outcome) {
      reviewers.insert(r.reviewer);
    }
  }
  return fmt::format(
      "vigil case {}: {} item(s) on {} decided {} at {} by {} independent human reviewer(s); "
      "flagged by {}.",
      c.id, c.items.size(), c.surface, cases::DecisionName(*c.progress.outcome),
      c.progress.decided_at ? FormatUtc(*c.progress.decided_at) : "-", reviewers.size(),
      fmt::join(c.Technologies(), ", "));
}

void AddIncidentSummary(xmlNode* root, const cases::Case& c, const NcmecConfig& config) {
  xmlNode* summary = AddElement(root, "incidentSummary");
  AddText(summary, "incidentType", IncidentType(*c.progress.outcome));
  if (!config.platform.empty()) AddText(summary, "platform", config.platform);
  if (*c.progress.outcome == cases::Decision::kConfirmedSolicitation) {
    AddText(AddElement(summary, "reportAnnotations"), "csamSolicitation", "true");
  }
  AddText(summary, "incidentDateTime", FormatUtc(IncidentTime(c)));
}

void AddReporter(xmlNode* root, const NcmecConfig& config) {
  xmlNode* reporter = AddElement(root, "reporter");
  AddPerson(reporter, "reportingPerson", config.reporter);
  const Contact& k = config.contact;
  if (!(k.first_name.empty() && k.last_name.empty() && k.email.empty() && k.phone.empty())) {
    AddPerson(reporter, "contactPerson", k);
  }
  AddText(reporter, "companyTemplate", fmt::format("Report made by {}", config.org_name));
  if (!config.legal_url.empty()) AddText(reporter, "legalURL", config.legal_url);
}

void AddReportedUser(xmlNode* root, const cases::Case& c, const ReportedUser& user) {
  xmlNode* node = AddElement(root, "personOrUserReported");
  AddText(node, "espIdentifier", user.esp_identifier.empty() ? c.account_id : user.esp_identifier);
  AddText(node, "espService", c.surface);
  if (!user.screen_name.empty()) AddText(node, "screenName", user.screen_name);
  for (const auto& e : user.ip_events) AddIpEvent(node, e);
}

// Pairs each item with its evidence; every item needs exactly one.
Result<std::vector<EvidenceFile>> MatchEvidence(const cases::Case& c,
                                                const std::vector<EvidenceFile>& evidence) {
  std::map<std::string, const EvidenceFile*> by_item;
  for (const auto& f : evidence) {
    if (!by_item.emplace(f.item_id, &f).second) {
      return InvalidArgumentError(fmt::format("evidence for item {} given twice", f.item_id));
    }
  }
  std::vector<EvidenceFile> out;
  for (const auto& item : c.items) {
    auto it = by_item.find(item.item_id);
    if (it == by_item.end()) {
      return InvalidArgumentError(
          fmt::format("case {}: no evidence for item {}", c.id, item.item_id));
    }
    RETURN_IF_ERROR(CheckEvidence(*it->second));
    out.push_back(*it->second);
    by_item.erase(it);
  }
  if (!by_item.empty()) {
    return InvalidArgumentError(fmt::format("case {} has no item {} (evidence given for it)", c.id,
                                            by_item.begin()->first));
  }
  return out;
}

}  // namespace

Result<BuiltReport> BuildReport(const cases::Case& c, const cases::ReviewConfig& review,
                                const NcmecConfig& config, const ReportInput& input,
                                const SchemaValidator& validator) {
  // Art 3(1)(g)(iii): only confirmed cases, with the human confirmations new material and
  // solicitation need, are reported; recounted from the stored reviews.
  RETURN_IF_ERROR(cases::ReportEligibility(c, review));
  for (size_t i = 0; i < input.user.ip_events.size(); ++i) {
    RETURN_IF_ERROR(CheckIpEvent(input.user.ip_events[i], fmt::format("user ip_events[{}]", i)));
  }
  ASSIGN_OR_RETURN(std::vector<EvidenceFile> evidence, MatchEvidence(c, input.evidence));

  internal::EnsureLibxml();
  internal::DocPtr doc(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  xmlNode* root = xmlNewNode(nullptr, reinterpret_cast<const xmlChar*>("report"));
  xmlDocSetRootElement(doc.get(), root);
  AddIncidentSummary(root, c, config);
  xmlNode* web = AddElement(AddElement(root, "internetDetails"), "webPageIncident");
  if (!config.service_url.empty()) AddText(web, "url", config.service_url);
  AddText(web, "additionalInfo", fmt::format("Service surface: {}", c.surface));
  AddReporter(root, config);
  AddReportedUser(root, c, input.user);
  AddText(root, "additionalInfo", CaseSummary(c));

  BuiltReport built{.case_id = c.id, .report_xml = internal::Serialize(doc.get())};
  Status valid = validator.Validate(built.report_xml, fmt::format("report of case {}", c.id));
  if (!valid.ok()) return InternalError(valid.message());
  for (auto& f : evidence) {
    ReportFile file{.evidence = std::move(f), .viewed_by_esp = !c.reviews.empty()};
    file.md5_hex = hash::DigestToHex(hash::Md5(file.evidence.bytes));
    file.sha256_hex = hash::DigestToHex(hash::Sha256(file.evidence.bytes));
    built.files.push_back(std::move(file));
  }
  return built;
}

Result<std::string> BuildFileDetails(const ReportFile& file, int64_t report_id,
                                     const std::string& file_id, const SchemaValidator& validator) {
  const EvidenceFile& e = file.evidence;
  internal::EnsureLibxml();
  internal::DocPtr doc(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  xmlNode* root = xmlNewNode(nullptr, reinterpret_cast<const xmlChar*>("fileDetails"));
  xmlDocSetRootElement(doc.get(), root);
  AddText(root, "reportId", std::to_string(report_id));
  AddText(root, "fileId", file_id);
  AddText(root, "fileName", e.file_name.empty() ? e.item_id : e.file_name);
  AddText(root, "fileViewedByEsp", Bool(file.viewed_by_esp));
  if (e.publicly_available) AddText(root, "publiclyAvailable", Bool(*e.publicly_available));
  if (!e.annotations.empty()) {
    xmlNode* annotations = AddElement(root, "fileAnnotations");
    for (std::string_view name : kAnnotations) {
      if (std::find(e.annotations.begin(), e.annotations.end(), name) != e.annotations.end()) {
        AddText(annotations, std::string(name).c_str(), "true");
      }
    }
  }
  if (!e.industry_classification.empty()) {
    AddText(root, "industryClassification", e.industry_classification);
  }
  internal::SetAttribute(AddText(root, "originalFileHash", file.md5_hex), "hashType", "MD5");
  internal::SetAttribute(AddText(root, "originalFileHash", file.sha256_hex), "hashType", "SHA256");
  if (!e.pdq_hex.empty()) {
    internal::SetAttribute(AddText(root, "originalFileHash", e.pdq_hex), "hashType", "PDQ");
  }
  if (e.upload_ip) AddIpEvent(root, *e.upload_ip);
  std::string xml = internal::Serialize(doc.get());
  Status valid = validator.Validate(xml, fmt::format("fileDetails of item {}", e.item_id));
  if (!valid.ok()) return InternalError(valid.message());
  return xml;
}

Result<BuiltReport> BuildReportFromSource(const cases::Case& c, const cases::ReviewConfig& review,
                                          const NcmecConfig& config, const ReportedUser& user,
                                          EvidenceSource& source,
                                          const SchemaValidator& validator) {
  RETURN_IF_ERROR(cases::ReportEligibility(c, review));
  ReportInput input{.user = user};
  if (input.user.esp_identifier.empty()) {
    ASSIGN_OR_RETURN(ReportedUser stored, source.User(c));
    input.user.esp_identifier = std::move(stored.esp_identifier);
    if (input.user.screen_name.empty()) input.user.screen_name = std::move(stored.screen_name);
  }
  for (const auto& item : c.items) {
    ASSIGN_OR_RETURN(EvidenceFile f, source.Fetch(c, item));
    input.evidence.push_back(std::move(f));
  }
  return BuildReport(c, review, config, input, validator);
}

}  // namespace vigil::report::ncmec
