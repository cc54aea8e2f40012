#include "transparency/annual_report.h"

#include <fmt/format.h>

#include <chrono>

#include "transparency/annual_tally.h"

namespace vigil::transparency {
namespace {

using internal::AnnualTally;
using internal::GroupTally;

constexpr const char* kGroupKey[] = {"known", "new", "solicitation"};
constexpr const char* kGroupName[] = {"known_csam", "new_csam", "solicitation"};

const char kCohort[] =
    "items that joined a case in the period, with review outcomes as of the time the report was "
    "generated";
const char kRedress[] = "not recorded in vigil yet (the redress issue adds it)";

Figure Count(int64_t n, std::string unit, std::string method) {
  return Figure{.kind = Figure::Kind::kCount,
                .count = n,
                .unit = std::move(unit),
                .method = std::move(method),
                .source = "store"};
}

Figure NotAvailable(std::string why) {
  return Figure{.kind = Figure::Kind::kNotAvailable, .not_available = std::move(why)};
}

Figure Rate(int64_t num, int64_t den, std::string unit, std::string method, std::string_view none) {
  if (den == 0) return NotAvailable(fmt::format("{}: the rate is undefined", none));
  return Figure{.kind = Figure::Kind::kRate,
                .numerator = num,
                .denominator = den,
                .unit = std::move(unit),
                .method = std::move(method),
                .source = "store"};
}

// Builds the figures of one report; one method per part of the form.
class FigureBuilder {
 public:
  FigureBuilder(const AnnualTally& t, const ReportConfig& config, int year,
                std::vector<exchange::OrganisationContact> contacts)
      : t_(t), config_(config), year_(year), contacts_(std::move(contacts)) {}

  std::map<std::string, Figure> Build() {
    Volumes();
    Identification();
    for (size_t g = 0; g < internal::kGroups; ++g) {
      Cases(g);
      Complaints(g);
      Errors(g);
      Measures(g);
    }
    Organisations();
    Extras();
    return std::move(f_);
  }

 private:
  // The configured answer to a text row, or why there is none.
  Figure Answer(const std::string& key) const {
    if (auto it = config_.answers.find(key); it != config_.answers.end()) {
      return Figure{.kind = Figure::Kind::kText, .text = it->second, .source = "configuration"};
    }
    if (!config_.given) return NotAvailable("no configuration given (--config)");
    return NotAvailable(fmt::format("not given in the configuration (answers.\"{}\")", key));
  }

  // What the system knows about a measure, with the configured answer before it when given.
  void WithSystem(const std::string& key, const std::string& system) {
    Figure a = Answer(key);
    if (a.kind == Figure::Kind::kText) {
      f_[key] = Figure{.kind = Figure::Kind::kText,
                       .text = a.text + "\n" + system,
                       .source = "store and configuration"};
    } else {
      f_[key] = Figure{.kind = Figure::Kind::kText, .text = system, .source = "store"};
    }
  }

  void Volumes();
  void Identification();
  void Cases(size_t g);
  void Complaints(size_t g);
  void Errors(size_t g);
  void Measures(size_t g);
  void Organisations();
  void Extras();
  void ReportDelays();

