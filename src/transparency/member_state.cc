#include "transparency/member_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>

#include "bank/csv.h"
#include "bank/line_reader.h"
#include "transparency/json_input.h"

namespace vigil::transparency {
namespace {

// One original report and every record of it.
struct Original {
  const ReceivedReport* first = nullptr;  // earliest received
  std::set<std::string> channels;         // sources it came through
  std::set<std::string> kinds;
  ReceivedReport merged;  // fields filled from whichever record gives them
  int64_t records = 0;
};

std::string At(const ReceivedReport& r) { return fmt::format("{}: line {}", r.file, r.line); }

Status MergeCount(std::optional<int64_t>& into, const std::optional<int64_t>& from,
                  const char* field, const ReceivedReport& earlier, const ReceivedReport& r) {
  if (!from) return Status::Ok();
  if (into && *into != *from) {
    return InvalidArgumentError(
        fmt::format("{}: report {} gives {} {}, but {} (same original report) gives {}", At(r),
                    r.original_id, field, *from, At(earlier), *into));
  }
  into = from;
  return Status::Ok();
}

Status Merge(Original& o, const ReceivedReport& r) {
  ReceivedReport& m = o.merged;
  if (o.records == 0) {
    m = r;
  } else {
    if (!r.provider_type.empty() && !m.provider_type.empty() &&
        r.provider_type != m.provider_type) {
      return InvalidArgumentError(fmt::format(
          "{}: report {} gives provider type \"{}\", but {} (same original report) gives \"{}\"",
          At(r), r.original_id, r.provider_type, At(m), m.provider_type));
    }
    if (m.provider_type.empty()) m.provider_type = r.provider_type;
    RETURN_IF_ERROR(MergeCount(m.children_female, r.children_female, "children_female", m, r));
    RETURN_IF_ERROR(MergeCount(m.children_male, r.children_male, "children_male", m, r));
    RETURN_IF_ERROR(MergeCount(m.children_gender_unspecified, r.children_gender_unspecified,
                               "children_gender_unspecified", m, r));
    RETURN_IF_ERROR(MergeCount(m.perpetrators_convicted, r.perpetrators_convicted,
                               "perpetrators_convicted", m, r));
  }
  if (o.first == nullptr || r.received < o.first->received) o.first = &r;
  o.channels.insert(r.source);
  o.kinds.insert(r.source_kind);
  ++o.records;
  return Status::Ok();
}

// Sums `field` over the originals, counting those that do not give it.
template <typename Get>
Statistic SumOver(const std::vector<const Original*>& originals, Get get, const char* what) {
  Statistic s;
  int64_t sum = 0;
  bool any = false;
  for (const Original* o : originals) {
    if (std::optional<int64_t> v = get(o->merged)) {
      sum += *v;
      any = true;
    } else {
      ++s.reports_without_data;
    }
  }
  if (!any) {
    return Statistic{.not_available = originals.empty()
                                          ? "no reports received in the year"
                                          : fmt::format("no report record gives {}", what)};
  }
  s.value = sum;
  return s;
}

Statistic Count(int64_t n) { return Statistic{.value = n}; }

struct NamedStatistic {
  const char* key;
  Statistic MemberStateStatistics::*field;
};
constexpr NamedStatistic kStatistics[] = {
    {"reports_total", &MemberStateStatistics::reports_total},
    {"reports_received_more_than_once", &MemberStateStatistics::reports_received_more_than_once},
    {"records", &MemberStateStatistics::records},
    {"children_female", &MemberStateStatistics::children_female},
    {"children_male", &MemberStateStatistics::children_male},
    {"children_gender_unspecified", &MemberStateStatistics::children_gender_unspecified},
    {"children_total", &MemberStateStatistics::children_total},
    {"perpetrators_convicted", &MemberStateStatistics::perpetrators_convicted},
    {"ncmec_referrals_published", &MemberStateStatistics::ncmec_referrals_published},
    {"ncmec_reports_received", &MemberStateStatistics::ncmec_reports_received},
};

nlohmann::ordered_json StatisticJson(const Statistic& s) {
  nlohmann::ordered_json j;
  if (s.value) {
    j["value"] = *s.value;
    if (s.reports_without_data > 0) j["reports_without_data"] = s.reports_without_data;
  } else {
    j["not_available"] = s.not_available;
  }
  return j;
}

Result<Statistic> ParseStatistic(const nlohmann::json& j, std::string_view where) {
  RETURN_IF_ERROR(internal::RequireObject(j, where));
  Statistic s;
  ASSIGN_OR_RETURN(s.value, internal::OptionalInt(j, "value", where));
  ASSIGN_OR_RETURN(std::optional<int64_t> without,
                   internal::OptionalInt(j, "reports_without_data", where));
  s.reports_without_data = without.value_or(0);
  ASSIGN_OR_RETURN(std::optional<std::string> na,
                   internal::OptionalString(j, "not_available", where));
  s.not_available = na.value_or("");
  if (s.value.has_value() == !s.not_available.empty() || (s.value && *s.value < 0)) {
    return InvalidArgumentError(fmt::format(
        "{}: give either a value of at least 0 or \"not_available\" (a reason)", where));
  }
  return s;
}

}  // namespace

Result<MemberStateStatistics> BuildMemberStateStatistics(const std::string& member_state, int year,
                                                         const std::vector<ReceivedReport>& records,
                                                         std::optional<int64_t> ncmec_published) {
  std::map<std::string, Original> originals;
  std::map<std::pair<std::string, std::string>, const ReceivedReport*> seen;  // (source, id)
  for (const ReceivedReport& r : records) {
    auto [it, fresh] = seen.emplace(std::pair(r.source, r.report_id), &r);
    if (!fresh) {
      return InvalidArgumentError(fmt::format("{}: report {} from {} is listed twice (also {})",
                                              At(r), r.report_id, r.source, At(*it->second)));
    }
    RETURN_IF_ERROR(Merge(originals[r.original_id], r));
  }
  MemberStateStatistics s{.member_state = member_state, .year = year};
  const std::string prefix = fmt::format("{:04}-", year);
  std::vector<const Original*> in_year;
  int64_t record_count = 0, more_than_once = 0, from_ncmec = 0;
  for (const auto& [id, o] : originals) {
    // Art 8(a): a report counts once, in the year it was first received.
    if (o.first->received.rfind(prefix, 0) != 0) {
      s.records_outside_year += o.records;
      continue;
    }
    in_year.push_back(&o);
    record_count += o.records;
    more_than_once += o.channels.size() > 1 ? 1 : 0;
    from_ncmec += o.kinds.count("ncmec");
    for (const std::string& k : o.kinds) ++s.by_source_kind[k];
    ++s.by_provider_type[o.merged.provider_type.empty() ? "not given" : o.merged.provider_type];
  }
  if (in_year.empty()) {
    s.reports_total.not_available = fmt::format("no records received in {} in the input", year);
    s.reports_received_more_than_once.not_available = s.reports_total.not_available;
  } else {
    s.reports_total = Count(static_cast<int64_t>(in_year.size()));
    s.reports_received_more_than_once = Count(more_than_once);
  }
  s.records = Count(record_count);
  s.children_female = SumOver(
      in_year, [](const auto& r) { return r.children_female; }, "children_female");
  s.children_male = SumOver(
      in_year, [](const auto& r) { return r.children_male; }, "children_male");
  s.children_gender_unspecified = SumOver(
      in_year, [](const auto& r) { return r.children_gender_unspecified; },
      "children_gender_unspecified");
  // A report's total is known only when it gives all three: a missing gender is not a zero.
  s.children_total = SumOver(
      in_year,
      [](const ReceivedReport& r) -> std::optional<int64_t> {
        if (!r.children_female || !r.children_male || !r.children_gender_unspecified) return {};
        return *r.children_female + *r.children_male + *r.children_gender_unspecified;
      },
      "all three children counts");
  s.perpetrators_convicted = SumOver(
      in_year, [](const auto& r) { return r.perpetrators_convicted; }, "perpetrators_convicted");
  s.ncmec_reports_received = Count(from_ncmec);
  if (ncmec_published) {
    s.ncmec_referrals_published = Count(*ncmec_published);
  } else {
    s.ncmec_referrals_published.not_available =
        fmt::format("no NCMEC referral count given for {} {}", member_state, year);
  }
  return s;
}

Result<std::map<std::pair<std::string, int>, int64_t>> LoadNcmecReferrals(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot be opened");
  bank::LineReader lines(in, 4096);
  bank::CsvSplitter splitter;
  std::map<std::pair<std::string, int>, int64_t> out;
  while (auto line = lines.Next()) {
    const std::string where = fmt::format("{}: line {}", path, line->number);
    if (line->too_long) return ResourceExhaustedError(where + ": line too long");
    if (line->text.empty()) continue;
    ASSIGN_OR_RETURN(auto fields, splitter.Split(line->text));
    if (line->number == 1) {
      if (fields.size() != 3 || fields[0] != "member_state" || fields[1] != "year" ||
          fields[2] != "referrals") {
        return InvalidArgumentError(where + ": header must be member_state,year,referrals");
      }
      continue;
    }
    int year = 0;
    int64_t n = -1;
    if (fields.size() != 3 ||
        std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), year).ec !=
            std::errc() ||
        std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), n).ec !=
            std::errc() ||
        n < 0 || fields[0].size() != 2) {
      return InvalidArgumentError(where + ": expected a two-letter state, a year and a count");
    }
    if (!out.emplace(std::pair(std::string(fields[0]), year), n).second) {
      return InvalidArgumentError(fmt::format("{}: {} {} given twice", where, fields[0], year));
    }
  }
  RETURN_IF_ERROR(lines.status());
  return out;
}

