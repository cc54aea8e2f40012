// SchemaValidator: cyber_tipline.xsd loaded once, checking documents before they are sent.
//
// libxml2's schema validator; the schema is read from a local file only (no network). Errors name
// the document, the line and libxml2's message.
//
// Thread safety: Validate may be called from several threads (each call has its own context).
#ifndef VIGIL_REPORT_NCMEC_SCHEMA_H_
#define VIGIL_REPORT_NCMEC_SCHEMA_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::report::ncmec {

class SchemaValidator {
 public:
  // kNotFound when `xsd_path` does not exist; kInvalidArgument when it is not a valid schema.
  static Result<std::unique_ptr<SchemaValidator>> Load(const std::string& xsd_path);
  ~SchemaValidator();

  // OK when `xml` parses (no DTD, no entities, no network) and is valid against the schema;
  // kInvalidArgument naming `what` with the first errors otherwise.
  Status Validate(std::string_view xml, std::string_view what) const;

  struct Impl;
  explicit SchemaValidator(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::report::ncmec

#endif  // VIGIL_REPORT_NCMEC_SCHEMA_H_