  const AnnualTally& t_;
  const ReportConfig& config_;
  const int year_;
  const std::vector<exchange::OrganisationContact> contacts_;  // from the exchanges, in the year
  std::map<std::string, Figure> f_;
};

// Items processed per content type ("image", "video", "other") and region, from the counters.
struct ItemVolumes {
  std::map<std::pair<std::string, stats::Region>, int64_t> items;
  std::map<std::string, std::pair<uint64_t, uint64_t>> per_technology;  // processed, flagged
  std::set<std::string> other_types;
};

ItemVolumes CountItems(const std::map<stats::VolumeKey, stats::VolumeCount>& volumes) {
  // Every item passes every hash technology of its type, so the items of a day are the largest
  // count among the technologies run that day (a sum would count an image once per hash).
  std::map<std::tuple<int64_t, std::string, stats::Region>, uint64_t> per_day;
  ItemVolumes out;
  for (const auto& [k, v] : volumes) {
    const bool known_type = k.content_type == "image" || k.content_type == "video";
    const std::string type = known_type ? k.content_type : "other";
    if (!known_type) out.other_types.insert(k.content_type);
    uint64_t& day = per_day[{k.day, type, k.region}];
    day = std::max(day, v.processed);
    out.per_technology[k.technology].first += v.processed;
    out.per_technology[k.technology].second += v.flagged;
  }
  for (const auto& [k, n] : per_day) {
    out.items[{std::get<1>(k), std::get<2>(k)}] += static_cast<int64_t>(n);
  }
  return out;
}

void FigureBuilder::Volumes() {
  f_["volume.text_bytes.eu"] = f_["volume.text_bytes.non_eu"] = NotAvailable(
      "vigil has no text (solicitation) detection yet, so no bytes of text are counted "
      "(the classifiers issue adds it)");
  if (t_.volumes.empty()) {
    const std::string why = fmt::format("no volume counters were recorded in {}", year_);
    for (const char* k : {"volume.content_data", "volume.image.eu", "volume.image.non_eu",
                          "volume.video.eu", "volume.video.non_eu", "volume.other.eu",
                          "volume.other.non_eu", "volume.other_information"}) {
      f_[k] = NotAvailable(why);
    }
    return;
  }
  ItemVolumes v = CountItems(t_.volumes);
  const std::string method =
      "volume counters of the period; per day, the largest count among the technologies that "
      "processed the content type (each item passes every technology of its type)";
  const std::string types =
      v.other_types.empty() ? "none" : fmt::format("{}", fmt::join(v.other_types, ", "));
  int64_t any = 0, unknown = 0;
  for (const std::string type : {"image", "video", "other"}) {
    for (auto [region, key] :
         {std::pair{stats::Region::kEu, "eu"}, std::pair{stats::Region::kNonEu, "non_eu"}}) {
      const int64_t n = v.items[{type, region}];
      any += n;
      f_[fmt::format("volume.{}.{}", type, key)] =
          type == "other" ? Count(n, "files", fmt::format("{}; file types: {}", method, types))
                          : Count(n, type + "s", method);
    }
    unknown += v.items[{type, stats::Region::kUnknown}];
  }
  f_["volume.content_data"] =
      Figure{.kind = Figure::Kind::kText, .text = any > 0 ? "yes" : "no", .source = "store"};
  std::string system = fmt::format(
      "Items whose user's region was not known (in neither the EU nor the non-EU rows): {}.",
      unknown);
  for (const auto& [tech, pf] : v.per_technology) {
    system += fmt::format(" {}: {} processed, {} flagged.", tech, pf.first, pf.second);
  }
  WithSystem("volume.other_information", system);
}

void FigureBuilder::Identification() {
  if (!config_.services.empty()) {
    f_["provider.services"] = Figure{.kind = Figure::Kind::kText,
                                     .text = fmt::format("{}", fmt::join(config_.services, "; ")),
                                     .source = "configuration"};
  } else {
    f_["provider.services"] = config_.given
                                  ? NotAvailable("not given in the configuration (services)")
                                  : NotAvailable("no configuration given (--config)");
  }
  for (const char* k :
       {"data.metadata", "grounds.processing", "grounds.transfer", "retention.content",
        "retention.non_content", "retention.complaints", "retention.other"}) {
    f_[k] = Answer(k);
  }
  for (const char* k : {"deidentification", "encryption", "governance", "governance_review",
                        "incident_response", "security_other", "redress", "access", "other"}) {
    f_[fmt::format("safeguards.{}", k)] = Answer(fmt::format("safeguards.{}", k));
  }
}

void FigureBuilder::Cases(size_t g) {
  const GroupTally& gt = t_.groups[g];
  const std::string p = fmt::format("cases.{}.", kGroupKey[g]);
  const std::string m =
      fmt::format("EU users' cases decided {} and marked reported in the period", kGroupName[g]);
  f_[p + "reports"] = Count(gt.reports, "reports", m);
  if (g < 2) {
    f_[p + "images"] = Count(gt.images, "images", m);
    f_[p + "videos"] = Count(gt.videos, "videos", m);
    f_[p + "other_files"] = Count(
        gt.other_files, "files",
        fmt::format(
            "{}; file types: {}", m,
            gt.other_types.empty() ? "none" : fmt::format("{}", fmt::join(gt.other_types, ", "))));
    f_[p + "accounts_sending"] = Count(static_cast<int64_t>(gt.accounts.size()), "accounts",
                                       "distinct accounts of those cases");
    f_[p + "accounts_receiving"] =
        NotAvailable("vigil records the account that sent an item, not its recipients");
  } else {
    f_[p + "accounts_soliciting"] = Count(static_cast<int64_t>(gt.accounts.size()), "accounts",
                                          "distinct accounts of those cases");
    f_[p + "accounts_soliciting_child_in_eu"] =
        NotAvailable("vigil records where the account is, not where the child is");
  }
}

void FigureBuilder::Complaints(size_t g) {
  const GroupTally& gt = t_.groups[g];
  const std::string accounts = fmt::format("complaints.{}.accounts.", kGroupKey[g]);
  for (const char* k : {"actioned", "internal.complaints", "internal.reasons", "internal.restored",
                        "internal.average_time", "judicial.complaints", "judicial.reasons",
                        "judicial.restored", "judicial.average_time"}) {
    f_[accounts + k] =
        NotAvailable(fmt::format("whether an action suspended the account is {}", kRedress));
  }
  if (g == 2) return;
  const std::string p = fmt::format("complaints.{}.content_items.", kGroupKey[g]);
  const std::string of = fmt::format("items of EU users' cases decided {}", kGroupName[g]);
  f_[p + "actioned"] = Count(gt.actioned_items, "content_items", of + ", acted on in the period");
  f_[p + "internal.complaints"] =
      Count(gt.complained_items, "content_items", of + " whose action was appealed in the period");
  f_[p + "internal.reasons"] = NotAvailable(fmt::format("complaint reasons are {}", kRedress));
  f_[p + "internal.restored"] =
      Count(gt.restored_items, "content_items", of + " reinstated after an appeal, in the period");
  if (gt.complaint_decisions > 0) {
    f_[p + "internal.average_time"] =
        Figure{.kind = Figure::Kind::kDuration,
               .seconds = static_cast<double>(gt.complaint_decision_seconds) /
                          static_cast<double>(gt.complaint_decisions),
               .unit = "seconds",
               .method =
                   "mean time from the appeal to its decision (reinstated, or actioned again), "
                   "over the appeals decided in the period",
               .source = "store"};
  } else {
    f_[p + "internal.average_time"] = NotAvailable("no complaint was decided in the period");
  }
  for (const char* k :
       {"judicial.complaints", "judicial.reasons", "judicial.restored", "judicial.average_time"}) {
    f_[p + k] = NotAvailable(fmt::format("complaints to a judicial authority are {}", kRedress));
  }
}

void FigureBuilder::Errors(size_t g) {
  const GroupTally& gt = t_.groups[g];
  const std::string p = fmt::format("errors.{}.", kGroupKey[g]);
  const std::string unit = g == 2 ? "accounts" : "content_items";
  const std::string what = g == 2 ? "EU accounts flagged automatically for solicitation"
                                  : fmt::format("items flagged automatically as {}", kGroupName[g]);
  const auto n = [](const std::set<std::string>& s) { return static_cast<int64_t>(s.size()); };
  f_[p + "A"] = Count(n(gt.a), unit, fmt::format("{}; {}", what, kCohort));
  f_[p + "B"] =
      Count(n(gt.b), unit, fmt::format("of A, decided not_csam on human review; {}", kCohort));
  f_[p + "C"] =
      Count(n(gt.c), unit, fmt::format("of A, with at least one human review; {}", kCohort));
  f_[p + "rate"] =
      Rate(n(gt.b), n(gt.a), unit,
           "false_positive_rate_of_flagged: B / A, the standard form's error rate",
           fmt::format("nothing was flagged automatically as {} in the period", kGroupName[g]));
  WithSystem(p + "other", fmt::format("Of A, {} awaited human review when the report was generated "
                                      "(counted in neither B nor C's outcome). Error rates per "
                                      "technology are in the technologies table.",
                                      n(gt.pending)));
}

void FigureBuilder::Measures(size_t g) {
  const GroupTally& gt = t_.groups[g];
  const std::string p = fmt::format("measures.{}.", kGroupKey[g]);
  for (const char* k : {"indicator_vetting", "indicator_other", "third_party_plan",
                        "deployment_other", "reviewer_training", "feedback_organisations",
                        "feedback_law_enforcement", "feedback_complaints"}) {
    f_[p + k] = Answer(p + k);
  }
  if (g == 0) {
    WithSystem(p + "indicator_quality",
               fmt::format("Hash bank entries retired in the period: {}. Active entries awaiting "
                           "re-verification after a match was found not to be CSAM: {}.",
                           t_.retired_entries, t_.entries_needing_verification));
  } else {
    f_[p + "indicator_quality"] = Answer(p + "indicator_quality");
  }
  const double share =
      gt.a.empty() ? 0
                   : 100.0 * static_cast<double>(gt.c.size()) / static_cast<double>(gt.a.size());
  WithSystem(p + "systematic_review",
             gt.a.empty() ? std::string("Nothing was flagged in the period.")
                          : fmt::format("{} of {} flagged were reviewed by a human ({:.2f} %).",
                                        gt.c.size(), gt.a.size(), share));
  WithSystem(
      p + "sample_review",
      fmt::format("Decisions of the period sampled for a second (QA) review: {} of {}. QA "
                  "reviews written in the period: {}, of which {} disagreed.",
                  t_.qa_sampled, t_.decided, t_.qa.overall.reviewed, t_.qa.overall.disagreed));
  std::string by_reviewer;
  for (const auto& [r, d] : t_.qa.by_reviewer) {
    by_reviewer += fmt::format(" {}: {} of {};", r, d.disagreed, d.reviewed);
  }
  WithSystem(p + "reviewer_quality_control",
             fmt::format("QA disagreements by reviewer:{}",
                         by_reviewer.empty() ? " none recorded." : by_reviewer));
  int64_t paused = 0;
  for (const auto& a : t_.alerts) paused += a.paused_auto_action;
  WithSystem(p + "other",
             fmt::format("Cluster alerts raised in the period: {} ({} paused automatic "
                         "action).",
                         t_.alerts.size(), paused));
  Figure rate = f_[fmt::format("errors.{}.rate", kGroupKey[g])];
  f_[p + "error_rate_achieved"] = rate;
}

// Art 7: the organisations hashes were exchanged with through `vigil exchange` in the period,
// with the counts, as "NAME (hashes received: N, shared: M)".
std::vector<std::string> ExchangedWith(const std::vector<exchange::OrganisationContact>& contacts,
                                       std::string_view kind) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_name;
  for (const auto& c : contacts) {
    if (c.kind != kind) continue;
    auto& [received, shared] = by_name[c.organisation];
    (c.direction == exchange::Direction::kShared ? shared : received) += c.hashes;
  }
  std::vector<std::string> out;
  for (const auto& [name, n] : by_name) {
    out.push_back(fmt::format("{} (hashes received: {}, shared: {})", name, n.first, n.second));
  }
  return out;
}

void FigureBuilder::Organisations() {
  for (auto [kind, key] : {std::pair{"ncmec", "organisations.ncmec"},
                           std::pair{"eu_centre", "organisations.eu_centre"},
                           std::pair{"other", "organisations.other"}}) {
    const std::vector<std::string> exchanged = ExchangedWith(contacts_, kind);
    if (!config_.organisations_given && !exchanged.empty()) {
      f_[key] = Figure{.kind = Figure::Kind::kText,
                       .text = fmt::format("{}", fmt::join(exchanged, "; ")),
                       .source = "store"};
      continue;
    }
    if (!config_.organisations_given) {
      f_[key] = config_.given ? NotAvailable("not given in the configuration (organisations)")
                              : NotAvailable("no configuration given (--config)");
      continue;
    }
    std::vector<std::string> names;
    for (const Organisation& o : config_.organisations) {
      if (o.kind == kind) names.push_back(o.name);
    }
    names.insert(names.end(), exchanged.begin(), exchanged.end());
    f_[key] = Figure{
        .kind = Figure::Kind::kText,
        .text = names.empty() ? "none: no data shared" : fmt::format("{}", fmt::join(names, "; ")),
        .source = exchanged.empty() ? "configuration" : "store and configuration"};
  }
}

void FigureBuilder::Extras() {
  int64_t complaints = 0, restored = 0, restored_accounts = 0;
  for (size_t g = 0; g < internal::kGroups; ++g) {
    f_[fmt::format("cases.{}.confirmed", kGroupKey[g])] =
        Count(t_.groups[g].confirmed, "cases",
              fmt::format("EU users' cases decided {} in the period", kGroupName[g]));
    complaints += t_.groups[g].complaints;
    restored += t_.groups[g].restored_items;
    restored_accounts += t_.groups[g].restored_accounts;
  }
  f_["complaints.internal.total"] =
      Count(complaints, "complaints", "EU users' cases whose action was appealed in the period");
  f_["complaints.judicial.total"] =
      NotAvailable(fmt::format("complaints to a judicial authority are {}", kRedress));
  f_["reinstatements.content_items"] =
      Count(restored, "content_items", "items reinstated after an appeal in the period");
  f_["reinstatements.accounts"] =
      Count(restored_accounts, "accounts",
            "accounts reinstated after an appeal in the period (complaint outcome "
            "account_reinstated or both_reinstated)");
  f_["retention.purged"] = NotAvailable(
      "the erasure counts were not given to the report (BuildAnnualReport without "
      "ReportStores::erasures)");
  f_["organisations.reports_per_organisation"] = NotAvailable(
      "the report outbox was not given to the report (BuildAnnualReport without "
      "ReportStores::report_outbox)");
  f_["measures.double_review_share"] =
      Rate(t_.double_reviewed, t_.decided, "cases",
           "cases decided in the period with two or more independent primary reviews / decided",
           "no case was decided in the period");
  f_["measures.qa_disagreement_rate"] =
      Rate(t_.qa.overall.disagreed, t_.qa.overall.reviewed, "qa_reviews",
           "QA reviews in the period that disagreed with the outcome / QA reviews",
           "no QA review was written in the period");
  f_["measures.cluster_alerts"] = Count(static_cast<int64_t>(t_.alerts.size()), "alerts",
                                        "cluster alerts raised in the period");
  f_["measures.hashes_retired"] =
      Count(t_.retired_entries, "bank_entries", "bank entries retired in the period");
  ReportDelays();
}

// Art 3(1)(j): how soon confirmed cases were reported, as two nearest-rank percentiles.
void FigureBuilder::ReportDelays() {
  const std::vector<int64_t>& delays = t_.report_delays;
  for (const auto& [key, percent] :
       {std::pair{"reports.delay.median", 50}, {"reports.delay.p95", 95}}) {
    if (delays.empty()) {
      f_[key] = NotAvailable("no EU user's confirmed case was reported in the period");
      continue;
    }
    f_[key] =
        Figure{.kind = Figure::Kind::kDuration,
               .seconds = static_cast<double>(internal::NearestRankPercentile(delays, percent)),
               .unit = "seconds",
               .method = fmt::format(
                   "{} percentile (nearest rank) of the time from the confirming decision to the "
                   "delivered report, over the {} EU users' confirmed cases reported in the period",
                   percent == 50 ? "50th (median)" : "95th", delays.size()),
               .source = "store"};
  }
}

std::vector<TechnologyFigures> Technologies(const AnnualTally& t) {
  std::vector<TechnologyFigures> out;
  for (const auto& [name, tt] : t.technologies) {
    TechnologyFigures f{.technology = name,
                        .flagged = tt.a,
                        .not_confirmed = tt.b,
                        .reviewed = tt.c,
                        .pending_review = tt.pending,
                        .actioned = tt.actioned,
                        .reversed_on_complaint = tt.reversed};
    for (cases::FlagCategory c : tt.categories)
      f.categories.push_back(kGroupName[internal::GroupOf(c)]);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

namespace {

// "retention.purged" (records erased at expiry, Art 3(1)(h)) with one figure per purpose, and
// "retention.erased_not_csam" (erased at once after review found no CSAM).
Status AddErasures(const decltype(ReportStores::erasures)& source, TimePoint from, TimePoint to,
                   std::map<std::string, Figure>& figures) {
  ASSIGN_OR_RETURN(std::vector<ErasureTotal> totals, source(from, to));
  std::map<std::string, int64_t> purged, not_csam;
  for (const ErasureTotal& e : totals)
    (e.reason == "expired" ? purged : not_csam)[e.purpose] += e.records;
  auto figure = [](const std::map<std::string, int64_t>& by_purpose, std::string what) {
    int64_t total = 0;
    std::vector<std::string> parts;
    for (const auto& [purpose, n] : by_purpose) {
      total += n;
      parts.push_back(fmt::format("{} {}", purpose, n));
    }
    return Count(total, "records",
                 fmt::format("{} in the period, counted once per purpose each was kept for{}{}",
                             what, parts.empty() ? "" : ": ", fmt::join(parts, ", ")));
  };
  figures["retention.purged"] = figure(purged, "records erased at expiry by `vigil purge`");
  for (const auto& [purpose, n] : purged) {
    figures["retention.purged." + purpose] =
        Count(n, "records", fmt::format("records kept for {} erased at expiry", purpose));
  }
  figures["retention.erased_not_csam"] =
      figure(not_csam, "records erased at once after review found no CSAM");
  return Status::Ok();
}

// Art 3(1)(g)(vii): the organisations reports went to, with how many each received.
Figure ReportsPerOrganisation(const std::map<std::string, int64_t>& delivered) {
  int64_t total = 0;
  std::vector<std::string> parts;
  for (const auto& [destination, n] : delivered) {
    total += n;
    parts.push_back(fmt::format("{} {}", destination, n));
  }
  return Count(total, "reports",
               fmt::format("reports of EU users' cases delivered in the period (report outbox, "
                           "by delivery time), per destination{}{}",
                           parts.empty() ? ": none" : ": ", fmt::join(parts, ", ")));
}

}  // namespace

Result<AnnualReport> BuildAnnualReport(const ReportStores& stores, const StandardForm& form,
                                       const ReportConfig& config, int year,
                                       TimePoint generated_at) {
  if (year < 2000 || year > 2200) {
    return InvalidArgumentError(fmt::format("year {} is outside 2000-2200", year));
  }
  using std::chrono::sys_days;
  const TimePoint from{sys_days(std::chrono::year(year) / 1 / 1)};
  const TimePoint to{sys_days(std::chrono::year(year + 1) / 1 / 1)};
  ASSIGN_OR_RETURN(AnnualTally t,
                   internal::TallyPeriod(*stores.cases, *stores.volumes, *stores.banks, from, to));
  AnnualReport r{.form = form.act,
                 .categories = form.categories,
                 .rows = form.rows,
                 .config = config,
                 .year = year,
                 .generated_at = FormatUtc(generated_at)};
  std::vector<exchange::OrganisationContact> contacts;
  if (stores.exchanges != nullptr) {
    ASSIGN_OR_RETURN(contacts, stores.exchanges->ListOrganisationContacts(from, to));
  }
  r.figures = FigureBuilder(t, config, year, std::move(contacts)).Build();
  if (stores.erasures) RETURN_IF_ERROR(AddErasures(stores.erasures, from, to, r.figures));
  if (stores.report_outbox != nullptr) {
    ASSIGN_OR_RETURN(auto delivered, internal::CountDeliveredReports(*stores.report_outbox,
                                                                     *stores.cases, from, to));
    r.figures["organisations.reports_per_organisation"] = ReportsPerOrganisation(delivered);
  }
  for (const FormRow& row : form.rows) {
    if (!r.figures.count(row.figure)) {
      r.figures[row.figure] = NotAvailable(fmt::format(
          "vigil computes no figure \"{}\" (a row of form {} that this version does not know)",
          row.figure, form.act.id));
    }
  }
  r.technologies = Technologies(t);
  // Not a structured binding: clang before 16 refuses to capture one in a lambda.
  for (const auto& volume : t.volumes) {
    const auto& k = volume.first;
    const auto& v = volume.second;
    auto it = std::find_if(r.volumes.begin(), r.volumes.end(), [&](const VolumeFigures& x) {
      return x.technology == k.technology && x.content_type == k.content_type &&
             x.region == stats::RegionName(k.region);
    });
    if (it == r.volumes.end()) {
      r.volumes.push_back({k.technology, k.content_type, std::string(stats::RegionName(k.region))});
      it = r.volumes.end() - 1;
    }
    it->processed += static_cast<int64_t>(v.processed);
    it->flagged += static_cast<int64_t>(v.flagged);
  }
  return r;
}

std::string FigureText(const Figure& f) {
  switch (f.kind) {
    case Figure::Kind::kCount:
      return fmt::format("{} {}", f.count, f.unit);
    case Figure::Kind::kRate:
      return fmt::format("{} of {} = {:.2f} %", f.numerator, f.denominator, f.percent());
    case Figure::Kind::kDuration:
      return fmt::format("{:.0f} seconds ({:.1f} hours)", f.seconds, f.seconds / 3600);
    case Figure::Kind::kText:
      return f.text;
    case Figure::Kind::kNotAvailable:
      return "not available: " + f.not_available;
  }
  return "";
}

}  // namespace vigil::transparency
