// ExchangeStore: configured exchanges, their sync state, and the organisations hashes were
// exchanged with.
//
// The `exchange` module owns this interface; `store` implements it for SQLite and PostgreSQL and
// InMemoryExchangeStore implements it over a BankStore for unit tests. All pass one contract
// suite (tests/exchange/exchange_store_contract.h).
//
// ApplyPage is the heart of it: one page of a source's changes goes into the exchange's bank and
// the cursor after it is saved in ONE transaction, compared-and-set against the cursor the page
// was fetched from. A crash between pages resumes from the last committed cursor; a crash inside
// a page leaves nothing of it; two syncs of one exchange cannot both apply the same page.
//
// Thread safety: implementations are safe to call from several threads.
#ifndef VIGIL_EXCHANGE_EXCHANGE_STORE_H_
#define VIGIL_EXCHANGE_EXCHANGE_STORE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "bank/bank_store.h"
#include "exchange/types.h"

namespace vigil::exchange {

class ExchangeStore {
 public:
  virtual ~ExchangeStore() = default;

  // Configures an exchange feeding the existing bank `exchange.bank`. kInvalidArgument for a bad
  // field (ValidateNewExchange), kNotFound when the bank does not exist, kAlreadyExists when an
  // exchange of that name exists.
  virtual Result<ExchangeConfig> CreateExchange(const NewExchange& exchange, TimePoint now) = 0;

  // The exchange called `name` with its state; kNotFound naming it when there is none.
  virtual Result<ExchangeRecord> GetExchange(std::string_view name) = 0;

  // Every exchange with its state, ordered by name.
  virtual Result<std::vector<ExchangeRecord>> ListExchanges() = 0;

  // Applies `page` to the exchange's bank and moves its cursor from `expected_cursor` to
  // page.next_cursor, atomically (see the top). Per update, matched on (type, value):
  //   positive/disputed, not in the bank: added (disputed ones flagged needs_verification);
  //   disputed, active and not flagged: flagged (updated);
  //   withdrawn, active: retired with reason "withdrawn by exchange NAME[: reason]" (removed);
  //   withdrawn by_source_ref: every active entry of the bank with that source_ref, retired so;
  //   anything else (already so, or retired: never revived): unchanged.
  // Hashes added count as received from the exchange's organisation on `now`'s day.
  // kFailedPrecondition when the stored cursor is not `expected_cursor` (another sync moved
  // it); kInvalidArgument for a page ValidatePage refuses; kNotFound for an unknown exchange.
  // On any error nothing is written.
  virtual Result<PageApplied> ApplyPage(ExchangeId id, std::string_view expected_cursor,
                                        const FetchedPage& page, TimePoint now) = 0;

  // Records the end of a sync: success (last_sync_at = now, last_error cleared) or the error
  // that stopped it (last_error, last_error_at; the cursor stays). kNotFound for an unknown id.
  virtual Status RecordSyncResult(ExchangeId id, const Status& result, TimePoint now) = 0;

  // Records that `hashes` confirmed hashes were shared with the exchange's organisation on
  // `now`'s day (Art 7 list). kNotFound for an unknown id.
  virtual Status RecordShared(ExchangeId id, uint64_t hashes, TimePoint now) = 0;

  // Hashes received from and shared with each organisation on days in [from, to), one row per
  // (organisation, direction) with a non-zero count, ordered by organisation then direction.
  virtual Result<std::vector<OrganisationContact>> ListOrganisationContacts(TimePoint from,
                                                                            TimePoint to) = 0;
};

// An ExchangeStore in process memory over `banks` (which must outlive it), for unit tests.
// ApplyPage validates the whole page and checks the cursor before changing the bank, so it is
// atomic for every failure but a bank store error midway (which an in-memory store never has).
class InMemoryExchangeStore final : public ExchangeStore {
 public:
  explicit InMemoryExchangeStore(bank::BankStore& banks) : banks_(banks) {}

  Result<ExchangeConfig> CreateExchange(const NewExchange& exchange, TimePoint now) override;
  Result<ExchangeRecord> GetExchange(std::string_view name) override;
  Result<std::vector<ExchangeRecord>> ListExchanges() override;
  Result<PageApplied> ApplyPage(ExchangeId id, std::string_view expected_cursor,
                                const FetchedPage& page, TimePoint now) override;
  Status RecordSyncResult(ExchangeId id, const Status& result, TimePoint now) override;
  Status RecordShared(ExchangeId id, uint64_t hashes, TimePoint now) override;
  Result<std::vector<OrganisationContact>> ListOrganisationContacts(TimePoint from,
                                                                    TimePoint to) override;

 private:
  Result<ExchangeRecord*> Find(ExchangeId id);                                  // requires mu_
  void Count(const ExchangeConfig& c, Direction d, uint64_t n, TimePoint now);  // requires mu_

  bank::BankStore& banks_;
  std::mutex mu_;
  std::map<std::string, ExchangeRecord, std::less<>> exchanges_;  // guarded by mu_
  ExchangeId next_id_ = 1;                                        // guarded by mu_
  // (day, organisation, kind, direction) -> hashes; guarded by mu_
  std::map<std::tuple<int64_t, std::string, std::string, Direction>, uint64_t> contacts_;
};

// The reason a withdrawn hash's entry is retired with.
std::string WithdrawalReason(std::string_view exchange_name, std::string_view reason);

// The day (Unix seconds at 00:00 UTC) containing `t`, the unit organisation counts are kept in.
int64_t DayOf(TimePoint t);

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_EXCHANGE_STORE_H_
