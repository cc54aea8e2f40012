// Shared fixtures of the report tests: the NCMEC schema from ../shared (tests skip when absent),
// the outline of its element order, and decided cases made through the real ReviewService.
#ifndef VIGIL_TESTS_REPORT_REPORT_TEST_SUPPORT_H_
#define VIGIL_TESTS_REPORT_REPORT_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <libxml/tree.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cases/cases.h"
#include "report/ncmec/ncmec_config.h"
#include "report/ncmec/schema.h"
#include "report/types.h"

namespace vigil::report::testing {

inline const TimePoint kT0 = std::chrono::sys_days(std::chrono::year(2026) / 3 / 2);

std::string XsdPath();
std::string OutlinePath();
// The validator, loaded once; nullptr (and the test should GTEST_SKIP) when the XSD is absent.
const ncmec::SchemaValidator* Validator();

// The child element names of `section` ("report", "fileDetails", ...) at depth `depth` below the
// root, in schema order, read from element-outline.txt; and an enumeration's values.
std::vector<std::string> OutlineChildren(const std::string& section);
std::vector<std::string> OutlineEnum(const std::string& type_name);

// Child element names of the root of `xml`, in document order; the text of the first element
// found at `path` ("incidentSummary/incidentType"), "" when absent.
std::vector<std::string> RootChildren(const std::string& xml);
std::string TextAt(const std::string& xml, const std::string& path);
std::string AttributeAt(const std::string& xml, const std::string& path, const std::string& attr);
// True when `names` appear in the same relative order as in `order` (each name in `order`).
bool InSchemaOrder(const std::vector<std::string>& names, const std::vector<std::string>& order);

ncmec::NcmecConfig TestConfig();

// Evidence with deterministic benign bytes per item ("bytes of <item>").
class FakeEvidence final : public EvidenceSource {
 public:
  Result<EvidenceFile> Fetch(const cases::Case& c, const cases::Item& item) override;
  std::map<std::string, Status> failures;  // item id -> error to return
};

class NullSink final : public cases::EntryVerificationSink {
 public:
  Status FlagForVerification(cases::BankEntryId, std::string_view) override { return Status::Ok(); }
};

// A review service over an in-memory store with a fake clock at kT0.
struct ReviewWorld {
  explicit ReviewWorld(int confirmations_required = 1);
  cases::ReviewConfig config{};
  std::shared_ptr<FakeClock> clock;
  cases::InMemoryCaseStore store;
  NullSink sink;
  std::unique_ptr<cases::ReviewService> service;

  // Opens a case of `items` items flagged with `category` and has `reviewers` decide it.
  cases::Case Decided(cases::FlagCategory category, cases::Decision decision,
                      const std::vector<std::string>& reviewers, int items = 1);
};

}  // namespace vigil::report::testing

#endif  // VIGIL_TESTS_REPORT_REPORT_TEST_SUPPORT_H_
