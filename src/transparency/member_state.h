// A Member State's statistics under Art 8 of Regulation (EU) 2021/1232, from the records of
// reports its law enforcement received (received_reports.h):
//  (a) the total number of reports, distinguishing the absolute number from reports received
//      several times, and split by the type of provider on whose service the abuse was detected;
//  (b) the number of children identified, by gender;
//  (c) the number of perpetrators convicted;
// plus a comparison with NCMEC's published referral count for the country. No form is
// prescribed for Art 8, so vigil offers this one in JSON and CSV.
//
// A figure that the records do not give is "not available" with the reason, and a figure that
// only some reports give says how many reports lack it: never a silent zero (the Commission's
// reports found Member State figures incomplete and not comparable).
//
// Thread safety: pure functions.
#ifndef VIGIL_TRANSPARENCY_MEMBER_STATE_H_
#define VIGIL_TRANSPARENCY_MEMBER_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "transparency/received_reports.h"

namespace vigil::transparency {

// A statistic: a value (complete, or partial when some reports lack the data), or not available.
struct Statistic {
  std::optional<int64_t> value{};
  int64_t reports_without_data = 0;  // with a value: reports that do not give this figure
  std::string not_available{};       // without a value: why
  friend bool operator==(const Statistic&, const Statistic&) = default;
};

struct MemberStateStatistics {
  std::string member_state{};  // two-letter EU code, e.g. "SE"
  int year = 0;
  // Art 8(a).
  Statistic reports_total{};                          // distinct original reports
  Statistic reports_received_more_than_once{};        // originals received on more than one channel
  Statistic records{};                                // records, duplicates included
  std::map<std::string, int64_t> by_source_kind{};    // originals per source kind that sent them
  std::map<std::string, int64_t> by_provider_type{};  // originals per provider type ("not given")
  // Art 8(b), (c).
  Statistic children_female{}, children_male{}, children_gender_unspecified{}, children_total{};
  Statistic perpetrators_convicted{};
  // NCMEC's published referrals for the country and year, and the distinct reports received
  // from NCMEC.
  Statistic ncmec_referrals_published{};
  Statistic ncmec_reports_received{};
  int64_t records_outside_year = 0;  // read but received in another year
};

// Builds the statistics of `year` from `records` (several files' records together).
// `ncmec_published` is NCMEC's referral count for the state and year, when known. Records of the
// same original id are one report; kInvalidArgument naming both files and lines when they
// disagree (different provider type, different counts given) or when one channel lists the
// same report id twice.
Result<MemberStateStatistics> BuildMemberStateStatistics(const std::string& member_state, int year,
                                                         const std::vector<ReceivedReport>& records,
                                                         std::optional<int64_t> ncmec_published);

// NCMEC's per-country referral counts from CSV "member_state,year,referrals"; errors name the
// file and line.
Result<std::map<std::pair<std::string, int>, int64_t>> LoadNcmecReferrals(const std::string& path);

// The statistics as JSON (format "vigil-member-state-statistics", version 1) and as CSV
// ("figure,value,status,note" rows).
std::string MemberStateStatisticsJson(const MemberStateStatistics& s);
std::string MemberStateStatisticsCsv(const MemberStateStatistics& s);

// Reads statistics JSON back (for EU totals); errors name `source` and the field.
Result<MemberStateStatistics> ParseMemberStateStatistics(std::string_view json,
                                                         std::string_view source);

// EU totals of several Member States' statistics for one year: each figure summed over the
// states that give it, with the states that do not listed (never counted as zero).
struct EuTotal {
  int64_t value = 0;
  std::vector<std::string> from{};           // states whose figure is in the sum
  std::vector<std::string> not_available{};  // states without the figure
  std::vector<std::string> partial{};        // states whose figure lacks some reports' data
};
struct EuTotals {
  int year = 0;
  std::map<std::string, EuTotal> figures{};  // keyed as in the statistics JSON
};
// kInvalidArgument when the statistics are of different years or a state appears twice.
Result<EuTotals> CombineEuTotals(const std::vector<MemberStateStatistics>& states);
std::string EuTotalsJson(const EuTotals& totals);

}  // namespace vigil::transparency

#endif  // VIGIL_TRANSPARENCY_MEMBER_STATE_H_
