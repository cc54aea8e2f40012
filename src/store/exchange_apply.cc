#include "store/exchange_apply.h"

namespace vigil::store {

Result<exchange::PageApplied> ApplyUpdates(EntryWriter& w, bank::BankId bank,
                                           std::string_view exchange_name,
                                           const std::vector<exchange::HashUpdate>& updates,
                                           TimePoint now) {
  using exchange::Opinion;
  const int64_t t = now.time_since_epoch().count();
  exchange::PageApplied out;
  for (const exchange::HashUpdate& u : updates) {
    if (u.by_source_ref) {
      ASSIGN_OR_RETURN(std::vector<bank::BankEntry> entries, w.ActiveBySourceRef(u.source_ref));
      if (entries.empty()) ++out.unchanged;
      const std::string reason = exchange::WithdrawalReason(exchange_name, u.reason);
      for (bank::BankEntry& e : entries) {
        RETURN_IF_ERROR(w.Retire(e.id, reason, t));
        e.bank_id = bank;
        e.retired = true;
        e.retired_at = now;
        e.retired_reason = reason;
        out.retired_entries.push_back(std::move(e));
        ++out.removed;
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string raw, bank::SignalValueToBytes(u.type, u.value));
    ASSIGN_OR_RETURN(std::optional<ExistingEntry> found, w.Find(u.type, raw));
    bank::BankEntry e{.bank_id = bank, .signal_type = u.type, .value = u.value};
    if (found) {
      e.id = found->id;
      e.added_at = TimePoint(std::chrono::seconds(found->added_at));
      e.source_ref = found->source_ref;
      e.verifications = found->verifications;
      e.needs_verification = found->needs_verification;
    }
    if (u.opinion == Opinion::kWithdrawn) {
      if (!found || found->retired) {
        ++out.unchanged;
        continue;
      }
      const std::string reason = exchange::WithdrawalReason(exchange_name, u.reason);
      RETURN_IF_ERROR(w.Retire(found->id, reason, t));
      e.retired = true;
      e.retired_at = now;
      e.retired_reason = reason;
      out.retired_entries.push_back(std::move(e));
      ++out.removed;
      continue;
    }
    const bool disputed = u.opinion == Opinion::kDisputed;
    if (found) {
      if (disputed && !found->retired && !found->needs_verification) {
        RETURN_IF_ERROR(w.Flag(found->id));
        ++out.updated;
      } else {
        ++out.unchanged;
      }
      continue;
    }
    ASSIGN_OR_RETURN(e.id, w.Insert(u.type, raw, u, disputed, t));
    e.added_at = now;
    e.source_ref = u.source_ref;
    e.needs_verification = disputed;
    out.added_entries.push_back(std::move(e));
    ++out.added;
  }
  const auto changes = static_cast<int64_t>(out.added + out.removed);
  if (changes > 0) RETURN_IF_ERROR(w.CountChanges(changes));
  return out;
}

}  // namespace vigil::store
