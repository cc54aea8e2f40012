// Private libxml2 helpers shared by the builder, the schema validator and the response parser:
// owning pointers, hostile-input-safe parsing, and element construction that escapes text.
//
// Thread safety: reentrant; libxml2 is initialised once per process by EnsureLibxml.
#ifndef VIGIL_REPORT_NCMEC_XML_H_
#define VIGIL_REPORT_NCMEC_XML_H_

#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::report::ncmec::internal {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

// Documents from the network are bounded before parsing.
inline constexpr size_t kMaxResponseBytes = 64 * 1024;

void EnsureLibxml();

// Parses `xml` without network access, entity substitution, DTD loading or huge-document
// allowances, and refuses any document with a DOCTYPE (hotline documents never have one, and
// entities are how hostile XML attacks). kInvalidArgument naming `what` and libxml2's message;
// kResourceExhausted beyond `max_bytes`.
Result<DocPtr> ParseXml(std::string_view xml, std::string_view what, size_t max_bytes);

// A new child element of `parent` holding `text` (escaped by libxml2).
xmlNode* AddText(xmlNode* parent, const char* name, std::string_view text);
// A new empty child element of `parent`.
xmlNode* AddElement(xmlNode* parent, const char* name);
void SetAttribute(xmlNode* node, const char* name, std::string_view value);

// The document serialised as UTF-8 with an XML declaration, indented.
std::string Serialize(xmlDoc* doc);

// The text content of `node`.
std::string TextOf(const xmlNode* node);

}  // namespace vigil::report::ncmec::internal

#endif  // VIGIL_REPORT_NCMEC_XML_H_
