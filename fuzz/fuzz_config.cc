// Configuration and key files, and the small text forms inside them (database URLs, UTC
// timestamps, audit anchors): the first byte picks the parser, the rest is the input. Files an
// operator writes are trusted more than network input, but a typo or a truncated copy must
// still give an error naming the file and field, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "audit/audit.h"
#include "bank/timestamp.h"
#include "classify/http_classifier.h"
#include "detect/rules.h"
#include "privacy/evidence_cipher.h"
#include "privacy/pseudonym.h"
#include "privacy/retention.h"
#include "report/ncmec/ncmec_config.h"
#include "report/reporting_config.h"
#include "server/server.h"
#include "store/pg_url.h"
#include "transparency/member_state.h"
#include "transparency/provider_report.h"
#include "transparency/report_config.h"
#include "transparency/standard_form.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 15) {
    case 0:
      (void)server::ParseServerConfig(text);
      break;
    case 1:
      (void)classify::ParseHttpClassifierConfig(text, "fuzz");
      break;
    case 2:
      (void)report::ncmec::ParseNcmecConfig(text, "fuzz");
      break;
    case 3:
      (void)detect::RuleSet::Parse(text);
      break;
    case 4:
      (void)privacy::ParseRetentionPolicyJson(text, "fuzz");
      break;
    case 5:
      (void)privacy::ParsePseudonymKeys(text, "fuzz");
      break;
    case 6:
      (void)privacy::ParseMasterKeys(text, "fuzz");
      break;
    case 7:
      (void)transparency::ParseStandardForm(text, "fuzz");
      break;
    case 8:
      (void)transparency::ParseProviderReport(text, "fuzz");
      break;
    case 9:
      (void)transparency::ParseMemberStateStatistics(text, "fuzz");
      break;
    case 10: {
      static const auto form = transparency::BuiltInForm(transparency::kDefaultFormId);
      if (form.ok()) (void)transparency::ParseReportConfig(text, "fuzz", *form);
      break;
    }
    case 11:
      (void)report::ParseReportingConfig(text, "fuzz");
      break;
    case 12:
      (void)store::ParsePgUrl(text);
      break;
    case 13:
      (void)bank::ParseUtcTimestamp(text);
      break;
    case 14:
      (void)audit::ParseAnchor(text);
      break;
  }
  return 0;
}
