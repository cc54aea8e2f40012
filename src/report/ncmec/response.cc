#include "report/ncmec/response.h"

#include <fmt/format.h>

#include <charconv>

#include "report/ncmec/xml.h"

namespace vigil::report::ncmec {

namespace {

const xmlNode* Child(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* c = parent->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && name == reinterpret_cast<const char*>(c->name)) return c;
  }
  return nullptr;
}

template <typename T>
Result<T> Number(const xmlNode* root, std::string_view name, std::string_view what) {
  const xmlNode* node = Child(root, name);
  if (!node) return InvalidArgumentError(fmt::format("{}: no <{}>", what, name));
  std::string text = internal::TextOf(node);
  const size_t b = text.find_first_not_of(" \t\r\n");
  const size_t e = text.find_last_not_of(" \t\r\n");
  text = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return InvalidArgumentError(
        fmt::format("{}: <{}> is '{}', not a number", what, name, text.substr(0, 40)));
  }
  return value;
}

Result<internal::DocPtr> Root(std::string_view xml, std::string_view what, std::string_view root) {
  ASSIGN_OR_RETURN(internal::DocPtr doc,
                   internal::ParseXml(xml, what, internal::kMaxResponseBytes));
  const xmlNode* r = xmlDocGetRootElement(doc.get());
  if (root != reinterpret_cast<const char*>(r->name)) {
    return InvalidArgumentError(fmt::format("{}: root element is <{}>, expected <{}>", what,
                                            reinterpret_cast<const char*>(r->name), root));
  }
  return doc;
}

}  // namespace

std::string_view ResponseStateName(ResponseState state) {
  switch (state) {
    case ResponseState::kSuccess:
      return "success";
    case ResponseState::kRetry:
      return "retry";
    case ResponseState::kUnauthorized:
      return "unauthorized";
    case ResponseState::kRejected:
      return "rejected";
    case ResponseState::kGone:
      return "gone";
    case ResponseState::kAlreadyFinished:
      return "already_finished";
    case ResponseState::kAlreadyRetracted:
      return "already_retracted";
    case ResponseState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

ResponseState StateOfCode(int code) {
  switch (code) {
    case 0:
      return ResponseState::kSuccess;
    case 1000:
    case 1100:
    case 1110:
    case 1111:
    case 1300:
      return ResponseState::kRetry;
    case 2000:
    case 3000:
    case 3100:
    case 3300:
      return ResponseState::kUnauthorized;
    case 4000:
    case 4100:
    case 4110:
    case 4200:
      return ResponseState::kRejected;
    case 1210:
    case 5001:
    case 5002:
      return ResponseState::kGone;
    case 5101:
      return ResponseState::kAlreadyRetracted;
    case 5102:
      return ResponseState::kAlreadyFinished;
    default:
      return ResponseState::kUnknown;
  }
}

Result<ReportResponse> ParseReportResponse(std::string_view xml, std::string_view what) {
  ASSIGN_OR_RETURN(internal::DocPtr doc, Root(xml, what, "reportResponse"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  ReportResponse r;
  ASSIGN_OR_RETURN(r.code, Number<int>(root, "responseCode", what));
  const xmlNode* description = Child(root, "responseDescription");
  if (!description) return InvalidArgumentError(fmt::format("{}: no <responseDescription>", what));
  r.description = internal::TextOf(description);
  if (Child(root, "reportId")) {
    ASSIGN_OR_RETURN(r.report_id, Number<int64_t>(root, "reportId", what));
  }
  if (const xmlNode* f = Child(root, "fileId")) r.file_id = internal::TextOf(f);
  if (const xmlNode* h = Child(root, "hash")) r.hash = internal::TextOf(h);
  r.state = StateOfCode(r.code);
  return r;
}

Result<ReportDoneResponse> ParseReportDoneResponse(std::string_view xml, std::string_view what) {
  ASSIGN_OR_RETURN(internal::DocPtr doc, Root(xml, what, "reportDoneResponse"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  ReportDoneResponse r;
  ASSIGN_OR_RETURN(r.code, Number<int>(root, "responseCode", what));
  r.state = StateOfCode(r.code);
  // An error answer may leave out what only success fills in.
  if (r.state != ResponseState::kSuccess && !Child(root, "reportId")) return r;
  ASSIGN_OR_RETURN(r.report_id, Number<int64_t>(root, "reportId", what));
  const xmlNode* files = Child(root, "files");
  if (!files) return InvalidArgumentError(fmt::format("{}: no <files>", what));
  for (const xmlNode* c = files->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE &&
        std::string_view("fileId") == reinterpret_cast<const char*>(c->name)) {
      r.file_ids.push_back(internal::TextOf(c));
    }
  }
  return r;
}

Status StatusOf(ResponseState state, int code, std::string_view description,
                std::string_view step) {
  const std::string m =
      fmt::format("NCMEC {} answered {} ({}): {}", step, code, ResponseStateName(state),
                  description.empty() ? "no description" : description);
  switch (state) {
    case ResponseState::kSuccess:
      return Status::Ok();
    case ResponseState::kRetry:
    case ResponseState::kUnknown:
      return UnavailableError(m);
    case ResponseState::kUnauthorized:
      return PermissionDeniedError(m);
    case ResponseState::kRejected:
      return InvalidArgumentError(m);
    case ResponseState::kGone:
      return NotFoundError(m);
    case ResponseState::kAlreadyFinished:
      return AlreadyExistsError(m);
    case ResponseState::kAlreadyRetracted:
      return FailedPreconditionError(m);
  }
  return InternalError(m);
}

}  // namespace vigil::report::ncmec
