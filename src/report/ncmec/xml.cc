#include "report/ncmec/xml.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <mutex>

namespace vigil::report::ncmec::internal {

namespace {

struct ParserCtxtDeleter {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

std::string Trimmed(const char* message) {
  std::string s = message ? message : "unknown error";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

void EnsureLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

Result<DocPtr> ParseXml(std::string_view xml, std::string_view what, size_t max_bytes) {
  EnsureLibxml();
  if (xml.size() > max_bytes) {
    return ResourceExhaustedError(
        fmt::format("{}: {} bytes is more than the {} allowed", what, xml.size(), max_bytes));
  }
  std::unique_ptr<xmlParserCtxt, ParserCtxtDeleter> ctxt(xmlNewParserCtxt());
  if (!ctxt) return InternalError(fmt::format("{}: cannot create an XML parser", what));
  // No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no HUGE; NONET forbids
  // fetching anything.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  DocPtr doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), nullptr,
                               "UTF-8", options));
  if (!doc) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    return InvalidArgumentError(fmt::format("{}: not well-formed XML (line {}: {})", what,
                                            err ? err->line : 0,
                                            Trimmed(err ? err->message : nullptr)));
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return InvalidArgumentError(
        fmt::format("{}: has a DOCTYPE, which hotline documents never have; refused", what));
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return InvalidArgumentError(fmt::format("{}: has no root element", what));
  }
  return doc;
}

xmlNode* AddText(xmlNode* parent, const char* name, std::string_view text) {
  const std::string copy(text);
  return xmlNewTextChild(parent, nullptr, reinterpret_cast<const xmlChar*>(name),
                         reinterpret_cast<const xmlChar*>(copy.c_str()));
}

xmlNode* AddElement(xmlNode* parent, const char* name) {
  return xmlNewChild(parent, nullptr, reinterpret_cast<const xmlChar*>(name), nullptr);
}

void SetAttribute(xmlNode* node, const char* name, std::string_view value) {
  const std::string copy(value);
  xmlSetProp(node, reinterpret_cast<const xmlChar*>(name),
             reinterpret_cast<const xmlChar*>(copy.c_str()));
}

std::string Serialize(xmlDoc* doc) {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc, &buffer, &size, "UTF-8", 1);
  std::string out(reinterpret_cast<const char*>(buffer), static_cast<size_t>(size));
  xmlFree(buffer);
  return out;
}

std::string TextOf(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  if (!content) return "";
  std::string out(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return out;
}

}  // namespace vigil::report::ncmec::internal
