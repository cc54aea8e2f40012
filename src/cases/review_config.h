// ReviewConfig: the operator's choices for human review (docs/review.md, "Configuration").
//
// Thread safety: plain value types.
#ifndef VIGIL_CASES_REVIEW_CONFIG_H_
#define VIGIL_CASES_REVIEW_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cases/types.h"
#include "core/status.h"

namespace vigil::cases {

// A flood of flags from one technology or one bank entry often means a bad hash or a broken
// model rather than a wave of abuse material, so it is raised for a human to look at.
struct ClusterAlertRule {
  int64_t max_flags = 100;  // alert when more flags than this arrive within the window
  std::chrono::seconds window{std::chrono::hours(1)};
  // Also pause automatic action for the subject until someone resumes it (IsAutoActionPaused).
  bool pause_auto_action = true;
};

// Which decided cases get a second, quality-assurance review.
struct QaSampling {
  double fraction = 0.05;  // of decided cases, 0 to 1
  // Sampling is a function of (seed, case id), so it is reproducible and cannot be steered by
  // choosing when to decide; change the seed to draw a different sample.
  uint64_t seed = 0;
};

// Which flagged items join their account's open case instead of opening one of their own
// (ReviewService::FileItems; docs/review.md "Grouping").
struct GroupingRule {
  bool enabled = true;
  // A case this old (from its creation) takes no more items, so a case waiting in the queue does
  // not grow for ever and the oldest flags are not held back behind newer ones.
  std::chrono::seconds max_age{std::chrono::hours(24)};
  // A case with this many items takes no more: one claim's exposure charge stays bounded (and
  // well under the default daily cap of 300).
  size_t max_items = 20;
};

struct ReviewConfig {
  // How long a claim holds a case before another reviewer may take it.
  std::chrono::seconds lease{std::chrono::minutes(15)};
  // Art 3(1)(g)(iii): independent human confirmations needed before a case flagged as new
  // material or solicitation may be reported: 1, or 2 for double review.
  int confirmations_required = 1;
  QaSampling qa{};
  GroupingRule grouping{};
  std::optional<ClusterAlertRule> technology_alerts = ClusterAlertRule{};
  std::optional<ClusterAlertRule> bank_entry_alerts = ClusterAlertRule{.max_flags = 20};
  // Art 3(1)(j): destinations (e.g. "ncmec") a confirmed decision is reported to; a request per
  // destination is written with the decision, for the `report` module's outbox.
  std::vector<std::string> report_destinations{};
  // Settings of reviewers who have none stored (the reviewer field is ignored).
  ReviewerSettings default_wellness{
      .blur_percent = 100, .greyscale = true, .daily_exposure_cap = 300};
};

// kInvalidArgument naming the field: lease of 1 s to 24 h, confirmations 1 or 2, QA fraction in
// [0, 1], grouping limits of 1 s to 30 days and 1 to kMaxItemsPerCase items, alert rules with
// max_flags >= 1 and a window of 1 s to 30 days, valid wellness.
Status ValidateReviewConfig(const ReviewConfig& config);

}  // namespace vigil::cases

#endif  // VIGIL_CASES_REVIEW_CONFIG_H_
