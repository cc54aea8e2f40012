// Threshold calibration: what human review says about a classifier's scores, so a provider can
// choose (and justify in the annual report, Art 3(1)(g)(vii)) the threshold at which the
// technology flags items.
//
// The evidence is every item a technology flagged, with its score (Flag::raw_value) and the
// outcome of its case: confirmed (any confirmation), not CSAM, or not yet decided. vigil keeps
// nothing of items that were not flagged (Art 3(1)(h)), so below the operating threshold (the
// "s>=X" of the technology label, or the lowest stored score) nothing is known, and recall is
// relative: the share of the confirmed flags at or above the operating threshold that a higher
// threshold would still catch. True recall would need the missed items, which vigil never sees.
//
// Thread safety: plain functions over values; CollectReviewedFlags reads the store it is given.
#ifndef VIGIL_CLASSIFY_CALIBRATION_H_
#define VIGIL_CLASSIFY_CALIBRATION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cases/case_store.h"
#include "core/result.h"

namespace vigil::classify {

// One flagged item of the technology.
struct ReviewedFlag {
  double score = 0;
  std::optional<bool> confirmed;  // nullopt: its case is not decided yet
  // The rule threshold the flag was raised at ("s>=X" in the label), when the label has one.
  std::optional<double> operating_threshold;
};

struct CalibrationOptions {
  double target_precision = 0.99;  // in (0, 1)
  double grid_step = 0.05;         // in (0, 1]; thresholds 0, step, 2 step, ..., 1
  // Reviewed flags needed at a threshold before it may be recommended; 0 derives it from the
  // target: ceil(1 / (1 - target)), the fewest reviews for which one false positive would
  // already break the target (100 for 0.99).
  int64_t min_reviewed = 0;
};

struct ThresholdRow {
  double threshold = 0;
  bool known = false;     // false below the operating threshold: unflagged items were not kept
  int64_t flagged = 0;    // flags with score >= threshold (the volume at this threshold)
  int64_t reviewed = 0;   // of those, decided
  int64_t confirmed = 0;  // of those, confirmed
  std::optional<double> precision;  // confirmed / reviewed, when reviewed > 0 and known
  std::optional<double> recall;     // confirmed / all confirmed, when known and any confirmed
};

struct Calibration {
  std::string technology;
  int64_t flags = 0;
  int64_t reviewed = 0;
  int64_t confirmed = 0;
  int64_t pending = 0;
  double operating_threshold = 0;  // highest "s>=X" of the flags, else their lowest score
  double target_precision = 0;
  int64_t min_reviewed = 0;
  std::vector<ThresholdRow> rows;   // ascending thresholds
  std::optional<double> threshold;  // the lowest grid threshold meeting the target
  std::string note;                 // why there is no threshold, when there is none
};

// The flags of `technology` in every case of the store: a flag's label matches when its part
// before the first space ("classifier:grooming-example@1") equals `technology` or
// "classifier:" + `technology`. One entry per item (its highest score when an item has several).
Result<std::vector<ReviewedFlag>> CollectReviewedFlags(cases::CaseStore& store,
                                                       std::string_view technology);

// The operating threshold written into a technology label ("... s>=0.9"), if any.
std::optional<double> OperatingThresholdOf(std::string_view label);

// kInvalidArgument for a target outside (0, 1), a step outside (0, 1] or a negative
// min_reviewed.
Status CheckCalibrationOptions(const CalibrationOptions& options);

// CheckCalibrationOptions' errors; kNotFound when there are no flags of the technology;
// kFailedPrecondition when none has been reviewed. Too few reviews for the target is not an error:
// `threshold` is empty and `note` says how many more reviews are needed.
Result<Calibration> Calibrate(std::string_view technology, std::span<const ReviewedFlag> flags,
                              const CalibrationOptions& options);

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_CALIBRATION_H_
