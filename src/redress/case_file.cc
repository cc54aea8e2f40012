#include "redress/case_file.h"

#include <nlohmann/json.hpp>

namespace vigil::redress {
namespace {

using nlohmann::json;

json Time(const std::optional<TimePoint>& t) { return t ? json(FormatUtc(*t)) : json(nullptr); }

json ItemsJson(const cases::Case& c) {
  json items = json::array();
  for (const cases::Item& item : c.items) {
    json hashes = json::array();
    for (const cases::ItemHash& h : item.hashes) {
      hashes.push_back({{"algorithm", h.algorithm}, {"hex", h.hex}});
    }
    json flags = json::array();
    for (const cases::Flag& f : item.flags) {
      flags.push_back({{"technology", f.technology},
                       {"category", cases::FlagCategoryName(f.category)},
                       {"raw_value", f.raw_value},
                       {"bank_entry_id", f.bank_entry_id ? json(*f.bank_entry_id) : json(nullptr)},
                       {"bank_name", f.bank_name}});
    }
    items.push_back({{"item_id", item.item_id},
                     {"content_type", item.content_type},
                     {"received_at", FormatUtc(item.received_at)},
                     {"added_at", FormatUtc(item.added_at)},
                     {"hashes", hashes},
                     {"flags", flags}});
  }
  return items;
}

json CaseJson(const cases::Case& c) {
  json reviews = json::array();
  for (const cases::ReviewDecision& r : c.reviews) {
    reviews.push_back({{"kind", cases::ReviewKindName(r.kind)},
                       {"reviewer", r.reviewer},
                       {"decision", cases::DecisionName(r.decision)},
                       {"rationale", r.rationale},
                       {"decided_at", FormatUtc(r.decided_at)}});
  }
  return {{"id", c.id},
          {"account_id", c.account_id},
          {"surface", c.surface},
          {"eu", c.eu},
          {"state", cases::CaseStateName(c.progress.state)},
          {"outcome",
           c.progress.outcome ? json(cases::DecisionName(*c.progress.outcome)) : json(nullptr)},
          {"created_at", FormatUtc(c.created_at)},
          {"decided_at", Time(c.progress.decided_at)},
          {"actioned_at", Time(c.progress.actioned_at)},
          {"reported_at", Time(c.progress.reported_at)},
          {"reviews", reviews}};
}

json ActionsJson(const std::vector<Action>& actions) {
  json out = json::array();
  for (const Action& a : actions) {
    out.push_back({{"id", a.id},
                   {"kind", ActionKindName(a.kind)},
                   {"item_id", a.item_id},
                   {"account_id", a.account_id},
                   {"reason", a.reason},
                   {"technologies", a.technologies},
                   {"actor", a.actor},
                   {"taken_at", FormatUtc(a.taken_at)},
                   {"reversed_at", Time(a.reversed_at)},
                   {"reversed_by", a.reversed_by},
                   {"reversal_reason", a.reversal_reason}});
  }
  return out;
}

json NoticesJson(const std::vector<Notice>& notices) {
  json out = json::array();
  for (const Notice& n : notices) {
    out.push_back(
        {{"id", n.id},
         {"action_id", n.action_id},
         {"language", n.language},
         {"template_version", n.template_version},
         {"state", NoticeStateName(n.state)},
         {"attempts", n.attempts},
         {"created_at", FormatUtc(n.created_at)},
         {"delivered_at", Time(n.delivered_at)},
         {"body", json::parse(n.body, nullptr, false).is_discarded() ? json(n.body)
                                                                     : json::parse(n.body)}});
  }
  return out;
}

json ComplaintsJson(const std::vector<Complaint>& complaints) {
  json out = json::array();
  for (const Complaint& c : complaints) {
    out.push_back({{"id", c.id},
                   {"action_id", c.action_id},
                   {"filed_by", c.filed_by},
                   {"text", c.text},
                   {"filed_at", FormatUtc(c.filed_at)},
                   {"state", ComplaintStateName(c.state)},
                   {"outcome", c.outcome ? json(ComplaintOutcomeName(*c.outcome)) : json(nullptr)},
                   {"reviewer", c.reviewer},
                   {"rationale", c.rationale},
                   {"decided_at", Time(c.decided_at)},
                   {"report_followup", c.report_followup}});
  }
  return out;
}

json JudicialJson(const std::vector<JudicialComplaint>& judicial) {
  json out = json::array();
  for (const JudicialComplaint& j : judicial) {
    out.push_back({{"id", j.id},
                   {"action_id", j.action_id ? json(*j.action_id) : json(nullptr)},
                   {"authority", j.authority},
                   {"reference", j.reference},
                   {"filed_at", FormatUtc(j.filed_at)},
                   {"outcome", j.outcome},
                   {"outcome_at", Time(j.outcome_at)},
                   {"recorded_by", j.recorded_by}});
  }
  return out;
}

}  // namespace

Result<std::string> ExportCaseFile(cases::CaseStore& cases, RedressStore& redress,
                                   report::ReportOutboxStore* reports, cases::CaseId case_id,
                                   TimePoint exported_at) {
  ASSIGN_OR_RETURN(cases::Case c, cases.GetCase(case_id));
  ASSIGN_OR_RETURN(std::vector<cases::CaseEvent> events, cases.ListEvents({.case_id = case_id}));
  ASSIGN_OR_RETURN(std::vector<Action> actions, redress.ListActions(case_id));
  ASSIGN_OR_RETURN(std::vector<Notice> notices, redress.ListNotices(case_id));
  ASSIGN_OR_RETURN(std::vector<Complaint> complaints, redress.ListComplaints({.case_id = case_id}));
  ASSIGN_OR_RETURN(std::vector<JudicialComplaint> judicial, redress.ListJudicial(case_id));
  json events_json = json::array();
  for (const cases::CaseEvent& e : events) {
    events_json.push_back({{"at", FormatUtc(e.at)},
                           {"actor", e.actor},
                           {"action", e.action},
                           {"details", e.details}});
  }
  json reports_json = json::array();
  if (reports != nullptr) {
    ASSIGN_OR_RETURN(std::vector<report::Delivery> deliveries, reports->List({.case_id = case_id}));
    for (const report::Delivery& d : deliveries) {
      reports_json.push_back({{"destination", d.destination},
                              {"state", report::DeliveryStateName(d.state)},
                              {"remote_id", d.remote_id ? json(*d.remote_id) : json(nullptr)},
                              {"confirmed_at", FormatUtc(d.confirmed_at)},
                              {"delivered_at", Time(d.delivered_at)}});
    }
  }
  json out = {{"format", "vigil case file"},
              {"version", 1},
              {"exported_at", FormatUtc(exported_at)},
              {"note", "hashes identify the evidence; the media are not part of this file"},
              {"case", CaseJson(c)},
              {"items", ItemsJson(c)},
              {"events", events_json},
              {"actions", ActionsJson(actions)},
              {"notices", NoticesJson(notices)},
              {"complaints", ComplaintsJson(complaints)},
              {"judicial_complaints", JudicialJson(judicial)},
              {"reports", reports_json}};
  return out.dump(2) + "\n";
}

}  // namespace vigil::redress