std::string MemberStateStatisticsJson(const MemberStateStatistics& s) {
  nlohmann::ordered_json j;
  j["format"] = "vigil-member-state-statistics";
  j["version"] = 1;
  j["legal_basis"] = "Article 8 of Regulation (EU) 2021/1232";
  j["member_state"] = s.member_state;
  j["year"] = s.year;
  for (const NamedStatistic& n : kStatistics) j["figures"][n.key] = StatisticJson(s.*n.field);
  j["reports_by_source_kind"] = s.by_source_kind;
  j["reports_by_provider_type"] = s.by_provider_type;
  j["records_outside_year"] = s.records_outside_year;
  if (s.ncmec_referrals_published.value && s.ncmec_reports_received.value &&
      *s.ncmec_referrals_published.value > 0) {
    j["ncmec_comparison"] = {{"published_referrals", *s.ncmec_referrals_published.value},
                             {"reports_received_from_ncmec", *s.ncmec_reports_received.value},
                             {"received_percent_of_published",
                              100.0 * static_cast<double>(*s.ncmec_reports_received.value) /
                                  static_cast<double>(*s.ncmec_referrals_published.value)}};
  }
  return j.dump(2) + "\n";
}

std::string MemberStateStatisticsCsv(const MemberStateStatistics& s) {
  std::string out = "member_state,year,figure,value,status,note\n";
  auto row = [&](const std::string& figure, const Statistic& st) {
    const std::string status = !st.value                     ? "not_available"
                               : st.reports_without_data > 0 ? "partial"
                                                             : "complete";
    const std::string note =
        !st.value ? st.not_available
        : st.reports_without_data > 0
            ? fmt::format("{} reports do not give this figure", st.reports_without_data)
            : "";
    out += fmt::format("{},{},{},{},{},{}\n", s.member_state, s.year, bank::CsvQuote(figure),
                       st.value ? std::to_string(*st.value) : "", status, bank::CsvQuote(note));
  };
  for (const NamedStatistic& n : kStatistics) row(n.key, s.*n.field);
  for (const auto& [k, v] : s.by_source_kind) row("reports_by_source_kind." + k, Count(v));
  for (const auto& [k, v] : s.by_provider_type) row("reports_by_provider_type." + k, Count(v));
  return out;
}

