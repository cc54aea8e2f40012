#include "report/report_test_support.h"

#include <fmt/format.h>
#include <libxml/parser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil::report::testing {

namespace {

std::string SharedDir() {
  const char* env = std::getenv("VIGIL_SHARED_DIR");
  return env ? env : VIGIL_SHARED_DIR;
}

struct Doc {
  explicit Doc(const std::string& xml)
      : doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8",
                          XML_PARSE_NONET)) {}
  ~Doc() { xmlFreeDoc(doc); }
  xmlDoc* doc;
};

const xmlNode* Find(const xmlNode* node, const std::string& path) {
  size_t start = 0;
  while (node && start <= path.size()) {
    const size_t slash = path.find('/', start);
    const std::string name = path.substr(start, slash == std::string::npos ? slash : slash - start);
    const xmlNode* found = nullptr;
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE && name == reinterpret_cast<const char*>(c->name)) {
        found = c;
        break;
      }
    }
    node = found;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return node;
}

}  // namespace

std::string XsdPath() { return SharedDir() + "/specs/ncmec/cyber_tipline.xsd"; }
std::string OutlinePath() { return SharedDir() + "/specs/ncmec/element-outline.txt"; }

const ncmec::SchemaValidator* Validator() {
  static const std::unique_ptr<ncmec::SchemaValidator> validator = [] {
    auto v = ncmec::SchemaValidator::Load(XsdPath());
    return v.ok() ? *std::move(v) : nullptr;
  }();
  return validator.get();
}

std::vector<std::string> OutlineChildren(const std::string& section) {
  std::ifstream in(OutlinePath());
  std::string line;
  bool inside = false;
  std::vector<std::string> out;
  bool in_choice = false;  // inside a depth-1 <choice>, whose branches are depth-1 elements too
  while (std::getline(in, line)) {
    if (line.starts_with("==== ")) {
      inside = line.starts_with("==== <" + section + ">");
      continue;
    }
    if (!inside) continue;
    if (line.size() > 2 && line.starts_with("  ") && line[2] != ' ') {
      in_choice = line[2] == '<';
      if (!in_choice) out.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in_choice && line.size() > 4 && line.starts_with("    ") && line[4] != ' ') {
      out.push_back(line.substr(4, line.find(' ', 4) - 4));
    }
  }
  return out;
}

std::vector<std::string> OutlineEnum(const std::string& type_name) {
  std::ifstream in(OutlinePath());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(type_name + ": ")) continue;
    const size_t colon = line.find("): ");
    std::vector<std::string> values;
    std::string rest = line.substr(colon + 3);
    size_t start = 0;
    while (true) {
      const size_t bar = rest.find(" | ", start);
      values.push_back(rest.substr(start, bar == std::string::npos ? bar : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 3;
    }
    return values;
  }
  return {};
}

std::vector<std::string> RootChildren(const std::string& xml) {
  Doc d(xml);
  std::vector<std::string> out;
  if (!d.doc) return out;
  for (const xmlNode* c = xmlDocGetRootElement(d.doc)->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.emplace_back(reinterpret_cast<const char*>(c->name));
  }
  return out;
}

std::string TextAt(const std::string& xml, const std::string& path) {
  Doc d(xml);
  if (!d.doc) return "";
  const xmlNode* n = Find(xmlDocGetRootElement(d.doc), path);
  if (!n) return "";
  xmlChar* content = xmlNodeGetContent(n);
  std::string out(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return out;
}

std::string AttributeAt(const std::string& xml, const std::string& path, const std::string& attr) {
  Doc d(xml);
  if (!d.doc) return "";
  const xmlNode* n = Find(xmlDocGetRootElement(d.doc), path);
  if (!n) return "";
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(attr.c_str()));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

bool InSchemaOrder(const std::vector<std::string>& names, const std::vector<std::string>& order) {
  size_t last = 0;
  for (const std::string& n : names) {
    auto it = std::find(order.begin(), order.end(), n);
    if (it == order.end()) return false;
    const size_t pos = static_cast<size_t>(it - order.begin());
    if (pos < last) return false;
    last = pos;
  }
  return true;
}

ncmec::NcmecConfig TestConfig() {
  ncmec::NcmecConfig c;
  c.org_name = "Example Photos B.V.";
  c.reporter = {.first_name = "Trust",
                .last_name = "Safety",
                .email = "tns@example.org",
                .phone = "+31 20 555 0100"};
  c.platform = "Example Photos";
  c.service_url = "https://photos.example.org";
  c.legal_url = "https://photos.example.org/legal";
  return c;
}

Result<EvidenceFile> FakeEvidence::Fetch(const cases::Case&, const cases::Item& item) {
  if (auto it = failures.find(item.item_id); it != failures.end()) return it->second;
  const std::string text = "bytes of " + item.item_id;
  return EvidenceFile{.item_id = item.item_id,
                      .file_name = item.item_id + ".jpg",
                      .bytes = std::vector<uint8_t>(text.begin(), text.end()),
                      .publicly_available = false};
}

ReviewWorld::ReviewWorld(int confirmations_required) : clock(std::make_shared<FakeClock>(kT0)) {
  config.confirmations_required = confirmations_required;
  config.qa.fraction = 0;
  config.technology_alerts.reset();
  config.bank_entry_alerts.reset();
  service = *cases::ReviewService::Create(store, sink, clock, config);
}

cases::Case ReviewWorld::Decided(cases::FlagCategory category, cases::Decision decision,
                                 const std::vector<std::string>& reviewers, int items) {
  cases::NewCase nc{.account_id = "acct-7", .surface = "photos/upload"};
  for (int i = 0; i < items; ++i) {
    cases::Flag flag{.technology = "pdq@1 r<=31", .category = category, .raw_value = 3};
    if (category == cases::FlagCategory::kKnown) {
      flag.bank_entry_id = 11;
      flag.bank_name = "hotline";
    } else {
      flag.technology =
          category == cases::FlagCategory::kNew ? "classifier:x@1 t>=0.9" : "grooming:y@2 t>=0.8";
    }
    nc.items.push_back({.item_id = fmt::format("item-{}", i + 1),
                        .content_type = "image/jpeg",
                        .received_at = kT0 - std::chrono::hours(2) + std::chrono::minutes(i),
                        .flags = {flag}});
  }
  auto opened = service->OpenCase(nc);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  const cases::CaseId id = opened->opened.id;
  for (const std::string& r : reviewers) {
    EXPECT_TRUE(service->Claim(id, r).ok());
    auto d = service->Decide(id, {.reviewer = r, .decision = decision, .rationale = "checked"});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
  }
  return *store.GetCase(id);
}

}  // namespace vigil::report::testing
