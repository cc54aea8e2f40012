// The annual report as JSON (docs/report-schema.json) and CSV.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "bank/csv.h"
#include "transparency/annual_report.h"
#include "transparency/provider_report.h"

namespace vigil::transparency {
namespace {

using Json = nlohmann::ordered_json;

double Round(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

Json FigureJson(const Figure& f) {
  Json j;
  switch (f.kind) {
    case Figure::Kind::kCount:
      j["count"] = f.count;
      j["unit"] = f.unit;
      break;
    case Figure::Kind::kRate:
      j["rate"] = {{"numerator", f.numerator},
                   {"denominator", f.denominator},
                   {"percent", Round(f.percent(), 4)}};
      j["unit"] = f.unit;
      break;
    case Figure::Kind::kDuration:
      j["seconds"] = f.seconds;
      break;
    case Figure::Kind::kText:
      j["text"] = f.text;
      break;
    case Figure::Kind::kNotAvailable:
      j["not_available"] = f.not_available;
      return j;
  }
  if (!f.method.empty()) j["method"] = f.method;
  j["source"] = f.source;
  return j;
}

// A count in the comparison format of provider_report.h.
Json CompareCount(const Figure& f, const char* scope) {
  if (f.kind != Figure::Kind::kCount) return {{"not_available", f.not_available}};
  return {{"value", f.count}, {"unit", f.unit}, {"scope", scope}};
}

const Figure& Get(const AnnualReport& r, const std::string& key) { return r.figures.at(key); }

Json ComparisonParts(const AnnualReport& r) {
  Json j;
  const Figure& k = Get(r, "cases.known.confirmed");
  const Figure& n = Get(r, "cases.new.confirmed");
  const Figure& s = Get(r, "cases.solicitation.confirmed");
  j["cases"] = {
      {"known_csam", CompareCount(k, "eu")},
      {"new_csam", CompareCount(n, "eu")},
      {"solicitation", CompareCount(s, "eu")},
      {"total", {{"value", k.count + n.count + s.count}, {"unit", "cases"}, {"scope", "eu"}}}};
  j["complaints"] = {
      {"internal", CompareCount(Get(r, "complaints.internal.total"), "eu")},
      {"judicial", CompareCount(Get(r, "complaints.judicial.total"), "eu")},
      {"total", {{"not_available", "complaints to a judicial authority are not recorded"}}}};
  j["reinstatements"] = {
      {"content_items", CompareCount(Get(r, "reinstatements.content_items"), "eu")},
      {"accounts", CompareCount(Get(r, "reinstatements.accounts"), "eu")}};
  j["error_rates"] = Json::array();
  for (const TechnologyFigures& t : r.technologies) {
    const std::string category = t.categories.size() == 1 ? t.categories[0] : "all";
    auto rate = [&](const char* method, int64_t num, int64_t den, const char* unit) {
      Json x = {{"technology", t.technology},
                {"category", category},
                {"method", method},
                {"numerator", num},
                {"denominator", den}};
      if (den > 0)
        x["percent"] = Round(100.0 * static_cast<double>(num) / static_cast<double>(den), 4);
      x["unit"] = unit;
      x["scope"] = "global";
      return x;
    };
    j["error_rates"].push_back(
        rate(kMethodFlaggedNotConfirmed, t.not_confirmed, t.flagged, "content_items"));
    j["error_rates"].push_back(
        rate(kMethodReinstatedOfActioned, t.reversed_on_complaint, t.actioned, "content_items"));
  }
  return j;
}

Json ProviderJson(const ReportConfig& c) {
  if (!c.given) return {{"not_available", "no configuration given (--config)"}};
  Json p = {{"name", c.provider_name}};
  if (!c.provider_address.empty()) p["address"] = c.provider_address;
  if (!c.provider_contact.empty()) p["contact"] = c.provider_contact;
  p["services"] = c.services;
  return p;
}

}  // namespace

std::string AnnualReportJson(const AnnualReport& r) {
  Json j;
  j["format"] = "vigil-annual-report";
  j["version"] = 1;
  j["form"] = {{"id", r.form.id},
               {"title", r.form.title},
               {"celex", r.form.celex},
               {"eli", r.form.eli},
               {"report_article", r.form.report_article}};
  j["provider"] = ProviderJson(r.config);
  j["period"] = {{"label", std::to_string(r.year)},
                 {"year", r.year},
                 {"from", fmt::format("{}-01-01", r.year)},
                 {"to", fmt::format("{}-12-31", r.year)}};
  j["generated_at"] = r.generated_at;
  const Json parts = ComparisonParts(r);
  for (const char* k : {"cases", "complaints", "reinstatements", "error_rates"}) j[k] = parts[k];
  j["technologies"] = Json::array();
  for (const TechnologyFigures& t : r.technologies) {
    j["technologies"].push_back({{"technology", t.technology},
                                 {"categories", t.categories},
                                 {"flagged_A", t.flagged},
                                 {"not_confirmed_B", t.not_confirmed},
                                 {"reviewed_C", t.reviewed},
                                 {"pending_review", t.pending_review},
                                 {"actioned", t.actioned},
                                 {"reversed_on_complaint", t.reversed_on_complaint}});
  }
  j["volumes"] = Json::array();
  for (const VolumeFigures& v : r.volumes) {
    j["volumes"].push_back({{"technology", v.technology},
                            {"content_type", v.content_type},
                            {"region", v.region},
                            {"processed", v.processed},
                            {"flagged", v.flagged}});
  }
  j["organisations"] = Json::array();
  for (const Organisation& o : r.config.organisations) {
    j["organisations"].push_back({{"name", o.name}, {"kind", o.kind}});
  }
  j["figures"] = Json::object();
  for (const auto& [k, f] : r.figures) j["figures"][k] = FigureJson(f);
  j["rows"] = Json::array();
  for (const FormRow& row : r.rows) {
    Json x = {{"id", row.id}, {"category", row.category}};
    if (!row.ref.empty()) x["ref"] = row.ref;
    x["group"] = row.group;
    x["subcategory"] = row.subcategory;
    x["optional"] = row.optional;
    x["figure"] = row.figure;
    x["answer"] = FigureJson(r.figures.at(row.figure));
    j["rows"].push_back(x);
  }
  return j.dump(2) + "\n";
}

std::string AnnualReportCsv(const AnnualReport& r) {
  std::string out = "row,category,ref,group,subcategory,figure,value,unit,method,status\n";
  auto line = [&](const std::string& id, const std::string& cat, const std::string& ref,
                  const std::string& group, const std::string& sub, const std::string& key) {
    const Figure& f = r.figures.at(key);
    std::string value;
    if (f.kind == Figure::Kind::kCount) value = std::to_string(f.count);
    if (f.kind == Figure::Kind::kRate) value = fmt::format("{:.4f}", f.percent());
    if (f.kind == Figure::Kind::kDuration) value = fmt::format("{:.0f}", f.seconds);
    if (f.kind == Figure::Kind::kText) value = f.text;
    const std::string status = f.kind == Figure::Kind::kNotAvailable ? "not_available" : "given";
    const std::string method =
        f.kind == Figure::Kind::kRate
            ? fmt::format("{} of {}; {}", f.numerator, f.denominator, f.method)
        : f.kind == Figure::Kind::kNotAvailable ? f.not_available
                                                : f.method;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", id, cat, bank::CsvQuote(ref),
                       bank::CsvQuote(group), bank::CsvQuote(sub), key, bank::CsvQuote(value),
                       f.kind == Figure::Kind::kDuration ? "seconds" : f.unit,
                       bank::CsvQuote(method), status);
  };
  for (const FormRow& row : r.rows) {
    line(row.id, std::to_string(row.category), row.ref, row.group,
         row.subcategory.empty() ? row.description : row.subcategory, row.figure);
  }
  for (const char* key : kExtraFigures) line("", "", "", "", "", key);
  return out;
}

}  // namespace vigil::transparency