Result<MemberStateStatistics> ParseMemberStateStatistics(std::string_view json,
                                                         std::string_view source) {
  ASSIGN_OR_RETURN(nlohmann::json root, internal::ParseJson(json, source));
  RETURN_IF_ERROR(internal::RequireObject(root, source));
  MemberStateStatistics s;
  ASSIGN_OR_RETURN(s.member_state, internal::RequiredString(root, "member_state", source));
  ASSIGN_OR_RETURN(std::optional<int64_t> year, internal::OptionalInt(root, "year", source));
  if (!year) return InvalidArgumentError(fmt::format("{}: missing field \"year\"", source));
  s.year = static_cast<int>(*year);
  const nlohmann::json figures = root.value("figures", nlohmann::json());
  RETURN_IF_ERROR(internal::RequireObject(figures, fmt::format("{}: figures", source)));
  for (const NamedStatistic& n : kStatistics) {
    const std::string where = fmt::format("{}: figures.{}", source, n.key);
    if (!figures.contains(n.key)) {
      (s.*n.field).not_available = "not in the statistics";
      continue;
    }
    ASSIGN_OR_RETURN(s.*n.field, ParseStatistic(figures[n.key], where));
  }
  return s;
}

Result<EuTotals> CombineEuTotals(const std::vector<MemberStateStatistics>& states) {
  EuTotals t;
  std::set<std::string> seen;
  for (const MemberStateStatistics& s : states) {
    if (t.year == 0) t.year = s.year;
    if (s.year != t.year) {
      return InvalidArgumentError(fmt::format("statistics of {} are for {}, the others for {}",
                                              s.member_state, s.year, t.year));
    }
    if (!seen.insert(s.member_state).second) {
      return InvalidArgumentError(fmt::format("{} appears twice", s.member_state));
    }
    for (const NamedStatistic& n : kStatistics) {
      const Statistic& st = s.*n.field;
      EuTotal& total = t.figures[n.key];
      if (!st.value) {
        total.not_available.push_back(s.member_state);
        continue;
      }
      total.value += *st.value;
      total.from.push_back(s.member_state);
      if (st.reports_without_data > 0) total.partial.push_back(s.member_state);
    }
  }
  return t;
}

std::string EuTotalsJson(const EuTotals& totals) {
  nlohmann::ordered_json j;
  j["format"] = "vigil-eu-totals";
  j["version"] = 1;
  j["year"] = totals.year;
  for (const NamedStatistic& n : kStatistics) {
    auto it = totals.figures.find(n.key);
    if (it == totals.figures.end()) continue;
    const EuTotal& t = it->second;
    nlohmann::ordered_json f;
    if (t.from.empty()) {
      f["not_available"] = "no Member State gives this figure";
    } else {
      f["value"] = t.value;
    }
    f["member_states"] = t.from;
    f["not_available_from"] = t.not_available;
    f["partial_from"] = t.partial;
    j["figures"][n.key] = f;
  }
  return j.dump(2) + "\n";
}

}  // namespace vigil::transparency
