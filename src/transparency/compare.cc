#include "transparency/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace vigil::transparency {
namespace {

std::string Label(const ProviderReport& r) { return fmt::format("{} {}", r.provider, r.period); }

std::string Cell(const ReportCount& c) {
  if (!c.value) return "n/a";
  std::string prefix = c.qualifier == "approx"    ? "~"
                       : c.qualifier == "over"    ? ">"
                       : c.qualifier == "at_most" ? "<="
                                                  : "";
  return prefix + std::to_string(*c.value);
}

// What the available counts of a row were counted in: "content_items, eu", or "mixed: ...".
std::string CountedAs(const std::vector<const ReportCount*>& counts) {
  std::set<std::string> kinds;
  for (const ReportCount* c : counts) {
    if (c->value)
      kinds.insert(fmt::format("{}, {}", c->unit.empty() ? "?" : c->unit,
                               c->scope.empty() ? "?" : c->scope));
  }
  if (kinds.empty()) return "-";
  if (kinds.size() == 1) return *kinds.begin();
  return fmt::format("mixed: {}", fmt::join(kinds, "; "));
}

// Digits after the point in the shortest form of `v` (how precisely it was stated).
int StatedDecimals(double v) {
  const std::string s = fmt::format("{}", v);
  if (s.find('e') != std::string::npos) return 12;
  const size_t dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}

std::string Percent(double v) { return fmt::format("{}", v); }

// Flags the reports' counts that are not available, by report.
void FlagMissing(const ProviderReport& r, std::vector<std::string>& flags) {
  std::map<std::string, std::vector<std::string>> by_reason;
  const std::pair<const char*, const ReportCount*> counts[] = {
      {"cases.known_csam", &r.cases_known},
      {"cases.new_csam", &r.cases_new},
      {"cases.solicitation", &r.cases_solicitation},
      {"cases.total", &r.cases_total},
      {"complaints.internal", &r.complaints_internal},
      {"complaints.judicial", &r.complaints_judicial},
      {"complaints.total", &r.complaints_total},
      {"reinstatements.content_items", &r.reinstated_content},
      {"reinstatements.accounts", &r.reinstated_accounts}};
  for (const auto& [name, c] : counts) {
    if (!c->value) by_reason[c->not_available].push_back(name);
  }
  for (const auto& [reason, names] : by_reason) {
    flags.push_back(
        fmt::format("{}: not available ({}): {}", Label(r), reason, fmt::join(names, ", ")));
  }
}

// Flags a figure counted in different units or scopes across reports.
void FlagNotComparable(const std::vector<ProviderReport>& reports, const char* what,
                       const std::vector<ReportCount ProviderReport::*>& fields,
                       std::vector<std::string>& flags) {
  std::map<std::string, std::vector<std::string>> units, scopes;
  for (const ProviderReport& r : reports) {
    std::set<std::string> u, s;
    for (auto field : fields) {
      const ReportCount& c = r.*field;
      if (c.value) {
        u.insert(c.unit.empty() ? "unstated" : c.unit);
        s.insert(c.scope.empty() ? "unstated" : c.scope);
      }
    }
    for (const std::string& x : u) units[x].push_back(Label(r));
    for (const std::string& x : s) scopes[x].push_back(Label(r));
  }
  auto describe = [](const std::map<std::string, std::vector<std::string>>& m) {
    std::vector<std::string> parts;
    for (const auto& [k, v] : m) parts.push_back(fmt::format("{} ({})", k, fmt::join(v, ", ")));
    return fmt::format("{}", fmt::join(parts, "; "));
  };
  if (units.size() > 1) {
    flags.push_back(
        fmt::format("{} not comparable: counted in different units: {}", what, describe(units)));
  }
  if (scopes.size() > 1) {
    flags.push_back(
        fmt::format("{} not comparable: different geographic scopes: {}", what, describe(scopes)));
  }
}

ComparisonTable CasesTable(const std::vector<ProviderReport>& reports,
                           std::vector<std::string>& flags) {
  ComparisonTable t{"Cases of online child sexual abuse identified, by type",
                    {"provider", "period", "known CSAM", "new CSAM", "solicitation", "total",
                     "counted as (unit, scope)"}};
  for (const ProviderReport& r : reports) {
    t.rows.push_back(
        {r.provider, r.period, Cell(r.cases_known), Cell(r.cases_new), Cell(r.cases_solicitation),
         Cell(r.cases_total),
         CountedAs({&r.cases_known, &r.cases_new, &r.cases_solicitation, &r.cases_total})});
    const ReportCount* parts[] = {&r.cases_known, &r.cases_new, &r.cases_solicitation};
    if (r.cases_total.value && std::all_of(std::begin(parts), std::end(parts),
                                           [](const ReportCount* c) { return c->value; })) {
      const int64_t sum = *parts[0]->value + *parts[1]->value + *parts[2]->value;
      if (sum != *r.cases_total.value) {
        flags.push_back(fmt::format("{}: cases by type add up to {}, not the total {}", Label(r),
                                    sum, *r.cases_total.value));
      }
    }
  }
  return t;
}

ComparisonTable ComplaintsTable(const std::vector<ProviderReport>& reports,
                                std::vector<std::string>& flags) {
  ComparisonTable t{"Complaints and reinstatements",
                    {"provider", "period", "complaints internal", "complaints judicial",
                     "complaints (channels combined)", "content reinstated", "accounts reinstated",
                     "counted as (unit, scope)"}};
  for (const ProviderReport& r : reports) {
    t.rows.push_back(
        {r.provider, r.period, Cell(r.complaints_internal), Cell(r.complaints_judicial),
         Cell(r.complaints_total), Cell(r.reinstated_content), Cell(r.reinstated_accounts),
         CountedAs({&r.complaints_internal, &r.complaints_judicial, &r.complaints_total,
                    &r.reinstated_content, &r.reinstated_accounts})});
    if (r.complaints_total.value && !r.complaints_internal.value && !r.complaints_judicial.value) {
      flags.push_back(
          fmt::format("{}: internal and judicial complaints are not separated (only a combined {})",
                      Label(r), *r.complaints_total.value));
    }
    std::optional<int64_t> complaints = r.complaints_total.value;
    if (r.complaints_internal.value && r.complaints_judicial.value) {
      complaints = *r.complaints_internal.value + *r.complaints_judicial.value;
    }
    const int64_t reinstated =
        r.reinstated_content.value.value_or(0) + r.reinstated_accounts.value.value_or(0);
    if (complaints && reinstated > *complaints) {
      flags.push_back(fmt::format("{}: inconsistent: {} reinstated but only {} complaints",
                                  Label(r), reinstated, *complaints));
    }
  }
  return t;
}

}  // namespace

