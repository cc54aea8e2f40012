#include <fmt/format.h>

#include "exchange/exchange_store.h"

namespace vigil::exchange {

std::string WithdrawalReason(std::string_view exchange_name, std::string_view reason) {
  if (reason.empty()) return fmt::format("withdrawn by exchange {}", exchange_name);
  return fmt::format("withdrawn by exchange {}: {}", exchange_name, reason);
}

int64_t DayOf(TimePoint t) {
  const int64_t s = t.time_since_epoch().count();
  const int64_t day = 86400;
  return (s >= 0 ? s / day : (s - day + 1) / day) * day;
}

Result<ExchangeConfig> InMemoryExchangeStore::CreateExchange(const NewExchange& e, TimePoint now) {
  RETURN_IF_ERROR(ValidateNewExchange(e));
  ASSIGN_OR_RETURN(bank::Bank b, banks_.GetBank(e.bank));
  std::lock_guard lock(mu_);
  if (exchanges_.contains(e.name)) {
    return AlreadyExistsError(fmt::format("exchange '{}' already exists", e.name));
  }
  ExchangeConfig c{.id = next_id_++,
                   .name = e.name,
                   .type = e.type,
                   .bank_id = b.id,
                   .bank = b.name,
                   .organisation = e.organisation,
                   .organisation_kind = e.organisation_kind,
                   .endpoint = e.endpoint,
                   .credentials_ref = e.credentials_ref,
                   .options = e.options,
                   .share = e.share,
                   .created_at = now};
  exchanges_[e.name] = ExchangeRecord{.config = c};
  return c;
}

Result<ExchangeRecord> InMemoryExchangeStore::GetExchange(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = exchanges_.find(name);
  if (it == exchanges_.end()) {
    return NotFoundError(fmt::format("exchange '{}' does not exist", bank::EscapeForMessage(name)));
  }
  return it->second;
}

Result<std::vector<ExchangeRecord>> InMemoryExchangeStore::ListExchanges() {
  std::lock_guard lock(mu_);
  std::vector<ExchangeRecord> out;
  for (const auto& [name, r] : exchanges_) out.push_back(r);
  return out;
}

Result<ExchangeRecord*> InMemoryExchangeStore::Find(ExchangeId id) {
  for (auto& [name, r] : exchanges_) {
    if (r.config.id == id) return &r;
  }
  return NotFoundError(fmt::format("exchange id {} does not exist", id));
}

void InMemoryExchangeStore::Count(const ExchangeConfig& c, Direction d, uint64_t n, TimePoint now) {
  if (n == 0) return;
  contacts_[{DayOf(now), c.organisation, c.organisation_kind, d}] += n;
}

Result<PageApplied> InMemoryExchangeStore::ApplyPage(ExchangeId id,
                                                     std::string_view expected_cursor,
                                                     const FetchedPage& page, TimePoint now) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ExchangeRecord * r, Find(id));
  FetchedPage checked = page;
  RETURN_IF_ERROR(ValidatePage(checked, r->config.name));
  if (r->state.cursor != expected_cursor) {
    return FailedPreconditionError(
        fmt::format("exchange {}: the cursor moved (another sync applied this page); not applied",
                    r->config.name));
  }
  PageApplied out;
  const bank::BankId bank_id = r->config.bank_id;
  for (const HashUpdate& u : checked.updates) {
    if (u.by_source_ref) {
      std::vector<bank::EntryId> ids;
      RETURN_IF_ERROR(banks_.ForEachEntry(bank_id, {}, [&](const bank::BankEntry& e) {
        if (e.source_ref == u.source_ref) ids.push_back(e.id);
        return Status::Ok();
      }));
      if (ids.empty()) ++out.unchanged;
      for (bank::EntryId entry : ids) {
        ASSIGN_OR_RETURN(bank::BankEntry e,
                         banks_.RetireEntry(entry, WithdrawalReason(r->config.name, u.reason)));
        out.retired_entries.push_back(std::move(e));
        ++out.removed;
      }
      continue;
    }
    auto found = banks_.FindEntry(bank_id, u.type, u.value);
    if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
    if (u.opinion == Opinion::kWithdrawn) {
      if (!found.ok() || found->retired) {
        ++out.unchanged;
        continue;
      }
      ASSIGN_OR_RETURN(bank::BankEntry e,
                       banks_.RetireEntry(found->id, WithdrawalReason(r->config.name, u.reason)));
      out.retired_entries.push_back(std::move(e));
      ++out.removed;
      continue;
    }
    const bool disputed = u.opinion == Opinion::kDisputed;
    if (found.ok()) {
      if (disputed && !found->retired && !found->needs_verification) {
        RETURN_IF_ERROR(banks_.FlagForVerification(found->id).status());
        ++out.updated;
      } else {
        ++out.unchanged;
      }
      continue;
    }
    bank::EntryBatch batch;
    RETURN_IF_ERROR(batch.Add({.signal_type = u.type,
                               .value = u.value,
                               .source_ref = u.source_ref,
                               .added_at = now,
                               .needs_verification = disputed}));
    RETURN_IF_ERROR(banks_.AddEntries(bank_id, batch).status());
    ASSIGN_OR_RETURN(bank::BankEntry e, banks_.FindEntry(bank_id, u.type, u.value));
    out.added_entries.push_back(std::move(e));
    ++out.added;
  }
  r->state.cursor = checked.next_cursor;
  ++r->state.pages;
  r->state.added += out.added;
  r->state.updated += out.updated;
  r->state.removed += out.removed;
  Count(r->config, Direction::kReceived, out.added, now);
  return out;
}

Status InMemoryExchangeStore::RecordSyncResult(ExchangeId id, const Status& result, TimePoint now) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ExchangeRecord * r, Find(id));
  if (result.ok()) {
    r->state.last_sync_at = now;
    r->state.last_error.clear();
  } else {
    r->state.last_error = result.message();
    r->state.last_error_at = now;
  }
  return Status::Ok();
}

Status InMemoryExchangeStore::RecordShared(ExchangeId id, uint64_t hashes, TimePoint now) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ExchangeRecord * r, Find(id));
  Count(r->config, Direction::kShared, hashes, now);
  return Status::Ok();
}

Result<std::vector<OrganisationContact>> InMemoryExchangeStore::ListOrganisationContacts(
    TimePoint from, TimePoint to) {
  std::lock_guard lock(mu_);
  std::map<std::tuple<std::string, Direction, std::string>, uint64_t> sums;
  const int64_t lo = from.time_since_epoch().count(), hi = to.time_since_epoch().count();
  for (const auto& [key, n] : contacts_) {
    const auto& [day, org, kind, dir] = key;
    if (day >= lo && day < hi) sums[{org, dir, kind}] += n;
  }
  std::vector<OrganisationContact> out;
  for (const auto& [key, n] : sums) {
    const auto& [org, dir, kind] = key;
    out.push_back({.organisation = org, .kind = kind, .direction = dir, .hashes = n});
  }
  return out;
}

}  // namespace vigil::exchange
