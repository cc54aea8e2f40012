// The provider's annual report (Art 3(1)(g)(vii) of Regulation (EU) 2021/1232) for one calendar
// year, in the rows of a standard form (Art 3(4); Implementing Regulation (EU) 2024/2916 by
// default), built from the stores and the provider's configuration.
//
// Every figure names its source and, for computed ones, its method. A figure whose source does
// not exist in vigil yet (judicial complaints, complaint reasons, account suspensions, purge
// counts without their source, reports per organisation without the outbox) or that the
// configuration does not give is "not available" with the reason, never zero. Counts in a period
// where the store did record activity are real counts, zero included.
//
// Thread safety: BuildAnnualReport reads the stores (safe if they are); the rest are pure.
#ifndef VIGIL_TRANSPARENCY_ANNUAL_REPORT_H_
#define VIGIL_TRANSPARENCY_ANNUAL_REPORT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bank/bank_store.h"
#include "cases/case_store.h"
#include "core/clock.h"
#include "exchange/exchange_store.h"
#include "report/outbox_store.h"
#include "stats/volume.h"
#include "transparency/report_config.h"
#include "transparency/standard_form.h"

namespace vigil::transparency {

struct Figure {
  enum class Kind { kCount, kRate, kDuration, kText, kNotAvailable };
  Kind kind = Kind::kNotAvailable;
  int64_t count = 0;                       // kCount
  int64_t numerator = 0, denominator = 0;  // kRate (denominator > 0)
  double seconds = 0;                      // kDuration
  std::string text{};                      // kText
  std::string unit{};                      // what was counted: content_items, accounts, ...
  std::string method{};                    // how it was computed (kCount, kRate, kDuration)
  std::string source{};                    // "store", "configuration", "store and configuration"
  std::string not_available{};             // kNotAvailable: why
  double percent() const {
    return denominator == 0
               ? 0
               : 100.0 * static_cast<double>(numerator) / static_cast<double>(denominator);
  }
};

struct TechnologyFigures {
  std::string technology{};
  std::vector<std::string> categories{};  // known_csam, new_csam, solicitation
  int64_t flagged = 0;                    // A: items flagged automatically (cohort of the period)
  int64_t not_confirmed = 0;              // B: of which not confirmed on human review
  int64_t reviewed = 0;                   // C: of which reviewed by a human
  int64_t pending_review = 0;             // of which not yet decided
  int64_t actioned = 0;                   // items acted on in the period
  int64_t reversed_on_complaint = 0;      // of which reinstated after a complaint
};

struct VolumeFigures {
  std::string technology{}, content_type{}, region{};
  int64_t processed = 0, flagged = 0;
};

struct AnnualReport {
  FormAct form{};
  std::vector<FormCategory> categories{};
  std::vector<FormRow> rows{};
  ReportConfig config{};
  int year = 0;
  std::string generated_at{};
  std::map<std::string, Figure> figures{};  // every row's figure, plus the extra ones below
  std::vector<TechnologyFigures> technologies{};
  std::vector<VolumeFigures> volumes{};
};

// Figure keys beyond the form's rows (the other items): compare headline and extras.
inline constexpr const char* kExtraFigures[] = {"cases.known.confirmed",
                                                "cases.new.confirmed",
                                                "cases.solicitation.confirmed",
                                                "complaints.internal.total",
                                                "complaints.judicial.total",
                                                "reinstatements.content_items",
                                                "reinstatements.accounts",
                                                "retention.purged",
                                                "organisations.reports_per_organisation",
                                                "measures.double_review_share",
                                                "measures.qa_disagreement_rate",
                                                "measures.cluster_alerts",
                                                "measures.hashes_retired",
                                                "reports.delay.median",
                                                "reports.delay.p95"};

// Records erased in a period (privacy::PrivacyStore::ListErasureCounts, summed by the caller):
// reason "expired" (the purge) or "not_csam", and the purpose they were kept for.
struct ErasureTotal {
  std::string reason{};
  std::string purpose{};
  int64_t records = 0;
};

struct ReportStores {
  cases::CaseStore* cases = nullptr;
  stats::VolumeCounterSink* volumes = nullptr;
  bank::BankStore* banks = nullptr;
  // Optional: the organisations hashes were received from or shared with in the year (Art 7),
  // listed in the organisations rows beside the configured ones.
  exchange::ExchangeStore* exchanges = nullptr;
  // Optional: the report outbox; when set, "organisations.reports_per_organisation" counts the
  // reports delivered in the year per destination (otherwise it is not available).
  report::ReportOutboxStore* report_outbox = nullptr;
  // Erasures in [from, to); when unset "retention.purged" is not available.
  std::function<Result<std::vector<ErasureTotal>>(TimePoint from, TimePoint to)> erasures{};
};

// Builds the report of calendar year `year` (UTC). kInvalidArgument for a year outside
// 2000-2200; the stores' errors otherwise.
Result<AnnualReport> BuildAnnualReport(const ReportStores& stores, const StandardForm& form,
                                       const ReportConfig& config, int year,
                                       TimePoint generated_at);

// The report as JSON (docs/report-schema.json), CSV (one row per form row, then the extra
// figures) and one self-contained HTML page (tables and inline SVG charts).
std::string AnnualReportJson(const AnnualReport& report);
std::string AnnualReportCsv(const AnnualReport& report);
std::string AnnualReportHtml(const AnnualReport& report);

// A figure as text: "1234 content_items", "3 of 120 = 2.50 %", "not available: why".
std::string FigureText(const Figure& f);

}  // namespace vigil::transparency

#endif  // VIGIL_TRANSPARENCY_ANNUAL_REPORT_H_