std::string_view RateVerdictName(RateVerdict verdict) {
  switch (verdict) {
    case RateVerdict::kConsistent:
      return "consistent";
    case RateVerdict::kTruncated:
      return "truncated";
    case RateVerdict::kInconsistent:
      return "inconsistent";
    case RateVerdict::kUndefined:
      return "undefined";
    case RateVerdict::kMissingCounts:
      return "missing counts";
    case RateVerdict::kComputed:
      return "computed";
  }
  return "";
}

RateCheck CheckRate(const ReportedRate& rate) {
  RateCheck c{.technology = rate.technology,
              .category = rate.category,
              .method = rate.method,
              .unit = rate.unit,
              .scope = rate.scope,
              .numerator = rate.numerator,
              .denominator = rate.denominator,
              .stated_percent = rate.percent};
  const std::string stated =
      rate.percent ? fmt::format("stated {} %", Percent(*rate.percent)) : "no percent stated";
  if (!rate.numerator || !rate.denominator) {
    c.verdict = RateVerdict::kMissingCounts;
    c.message = fmt::format("{}; {} not given: cannot be recomputed", stated,
                            !rate.numerator && !rate.denominator ? "numerator and denominator"
                            : !rate.denominator                  ? "denominator"
                                                                 : "numerator");
    return c;
  }
  const std::string counts = fmt::format("{} of {}", *rate.numerator, *rate.denominator);
  if (*rate.denominator == 0) {
    c.verdict = RateVerdict::kUndefined;
    c.message = fmt::format("{}: undefined (nothing to divide); {}", counts, stated);
    return c;
  }
  const double exact =
      100.0 * static_cast<double>(*rate.numerator) / static_cast<double>(*rate.denominator);
  c.recomputed_percent = exact;
  const std::string computed = fmt::format("{} = {:.4f} %", counts, exact);
  if (!rate.percent) {
    c.verdict = RateVerdict::kComputed;
    c.message = computed;
    return c;
  }
  const int d = StatedDecimals(*rate.percent);
  const double scale = std::pow(10.0, d);
  const long long want = std::llround(*rate.percent * scale);
  const long long rounded = std::llround(exact * scale);
  const auto truncated = static_cast<long long>(std::floor(exact * scale + 1e-9));
  if (rounded == want) {
    c.verdict = RateVerdict::kConsistent;
    c.message = fmt::format("{}; {}: consistent", computed, stated);
  } else if (truncated == want) {
    c.verdict = RateVerdict::kTruncated;
    c.message =
        fmt::format("{}; {} is truncated: rounding gives {:.{}f} %", computed, stated, exact, d);
  } else {
    c.verdict = RateVerdict::kInconsistent;
    c.message = fmt::format("{}; {} does not follow from these counts", computed, stated);
  }
  return c;
}

