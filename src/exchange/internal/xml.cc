#include "exchange/internal/xml.h"

#include <fmt/format.h>
#include <libxml/parser.h>

#include <mutex>

namespace vigil::exchange::internal {
namespace {

struct CtxtDeleter {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

std::string Trim(std::string s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<XmlDoc> ParseXml(std::string_view xml, std::string_view what, size_t max_bytes) {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  if (xml.size() > max_bytes) {
    return FailedPreconditionError(
        fmt::format("{}: {} bytes is more than the {} allowed", what, xml.size(), max_bytes));
  }
  std::unique_ptr<xmlParserCtxt, CtxtDeleter> ctxt(xmlNewParserCtxt());
  if (!ctxt) return InternalError(fmt::format("{}: cannot create an XML parser", what));
  // No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no HUGE (libxml2's depth and size
  // limits stay on); NONET forbids fetching anything.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  XmlDoc doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), nullptr,
                               "UTF-8", options));
  if (!doc) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    std::string message = err && err->message ? err->message : "unknown error";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    return InvalidArgumentError(
        fmt::format("{}: not well-formed XML (line {}: {})", what, err ? err->line : 0, message));
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return InvalidArgumentError(fmt::format("{}: has a DOCTYPE; refused", what));
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return InvalidArgumentError(fmt::format("{}: has no root element", what));
  }
  return doc;
}

std::string_view Name(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

const xmlNode* Child(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* c = parent->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && Name(c) == name) return c;
  }
  return nullptr;
}

std::string Text(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string s = content ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return Trim(std::move(s));
}

std::string Attribute(const xmlNode* node, const char* name) {
  xmlChar* v = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

}  // namespace vigil::exchange::internal
