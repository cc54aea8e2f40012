// BankVerificationSink: delivers the review service's "check this bank entry" requests (a
// reviewer found a match of the entry not to be abusive material) to the bank store.
//
// Thread safety: as the BankStore it wraps.
#ifndef VIGIL_MATCH_BANK_VERIFICATION_SINK_H_
#define VIGIL_MATCH_BANK_VERIFICATION_SINK_H_

#include "bank/bank_store.h"
#include "cases/verification_sink.h"

namespace vigil::match {

class BankVerificationSink final : public cases::EntryVerificationSink {
 public:
  explicit BankVerificationSink(bank::BankStore& banks) : banks_(banks) {}

  // Sets the entry's needs_verification flag; the reason stays with the review decision.
  Status FlagForVerification(cases::BankEntryId entry_id, std::string_view reason) override {
    (void)reason;
    return banks_.FlagForVerification(entry_id).status();
  }

 private:
  bank::BankStore& banks_;
};

}  // namespace vigil::match

#endif  // VIGIL_MATCH_BANK_VERIFICATION_SINK_H_
