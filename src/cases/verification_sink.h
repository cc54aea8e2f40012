// EntryVerificationSink: how review tells the banks that an entry's match was not CSAM.
//
// `cases` does not depend on `bank`; the caller wires this to the bank store (for example by
// setting the entry's needs_verification flag). Retiring the entry is a bank action with its own
// audit, taken by a person after verification, never by review directly (Art 3(1)(e): errors are
// rectified, but by the owner of the list).
//
// Thread safety: implementations must be safe to call from several threads.
#ifndef VIGIL_CASES_VERIFICATION_SINK_H_
#define VIGIL_CASES_VERIFICATION_SINK_H_

#include <string_view>

#include "cases/types.h"
#include "core/status.h"

namespace vigil::cases {

class EntryVerificationSink {
 public:
  virtual ~EntryVerificationSink() = default;

  // Flags bank entry `entry_id` for verification, with `reason` for the record. Must be
  // idempotent: a request is repeated when a crash or an error came between the call and its
  // delivery being recorded. An error leaves the request pending for a later delivery.
  virtual Status FlagForVerification(BankEntryId entry_id, std::string_view reason) = 0;
};

}  // namespace vigil::cases

#endif  // VIGIL_CASES_VERIFICATION_SINK_H_
