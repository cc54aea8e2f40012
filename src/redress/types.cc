#include "redress/types.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace vigil::redress {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
Result<E> Parse(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view what,
                std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  std::string known;
  for (const auto& [v, n] : names) known += fmt::format("{}{}", known.empty() ? "" : ", ", n);
  return InvalidArgumentError(fmt::format("unknown {} \"{}\" (expected one of: {})", what,
                                          fmt::format("{}", name.substr(0, 64)), known));
}

constexpr std::array<std::pair<ActionKind, std::string_view>, 5> kKinds{{
    {ActionKind::kRemoveContent, "remove_content"},
    {ActionKind::kBlockContent, "block_content"},
    {ActionKind::kSuspendAccount, "suspend_account"},
    {ActionKind::kTerminateAccount, "terminate_account"},
    {ActionKind::kPreserveEvidence, "preserve_evidence"},
}};
constexpr std::array<std::pair<NoticeState, std::string_view>, 4> kNoticeStates{{
    {NoticeState::kPending, "pending"},
    {NoticeState::kDelivered, "delivered"},
    {NoticeState::kFailed, "failed"},
    {NoticeState::kAccountDeleted, "account_deleted"},
}};
constexpr std::array<std::pair<ComplaintState, std::string_view>, 2> kComplaintStates{{
    {ComplaintState::kOpen, "open"},
    {ComplaintState::kDecided, "decided"},
}};
constexpr std::array<std::pair<ComplaintOutcome, std::string_view>, 4> kOutcomes{{
    {ComplaintOutcome::kActionUpheld, "action_upheld"},
    {ComplaintOutcome::kContentReinstated, "content_reinstated"},
    {ComplaintOutcome::kAccountReinstated, "account_reinstated"},
    {ComplaintOutcome::kBothReinstated, "both_reinstated"},
}};

}  // namespace

bool IsContentAction(ActionKind kind) {
  return kind == ActionKind::kRemoveContent || kind == ActionKind::kBlockContent;
}
bool IsAccountAction(ActionKind kind) {
  return kind == ActionKind::kSuspendAccount || kind == ActionKind::kTerminateAccount;
}
bool NeedsUserNotice(ActionKind kind) { return IsContentAction(kind) || IsAccountAction(kind); }

std::string_view ActionKindName(ActionKind kind) { return NameOf(kKinds, kind); }
std::string_view NoticeStateName(NoticeState state) { return NameOf(kNoticeStates, state); }
std::string_view ComplaintStateName(ComplaintState state) {
  return NameOf(kComplaintStates, state);
}
std::string_view ComplaintOutcomeName(ComplaintOutcome outcome) {
  return NameOf(kOutcomes, outcome);
}
Result<ActionKind> ParseActionKind(std::string_view name) {
  return Parse(kKinds, "action kind", name);
}
Result<NoticeState> ParseNoticeState(std::string_view name) {
  return Parse(kNoticeStates, "notice state", name);
}
Result<ComplaintState> ParseComplaintState(std::string_view name) {
  return Parse(kComplaintStates, "complaint state", name);
}
Result<ComplaintOutcome> ParseComplaintOutcome(std::string_view name) {
  return Parse(kOutcomes, "complaint outcome", name);
}

bool ReinstatesContent(ComplaintOutcome outcome) {
  return outcome == ComplaintOutcome::kContentReinstated ||
         outcome == ComplaintOutcome::kBothReinstated;
}
bool ReinstatesAccount(ComplaintOutcome outcome) {
  return outcome == ComplaintOutcome::kAccountReinstated ||
         outcome == ComplaintOutcome::kBothReinstated;
}

}  // namespace vigil::redress
