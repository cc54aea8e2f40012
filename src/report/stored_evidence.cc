#include "report/stored_evidence.h"

#include <fmt/format.h>

#include "privacy/account_identity.h"

namespace vigil::report {

Result<EvidenceFile> StoredEvidenceSource::Fetch(const cases::Case& c, const cases::Item& item) {
  // The item's position in its case is its evidence file's; the builder passes the case's own
  // items, so the address finds it even when two items share an id.
  int64_t position = -1;
  for (size_t i = 0; i < c.items.size(); ++i) {
    if (&c.items[i] == &item) position = static_cast<int64_t>(i);
  }
  for (size_t i = 0; position < 0 && i < c.items.size(); ++i) {
    if (c.items[i].item_id == item.item_id) position = static_cast<int64_t>(i);
  }
  if (position < 0) {
    return NotFoundError(
        fmt::format("case {}: item '{}' is not part of the case", c.id, item.item_id));
  }
  auto bytes = evidence_->Read(c.id, position);
  if (!bytes.ok()) {
    return Status(bytes.status().code(), fmt::format("evidence of case {} item {}: {}", c.id,
                                                     item.item_id, bytes.status().message()));
  }
  return EvidenceFile{.item_id = item.item_id,
                      .file_name = fmt::format("case-{}-item-{}", c.id, position),
                      .bytes = *std::move(bytes)};
}

Result<ReportedUser> StoredEvidenceSource::User(const cases::Case& c) {
  ASSIGN_OR_RETURN(std::optional<std::string> clear,
                   privacy::RevealClearAccountId(*store_, evidence_->cipher(), c.id));
  ReportedUser user;
  if (clear) user.esp_identifier = *std::move(clear);
  return user;
}

}  // namespace vigil::report