Comparison Compare(const std::vector<ProviderReport>& reports) {
  Comparison out;
  out.tables.push_back(CasesTable(reports, out.flags));
  out.tables.push_back(ComplaintsTable(reports, out.flags));
  ComparisonTable rates{"Error rates, with the method of each",
                        {"provider", "period", "technology", "category", "method", "counts",
                         "stated %", "recomputed %", "check"}};
  std::map<std::string, std::vector<std::string>> methods;
  for (const ProviderReport& r : reports) {
    if (r.error_rates.empty()) {
      out.flags.push_back(fmt::format("{}: no error rate given", Label(r)));
    }
    for (const ReportedRate& rate : r.error_rates) {
      RateCheck c = CheckRate(rate);
      c.provider = r.provider;
      c.period = r.period;
      methods[rate.method].push_back(Label(r));
      rates.rows.push_back(
          {r.provider, r.period, rate.technology.empty() ? "-" : rate.technology,
           rate.category.empty() ? "-" : rate.category, rate.method,
           c.numerator && c.denominator ? fmt::format("{} of {}", *c.numerator, *c.denominator)
                                        : "n/a",
           c.stated_percent ? Percent(*c.stated_percent) : "-",
           c.recomputed_percent ? fmt::format("{:.4f}", *c.recomputed_percent) : "-",
           std::string(RateVerdictName(c.verdict))});
      if (c.verdict != RateVerdict::kConsistent && c.verdict != RateVerdict::kComputed) {
        out.flags.push_back(fmt::format("{} {} ({}): {}", Label(r), rate.method,
                                        rate.technology.empty() ? "-" : rate.technology,
                                        c.message));
      }
      out.rates.push_back(std::move(c));
    }
  }
  out.tables.push_back(std::move(rates));
  if (methods.size() > 1) {
    std::vector<std::string> parts;
    for (const auto& [m, who] : methods) {
      parts.push_back(fmt::format("{} ({})", m, fmt::join(who, ", ")));
    }
    out.flags.push_back(fmt::format("error rates not comparable: {} different methods: {}",
                                    methods.size(), fmt::join(parts, "; ")));
  }
  FlagNotComparable(reports, "cases",
                    {&ProviderReport::cases_known, &ProviderReport::cases_new,
                     &ProviderReport::cases_solicitation, &ProviderReport::cases_total},
                    out.flags);
  FlagNotComparable(reports, "complaints",
                    {&ProviderReport::complaints_internal, &ProviderReport::complaints_judicial,
                     &ProviderReport::complaints_total},
                    out.flags);
  FlagNotComparable(reports, "reinstatements",
                    {&ProviderReport::reinstated_content, &ProviderReport::reinstated_accounts},
                    out.flags);
  for (const ProviderReport& r : reports) FlagMissing(r, out.flags);
  return out;
}

std::string FormatComparisonText(const Comparison& comparison) {
  std::string out;
  for (const ComparisonTable& t : comparison.tables) {
    std::vector<size_t> width(t.header.size());
    for (size_t i = 0; i < t.header.size(); ++i) width[i] = t.header[i].size();
    for (const auto& row : t.rows) {
      for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
        width[i] = std::max(width[i], row[i].size());
      }
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string l;
      for (size_t i = 0; i < cells.size(); ++i) {
        l += fmt::format("{:<{}}", cells[i], i + 1 < cells.size() ? width[i] + 2 : 0);
      }
      return l + "\n";
    };
    out += t.title + "\n" + line(t.header);
    for (const auto& row : t.rows) out += line(row);
    out += "\n";
  }
  std::set<std::string> methods;
  for (const RateCheck& c : comparison.rates) methods.insert(c.method);
  if (!methods.empty()) out += "Methods\n";
  for (const std::string& m : methods) {
    const std::string_view def = MethodDefinition(m);
    out += fmt::format("  {}: {}\n", m, def.empty() ? "not a method vigil knows" : def);
  }
  out += fmt::format("\nFlags ({})\n", comparison.flags.size());
  for (const std::string& f : comparison.flags) out += "  - " + f + "\n";
  return out;
}

}  // namespace vigil::transparency
