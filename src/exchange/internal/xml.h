// Private: hostile-input-safe XML parsing for the exchange clients (libxml2): no network, no
// entity substitution, no DTD, a size limit, and any DOCTYPE refused.
//
// Thread safety: reentrant; libxml2 is initialised once per process.
#ifndef VIGIL_EXCHANGE_INTERNAL_XML_H_
#define VIGIL_EXCHANGE_INTERNAL_XML_H_

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::exchange::internal {

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// kInvalidArgument naming `what` for malformed XML or a DOCTYPE; kFailedPrecondition over
// `max_bytes`.
Result<XmlDoc> ParseXml(std::string_view xml, std::string_view what, size_t max_bytes);

// An element's local name (namespaces ignored, as the sources' namespaces carry nothing).
std::string_view Name(const xmlNode* node);
// The first child element called `name`, or null.
const xmlNode* Child(const xmlNode* parent, std::string_view name);
// The element's text content, trimmed of surrounding whitespace.
std::string Text(const xmlNode* node);
// An attribute's value, or "" when absent.
std::string Attribute(const xmlNode* node, const char* name);

}  // namespace vigil::exchange::internal

#endif  // VIGIL_EXCHANGE_INTERNAL_XML_H_
