#include "report/ncmec/schema.h"

#include <fmt/format.h>
#include <libxml/xmlschemas.h>

#include <filesystem>
#include <vector>

#include "report/ncmec/xml.h"

namespace vigil::report::ncmec {

namespace {

// Collects the first few messages of a parse or validation; libxml2 calls this per error.
struct Errors {
  std::vector<std::string> messages;
  static void Collect(void* data, xmlErrorPtr error) {
    auto* self = static_cast<Errors*>(data);
    if (self->messages.size() >= 5 || error == nullptr) return;
    std::string m = error->message ? error->message : "error";
    while (!m.empty() && m.back() == '\n') m.pop_back();
    self->messages.push_back(fmt::format("line {}: {}", error->line, m));
  }
  std::string Joined() const {
    return messages.empty() ? "invalid" : fmt::format("{}", fmt::join(messages, "; "));
  }
};

}  // namespace

struct SchemaValidator::Impl {
  xmlSchema* schema = nullptr;
  ~Impl() {
    if (schema) xmlSchemaFree(schema);
  }
};

SchemaValidator::SchemaValidator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SchemaValidator::~SchemaValidator() = default;

Result<std::unique_ptr<SchemaValidator>> SchemaValidator::Load(const std::string& xsd_path) {
  internal::EnsureLibxml();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(xsd_path, ec)) {
    return NotFoundError(fmt::format("schema {} does not exist (set xsd_path or --xsd)", xsd_path));
  }
  xmlSchemaParserCtxt* ctxt = xmlSchemaNewParserCtxt(xsd_path.c_str());
  if (!ctxt) return InternalError(fmt::format("schema {}: cannot create a parser", xsd_path));
  Errors errors;
  xmlSchemaSetParserStructuredErrors(ctxt, Errors::Collect, &errors);
  auto impl = std::make_unique<Impl>();
  impl->schema = xmlSchemaParse(ctxt);
  xmlSchemaFreeParserCtxt(ctxt);
  if (!impl->schema) {
    return InvalidArgumentError(
        fmt::format("schema {} is not a valid XML schema: {}", xsd_path, errors.Joined()));
  }
  return std::make_unique<SchemaValidator>(std::move(impl));
}

Status SchemaValidator::Validate(std::string_view xml, std::string_view what) const {
  ASSIGN_OR_RETURN(internal::DocPtr doc, internal::ParseXml(xml, what, 16 * 1024 * 1024));
  xmlSchemaValidCtxt* ctxt = xmlSchemaNewValidCtxt(impl_->schema);
  if (!ctxt) return InternalError(fmt::format("{}: cannot create a schema validator", what));
  Errors errors;
  xmlSchemaSetValidStructuredErrors(ctxt, Errors::Collect, &errors);
  const int rc = xmlSchemaValidateDoc(ctxt, doc.get());
  xmlSchemaFreeValidCtxt(ctxt);
  if (rc != 0) {
    return InvalidArgumentError(
        fmt::format("{} does not conform to cyber_tipline.xsd: {}", what, errors.Joined()));
  }
  return Status::Ok();
}

}  // namespace vigil::report::ncmec
