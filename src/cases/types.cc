#include "cases/types.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <utility>

#include "core/text.h"

namespace vigil::cases {
namespace {

template <typename Enum, size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<CaseState, 7> kStateNames{{{CaseState::kNew, "new"},
                                               {CaseState::kInReview, "in_review"},
                                               {CaseState::kDecided, "decided"},
                                               {CaseState::kActioned, "actioned"},
                                               {CaseState::kReported, "reported"},
                                               {CaseState::kAppealed, "appealed"},
                                               {CaseState::kReinstated, "reinstated"}}};
constexpr NameTable<FlagCategory, 3> kCategoryNames{
    {{FlagCategory::kKnown, "known"},
     {FlagCategory::kNew, "new"},
     {FlagCategory::kSolicitation, "solicitation"}}};
constexpr NameTable<Decision, 5> kDecisionNames{
    {{Decision::kConfirmedKnown, "confirmed_known"},
     {Decision::kConfirmedNew, "confirmed_new"},
     {Decision::kConfirmedSolicitation, "confirmed_solicitation"},
     {Decision::kNotCsam, "not_csam"},
     {Decision::kNeedsSecondOpinion, "needs_second_opinion"}}};
constexpr NameTable<ReviewKind, 2> kKindNames{
    {{ReviewKind::kPrimary, "primary"}, {ReviewKind::kQa, "qa"}}};
constexpr NameTable<QaState, 3> kQaNames{{{QaState::kNotSampled, "not_sampled"},
                                          {QaState::kPending, "pending"},
                                          {QaState::kDone, "done"}}};
constexpr NameTable<AlertSubject, 2> kSubjectNames{
    {{AlertSubject::kTechnology, "technology"}, {AlertSubject::kBankEntry, "bank_entry"}}};

template <typename Enum, size_t N>
std::string_view NameOf(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
Result<Enum> Parse(const NameTable<Enum, N>& table, std::string_view what, std::string_view name) {
  std::string names;
  for (const auto& [v, n] : table) {
    if (n == name) return v;
    names += names.empty() ? "" : ", ";
    names += n;
  }
  return InvalidArgumentError(
      fmt::format("unknown {} '{}' (one of {})", what, name.substr(0, 40), names));
}

Status CheckText(std::string_view field, std::string_view text, size_t max_bytes, bool required,
                 bool allow_newlines) {
  if (required && text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return InvalidArgumentError(fmt::format("{} is empty", field));
  }
  if (text.size() > max_bytes) {
    return InvalidArgumentError(
        fmt::format("{} is {} bytes, more than the limit of {}", field, text.size(), max_bytes));
  }
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f) {
      return InvalidArgumentError(fmt::format("{} contains a control character", field));
    }
  }
  if (!IsValidUtf8(text)) return InvalidArgumentError(fmt::format("{} is not valid UTF-8", field));
  return Status::Ok();
}

Status CheckId(std::string_view field, std::string_view text) {
  return CheckText(field, text, kMaxIdBytes, /*required=*/true, /*allow_newlines=*/false);
}

Status ValidateFlag(const Flag& f, std::string_view where) {
  RETURN_IF_ERROR(CheckId(fmt::format("{} technology", where), f.technology));
  if (!std::isfinite(f.raw_value)) {
    return InvalidArgumentError(fmt::format("{} raw value is not a finite number", where));
  }
  if (f.bank_entry_id.has_value() != (f.category == FlagCategory::kKnown)) {
    return InvalidArgumentError(
        fmt::format("{}: a bank entry id is required for a 'known' flag and only for it", where));
  }
  if (f.bank_entry_id) {
    if (*f.bank_entry_id <= 0) {
      return InvalidArgumentError(fmt::format("{} bank entry id must be positive", where));
    }
    RETURN_IF_ERROR(CheckId(fmt::format("{} bank name", where), f.bank_name));
  } else if (!f.bank_name.empty() || f.bank_auto_action) {
    return InvalidArgumentError(fmt::format("{} has bank fields but no bank entry id", where));
  }
  if (f.evidence.size() > kMaxEvidenceBytes) {
    return InvalidArgumentError(
        fmt::format("{} evidence is longer than {} bytes", where, kMaxEvidenceBytes));
  }
  if (!IsValidUtf8(f.evidence)) {
    return InvalidArgumentError(fmt::format("{} evidence is not valid UTF-8", where));
  }
  return Status::Ok();
}

Status ValidateHashes(const Item& item, std::string_view where) {
  if (item.hashes.size() > kMaxHashesPerItem) {
    return InvalidArgumentError(
        fmt::format("{} has more than {} hashes", where, kMaxHashesPerItem));
  }
  std::set<std::string_view> seen;
  for (const ItemHash& h : item.hashes) {
    RETURN_IF_ERROR(CheckId(fmt::format("{} hash algorithm", where), h.algorithm));
    if (!seen.insert(h.algorithm).second) {
      return InvalidArgumentError(fmt::format("{} has two {} hashes", where, h.algorithm));
    }
    const bool hex = std::all_of(h.hex.begin(), h.hex.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (h.hex.empty() || h.hex.size() > kMaxHashHexBytes || h.hex.size() % 2 != 0 || !hex) {
      return InvalidArgumentError(fmt::format("{} {} hash is not lowercase hex of 1 to {} bytes",
                                              where, h.algorithm.substr(0, 40),
                                              kMaxHashHexBytes / 2));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view CaseStateName(CaseState state) { return NameOf(kStateNames, state); }
std::string_view FlagCategoryName(FlagCategory category) {
  return NameOf(kCategoryNames, category);
}
std::string_view DecisionName(Decision decision) { return NameOf(kDecisionNames, decision); }
std::string_view ReviewKindName(ReviewKind kind) { return NameOf(kKindNames, kind); }
std::string_view QaStateName(QaState qa) { return NameOf(kQaNames, qa); }
std::string_view AlertSubjectName(AlertSubject subject) { return NameOf(kSubjectNames, subject); }

Result<CaseState> ParseCaseState(std::string_view name) {
  return Parse(kStateNames, "case state", name);
}
Result<FlagCategory> ParseFlagCategory(std::string_view name) {
  return Parse(kCategoryNames, "flag category", name);
}
Result<Decision> ParseDecision(std::string_view name) {
  return Parse(kDecisionNames, "decision", name);
}
Result<ReviewKind> ParseReviewKind(std::string_view name) {
  return Parse(kKindNames, "review kind", name);
}
Result<QaState> ParseQaState(std::string_view name) { return Parse(kQaNames, "QA state", name); }
Result<AlertSubject> ParseAlertSubject(std::string_view name) {
  return Parse(kSubjectNames, "alert subject", name);
}

bool IsConfirmation(Decision decision) {
  return decision == Decision::kConfirmedKnown || decision == Decision::kConfirmedNew ||
         decision == Decision::kConfirmedSolicitation;
}

bool Case::HasFlag(FlagCategory category) const {
  for (const Item& item : items) {
    for (const Flag& f : item.flags) {
      if (f.category == category) return true;
    }
  }
  return false;
}

std::vector<std::string> Case::Technologies() const {
  std::set<std::string> out;
  for (const Item& item : items) {
    for (const Flag& f : item.flags) out.insert(f.technology);
  }
  return {out.begin(), out.end()};
}

std::vector<BankEntryId> Case::BankEntries() const {
  std::set<BankEntryId> out;
  for (const Item& item : items) {
    for (const Flag& f : item.flags) {
      if (f.bank_entry_id) out.insert(*f.bank_entry_id);
    }
  }
  return {out.begin(), out.end()};
}

bool Case::ReviewedBy(std::string_view reviewer, ReviewKind kind) const {
  return std::any_of(reviews.begin(), reviews.end(), [&](const ReviewDecision& r) {
    return r.kind == kind && r.reviewer == reviewer;
  });
}

Status ValidateReviewerId(std::string_view reviewer) { return CheckId("reviewer id", reviewer); }

Status ValidateText(std::string_view field, std::string_view text, bool required) {
  return CheckText(field, text, kMaxTextBytes, required, /*allow_newlines=*/true);
}

Status ValidateNewCase(const NewCase& c) {
  RETURN_IF_ERROR(CheckId("account id", c.account_id));
  RETURN_IF_ERROR(CheckId("surface", c.surface));
  if (c.items.empty()) return InvalidArgumentError("a case needs at least one item");
  if (c.items.size() > kMaxItemsPerCase) {
    return InvalidArgumentError(
        fmt::format("a case has {} items, more than {}", c.items.size(), kMaxItemsPerCase));
  }
  for (size_t i = 0; i < c.items.size(); ++i) {
    const Item& item = c.items[i];
    const std::string where = fmt::format("item {}", i + 1);
    RETURN_IF_ERROR(CheckId(where + " id", item.item_id));
    RETURN_IF_ERROR(CheckId(where + " content type", item.content_type));
    RETURN_IF_ERROR(ValidateHashes(item, where));
    if (item.flags.empty()) return InvalidArgumentError(where + " has no flags");
    if (item.flags.size() > kMaxFlagsPerItem) {
      return InvalidArgumentError(
          fmt::format("{} has more than {} flags", where, kMaxFlagsPerItem));
    }
    for (size_t k = 0; k < item.flags.size(); ++k) {
      RETURN_IF_ERROR(ValidateFlag(item.flags[k], fmt::format("{} flag {}", where, k + 1)));
    }
  }
  return Status::Ok();
}

Status ValidateReviewerSettings(const ReviewerSettings& s) {
  RETURN_IF_ERROR(ValidateReviewerId(s.reviewer));
  if (s.blur_percent < 0 || s.blur_percent > 100) {
    return InvalidArgumentError(fmt::format("blur percent {} is outside 0-100", s.blur_percent));
  }
  if (s.daily_exposure_cap < 1 || s.daily_exposure_cap > kMaxExposureCap) {
    return InvalidArgumentError(fmt::format("daily exposure cap {} is outside 1-{}",
                                            s.daily_exposure_cap, kMaxExposureCap));
  }
  return Status::Ok();
}

int64_t DayOf(TimePoint t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

}  // namespace vigil::cases
