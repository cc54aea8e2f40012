// The general scanning notice (Art 3(1)(g)(v)): what users are told, before anything happens to
// them, about the scanning the service does under Regulation (EU) 2021/1232 — the logic of the
// measures, their impact on the confidentiality of communications, and that data may be shared
// with law enforcement and the named organisations. The wording is a versioned template per
// language (data/scanning-notice/*.json, embedded at build time); the facts (technologies in
// use, automatic action, organisations reported to, the authority, the complaint deadline) come
// from the configuration in use, so the notice cannot drift from what the service does.
//
// Thread safety: immutable values once loaded; pure functions.
#ifndef VIGIL_REDRESS_SCANNING_NOTICE_H_
#define VIGIL_REDRESS_SCANNING_NOTICE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::redress {

struct ScanningNoticeTemplate {
  std::string language{};
  std::string version{};
  // title, intro, logic_heading, logic, review_human, review_automatic, unflagged,
  // confidentiality_heading, confidentiality, sharing_heading, sharing, sharing_none,
  // rights_heading, rights, footer
  std::map<std::string, std::string, std::less<>> texts{};
  // Per detector family: pdq, vpdq, md5, sha256, classifier, grooming, other.
  std::map<std::string, std::string, std::less<>> detectors{};
};

// kInvalidArgument naming `source` and the key for bad JSON, a wrong "kind", a missing or empty
// text, an unknown placeholder or an unbalanced brace.
Result<ScanningNoticeTemplate> ParseScanningNoticeTemplate(std::string_view json,
                                                           std::string_view source);
// The embedded templates by language.
Result<std::map<std::string, ScanningNoticeTemplate>> EmbeddedScanningNoticeTemplates();

// The facts the notice states, taken from the configuration in use.
struct ScanningFacts {
  std::string service_name{};
  std::string provider_name{};
  std::vector<std::string> detectors{};  // detector names of the rules that act ("pdq", ...)
  bool automatic_action = false;         // any rule may act without review
  std::vector<std::string> organisations{};
  std::string supervisory_authority{};
  int complaint_deadline_days = 0;
  TimePoint generated_at{};
};

struct RenderedScanningNotice {
  std::string version{};
  std::string text{};
  std::string html{};  // one self-contained page, every fact HTML-escaped
};

// kInvalidArgument when a fact the regulation requires is missing (service, provider, at least
// one technology, the authority, the complaint deadline).
Result<RenderedScanningNotice> RenderScanningNotice(const ScanningNoticeTemplate& t,
                                                    const ScanningFacts& facts);

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_SCANNING_NOTICE_H_
