// Helpers shared by the ReviewService source files for building case changes and checking who
// holds a case. Private to the `cases` module.
//
// Thread safety: pure functions.
#ifndef VIGIL_CASES_REVIEW_INTERNAL_H_
#define VIGIL_CASES_REVIEW_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "cases/case_store.h"
#include "cases/review_service.h"
#include "cases/types.h"

namespace vigil::cases::internal {

// The actor of events written by the library itself (opening cases, raising alerts).
inline constexpr char kSystemActor[] = "system";

// A change of `c` that keeps its progress, stamped with `now`.
CaseChange StartChange(const Case& c, TimePoint now);
// Moves the change to state `to` if the diagram allows it from c's state.
Status SetState(CaseChange& change, const Case& c, CaseState to);
CaseEvent MakeEvent(const Case& c, TimePoint now, std::string_view actor, std::string action,
                    std::string details);
// `c` as `change` leaves it (what the store now holds).
Case Applied(Case c, const CaseChange& change);

// kPermissionDenied unless `reviewer` holds c's lease; kFailedPrecondition when that lease has
// expired (the reviewer must claim again).
Status CheckHolder(const Case& c, std::string_view reviewer, TimePoint now);
// True when `reviewer` holds an unexpired lease on `c`.
bool Holds(const Case& c, std::string_view reviewer, TimePoint now);

// The cluster-alert checks for flags of `items` recorded at `now`: one per distinct technology
// and bank entry, for the rules the configuration enables.
std::vector<AlertCheck> AlertChecksFor(const std::vector<Item>& items, TimePoint now,
                                       const ReviewConfig& config);

// Validates a reviewer's decision input (reviewer id, rationale present).
Status ValidateDecisionInput(const DecisionInput& input);
// An actor id is validated like a reviewer id.
Status ValidateActor(std::string_view actor);

}  // namespace vigil::cases::internal

#endif  // VIGIL_CASES_REVIEW_INTERNAL_H_
