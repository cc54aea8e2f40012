#include "cli/case_output.h"

#include <fmt/format.h>

namespace vigil::cli {
namespace {

nlohmann::ordered_json ItemJson(const cases::Item& item) {
  nlohmann::ordered_json ij;
  ij["item_id"] = item.item_id;
  ij["content_type"] = item.content_type;
  ij["received_at"] = FormatUtc(item.received_at);
  ij["added_at"] = FormatUtc(item.added_at);
  ij["hashes"] = nlohmann::ordered_json::object();
  for (const auto& h : item.hashes) ij["hashes"][h.algorithm] = h.hex;
  ij["flags"] = nlohmann::json::array();
  for (const auto& f : item.flags) {
    nlohmann::ordered_json fj;
    fj["technology"] = f.technology;
    fj["category"] = cases::FlagCategoryName(f.category);
    fj["value"] = f.raw_value;
    if (f.bank_entry_id) fj["bank_entry_id"] = *f.bank_entry_id;
    if (!f.bank_name.empty()) fj["bank"] = f.bank_name;
    if (!f.evidence.empty()) {
      // The classifier's evidence (Art 3(1)(f)); stored as JSON, shown as JSON.
      auto evidence = nlohmann::ordered_json::parse(f.evidence, nullptr, false);
      fj["evidence"] = evidence.is_discarded() ? nlohmann::ordered_json(f.evidence) : evidence;
    }
    ij["flags"].push_back(fj);
  }
  return ij;
}

std::string FlagText(const cases::Flag& f) {
  std::string out = fmt::format("{} ({}) value={}", f.technology,
                                cases::FlagCategoryName(f.category), f.raw_value);
  if (f.bank_entry_id) out += fmt::format(" bank={} entry={}", f.bank_name, *f.bank_entry_id);
  return out;
}

}  // namespace

nlohmann::ordered_json CaseJson(const cases::Case& c) {
  nlohmann::ordered_json j;
  j["id"] = c.id;
  j["state"] = cases::CaseStateName(c.progress.state);
  j["priority"] = c.priority;
  j["account_id"] = c.account_id;
  j["surface"] = c.surface;
  j["eu"] = c.eu;
  j["created_at"] = FormatUtc(c.created_at);
  if (c.progress.lease) {
    j["lease"] = {{"reviewer", c.progress.lease->reviewer},
                  {"expires_at", FormatUtc(c.progress.lease->expires_at)},
                  {"items_shown", c.progress.lease->items_shown}};
  }
  if (c.progress.outcome) j["outcome"] = cases::DecisionName(*c.progress.outcome);
  j["items"] = nlohmann::json::array();
  for (const auto& item : c.items) j["items"].push_back(ItemJson(item));
  j["reviews"] = nlohmann::json::array();
  for (const auto& r : c.reviews) {
    j["reviews"].push_back({{"kind", cases::ReviewKindName(r.kind)},
                            {"reviewer", r.reviewer},
                            {"decision", cases::DecisionName(r.decision)},
                            {"rationale", r.rationale},
                            {"decided_at", FormatUtc(r.decided_at)}});
  }
  return j;
}

std::string CaseLine(const cases::Case& c) {
  return fmt::format("case {}  {}  priority={} items={} account={} technologies={}{}{}\n", c.id,
                     cases::CaseStateName(c.progress.state), c.priority, c.items.size(),
                     c.account_id, fmt::join(c.Technologies(), ","),
                     c.progress.lease ? " held-by=" + c.progress.lease->reviewer : "",
                     c.progress.outcome
                         ? " outcome=" + std::string(cases::DecisionName(*c.progress.outcome))
                         : "");
}

std::string CaseDetail(const cases::Case& c) {
  const cases::CaseProgress& p = c.progress;
  std::string out =
      fmt::format("case {}  {}  priority {}  account {}  surface {}  {}  created {}\n", c.id,
                  cases::CaseStateName(p.state), c.priority, c.account_id, c.surface,
                  c.eu ? "EU" : "non-EU", FormatUtc(c.created_at));
  if (p.lease) {
    out += fmt::format("held by {} until {} ({} of {} items shown)\n", p.lease->reviewer,
                       FormatUtc(p.lease->expires_at), p.lease->items_shown, c.items.size());
  }
  if (p.outcome) out += fmt::format("outcome {}\n", cases::DecisionName(*p.outcome));
  out += fmt::format("items ({}):\n", c.items.size());
  for (size_t i = 0; i < c.items.size(); ++i) {
    const cases::Item& item = c.items[i];
    out += fmt::format("  {}. {}  {}  received {}  added {}\n", i + 1, item.item_id,
                       item.content_type, FormatUtc(item.received_at), FormatUtc(item.added_at));
    for (const auto& h : item.hashes) out += fmt::format("     {} {}\n", h.algorithm, h.hex);
    for (const auto& f : item.flags) {
      out += fmt::format("     flag {}\n", FlagText(f));
      if (!f.evidence.empty()) out += fmt::format("       evidence {}\n", f.evidence);
    }
  }
  out += fmt::format("reviews ({}):\n", c.reviews.size());
  for (const auto& r : c.reviews) {
    out += fmt::format("  {} {} by {} at {}: {}\n", cases::ReviewKindName(r.kind),
                       cases::DecisionName(r.decision), r.reviewer, FormatUtc(r.decided_at),
                       r.rationale);
  }
  return out;
}

}  // namespace vigil::cli
