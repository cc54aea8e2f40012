// Threshold calibration from human review outcomes (calibration.h).
#include "classify/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace vigil::classify {
namespace {

// Thresholds compare at this tolerance so that a grid point such as 18 * 0.05 counts a score of
// exactly 0.9 as at or above it.
constexpr double kEpsilon = 1e-9;

bool LabelMatches(std::string_view label, std::string_view technology) {
  const std::string_view head = label.substr(0, label.find(' '));
  if (head == technology) return true;
  constexpr std::string_view kPrefix = "classifier:";
  return head.size() == kPrefix.size() + technology.size() && head.starts_with(kPrefix) &&
         head.substr(kPrefix.size()) == technology;
}

}  // namespace

Status CheckCalibrationOptions(const CalibrationOptions& o) {
  if (!(o.target_precision > 0 && o.target_precision < 1)) {
    return InvalidArgumentError(
        fmt::format("target precision {} is not in (0, 1)", o.target_precision));
  }
  if (!(o.grid_step > 0 && o.grid_step <= 1)) {
    return InvalidArgumentError(fmt::format("grid step {} is not in (0, 1]", o.grid_step));
  }
  if (o.min_reviewed < 0) return InvalidArgumentError("min reviewed must not be negative");
  return Status::Ok();
}

namespace {

ThresholdRow RowAt(double t, std::span<const ReviewedFlag> flags, const Calibration& c) {
  ThresholdRow row;
  row.threshold = t;
  row.known = t >= c.operating_threshold - kEpsilon;
  for (const ReviewedFlag& f : flags) {
    if (f.score < t - kEpsilon) continue;
    ++row.flagged;
    if (!f.confirmed) continue;
    ++row.reviewed;
    row.confirmed += *f.confirmed;
  }
  if (row.known && row.reviewed > 0) {
    row.precision = static_cast<double>(row.confirmed) / static_cast<double>(row.reviewed);
  }
  if (row.known && c.confirmed > 0) {
    row.recall = static_cast<double>(row.confirmed) / static_cast<double>(c.confirmed);
  }
  return row;
}

void Recommend(Calibration& c) {
  int64_t most_reviewed = 0;
  for (const ThresholdRow& r : c.rows) {
    if (!r.known) continue;
    most_reviewed = std::max(most_reviewed, r.reviewed);
    if (r.reviewed >= c.min_reviewed && r.precision &&
        *r.precision >= c.target_precision - kEpsilon) {
      c.threshold = r.threshold;
      return;
    }
  }
  if (most_reviewed < c.min_reviewed) {
    c.note = fmt::format(
        "too little data: {} reviewed flags, {} needed before a precision of {} can be shown",
        most_reviewed, c.min_reviewed, c.target_precision);
  } else {
    c.note = fmt::format("no threshold with at least {} reviewed flags reaches precision {}",
                         c.min_reviewed, c.target_precision);
  }
}

}  // namespace

std::optional<double> OperatingThresholdOf(std::string_view label) {
  const size_t at = label.find(" s>=");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view number = label.substr(at + 4);
  number = number.substr(0, number.find(' '));
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
  return value;
}

Result<std::vector<ReviewedFlag>> CollectReviewedFlags(cases::CaseStore& store,
                                                       std::string_view technology) {
  std::vector<ReviewedFlag> out;
  cases::CaseFilter filter;
  filter.limit = 500;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<cases::Case> page, store.ListCases(filter));
    if (page.empty()) break;
    filter.after_id = page.back().id;
    for (const cases::Case& c : page) {
      std::optional<bool> confirmed;
      if (c.progress.outcome) confirmed = cases::IsConfirmation(*c.progress.outcome);
      for (const cases::Item& item : c.items) {
        std::optional<ReviewedFlag> best;
        for (const cases::Flag& f : item.flags) {
          if (!LabelMatches(f.technology, technology)) continue;
          if (best && best->score >= f.raw_value) continue;
          best = ReviewedFlag{f.raw_value, confirmed, OperatingThresholdOf(f.technology)};
        }
        if (best) out.push_back(*best);
      }
    }
  }
  return out;
}

Result<Calibration> Calibrate(std::string_view technology, std::span<const ReviewedFlag> flags,
                              const CalibrationOptions& options) {
  RETURN_IF_ERROR(CheckCalibrationOptions(options));
  Calibration c;
  c.technology = std::string(technology);
  c.target_precision = options.target_precision;
  c.min_reviewed =
      options.min_reviewed > 0
          ? options.min_reviewed
          : static_cast<int64_t>(std::ceil(1 / (1 - options.target_precision) - kEpsilon));
  if (flags.empty()) {
    return NotFoundError(fmt::format("no flags of technology '{}' in the case store", technology));
  }
  std::optional<double> operating;
  double lowest = 1;
  for (const ReviewedFlag& f : flags) {
    ++c.flags;
    lowest = std::min(lowest, f.score);
    if (f.operating_threshold) operating = std::max(operating.value_or(0), *f.operating_threshold);
    if (!f.confirmed) {
      ++c.pending;
      continue;
    }
    ++c.reviewed;
    c.confirmed += *f.confirmed;
  }
  if (c.reviewed == 0) {
    return FailedPreconditionError(fmt::format(
        "technology '{}' has {} flags but none has been reviewed yet", technology, c.flags));
  }
  c.operating_threshold = operating.value_or(lowest);
  const int64_t steps = static_cast<int64_t>(std::floor(1 / options.grid_step + kEpsilon));
  for (int64_t k = 0; k <= steps; ++k) {
    const double t = std::round(static_cast<double>(k) * options.grid_step * 1e6) / 1e6;
    c.rows.push_back(RowAt(t, flags, c));
  }
  Recommend(c);
  return c;
}

}  // namespace vigil::classify
