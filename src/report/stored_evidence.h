// Evidence for hotline reports from the encrypted evidence store (privacy/evidence_store.h):
// each item's media as `vigil scan` or `POST /v1/items` kept it (file of item <position> of the
// case), and the case's clear account id, opened from its sealed copy
// (privacy/account_identity.h). Only a process holding the evidence master key can build a
// report this way; nothing opened here is kept.
//
// Thread safety: as safe as the stores given; Fetch and User touch no shared state.
#ifndef VIGIL_REPORT_STORED_EVIDENCE_H_
#define VIGIL_REPORT_STORED_EVIDENCE_H_

#include "privacy/evidence_store.h"
#include "privacy/privacy_store.h"
#include "report/types.h"

namespace vigil::report {

class StoredEvidenceSource final : public EvidenceSource {
 public:
  // Both must outlive the source.
  StoredEvidenceSource(privacy::PrivacyStore* store, const privacy::EvidenceStore* evidence)
      : store_(store), evidence_(evidence) {}

  // kNotFound naming the case and item when the item is not part of the case or its file is
  // gone (erased at expiry, or never kept); the evidence store's kDataLoss for a damaged file.
  Result<EvidenceFile> Fetch(const cases::Case& c, const cases::Item& item) override;
  // The case's clear account id as esp_identifier, or an empty user (the case's pseudonym is
  // reported) when none was kept; kDataLoss when the sealed copy is damaged.
  Result<ReportedUser> User(const cases::Case& c) override;

 private:
  privacy::PrivacyStore* store_;
  const privacy::EvidenceStore* evidence_;
};

}  // namespace vigil::report

#endif  // VIGIL_REPORT_STORED_EVIDENCE_H_
