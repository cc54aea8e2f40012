// Exchange: the client side of one outside hash list, behind one interface (as
// python-threatexchange's SignalExchangeAPI): fetch the changes after a cursor, page by page;
// optionally share the provider's own confirmed hashes back.
//
// Fetch does no writing: the sync loop (sync.h) applies each page through
// ExchangeStore::ApplyPage, atomically with the page's cursor. Implementations: the file/URL
// list (file_exchange.h), NCMEC's hash sharing API (ncmec.h) and ThreatExchange (threatexchange.h);
// OpenExchange picks one by the config's type.
//
// Errors of Fetch say what to do next: kUnavailable (network, 5xx), kResourceExhausted (rate
// limited; retry_after() says how long the source asked to wait) and kInvalidArgument (a
// malformed or truncated payload) are worth retrying; kPermissionDenied (credentials refused)
// and kFailedPrecondition (the cursor is no longer valid at the source) are not.
//
// Thread safety: an Exchange is used by one sync at a time.
#ifndef VIGIL_EXCHANGE_SOURCE_H_
#define VIGIL_EXCHANGE_SOURCE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bank/bank_store.h"
#include "core/clock.h"
#include "exchange/types.h"

namespace vigil::exchange {

// A hash the provider's own reviewers confirmed, offered to an organisation.
struct SharedHash {
  bank::SignalType type = bank::SignalType::kPdq;
  std::string value{};
  std::string source_ref{};  // the provider's reference, e.g. "case 42"
};

// A shared hash the provider takes back: the decision that confirmed it was reversed, so the
// material is no longer held to be abuse.
struct WithdrawnHash {
  SharedHash hash{};
  std::string remote_id{};  // the partner's id of the shared record, "" when it gave none
  std::string reason{};     // why, in words the partner may read (no case or complaint details)
  TimePoint at{};           // when the provider withdrew it
};

class Exchange {
 public:
  virtual ~Exchange() = default;

  // The changes after `cursor` ("" for the start of the list) and the cursor after them.
  virtual Result<FetchedPage> Fetch(std::string_view cursor) = 0;

  // How long the source asked to wait (HTTP Retry-After) after the last failed Fetch, if it did.
  virtual std::optional<std::chrono::seconds> retry_after() const { return std::nullopt; }

  // Whether this kind of exchange can take hashes from the provider.
  virtual bool CanShare() const { return false; }

  // Sends `hashes` to the source; the number it accepted. kUnimplemented when it cannot share;
  // kInvalidArgument naming the hash, before anything is sent, for a signal type the partner
  // does not take; otherwise the errors of Fetch (kUnavailable and kResourceExhausted are worth
  // retrying). Callers go through ShareConfirmed (sync.h), which checks the organisation's
  // consent and splits the hashes into batches of max_share_batch().
  virtual Result<uint64_t> Share(std::span<const SharedHash> hashes) {
    (void)hashes;
    return UnimplementedError("this exchange cannot share hashes");
  }

  // The partner's ids of the records the last successful Share call created, one per hash in
  // order (e.g. ThreatExchange descriptor ids, needed to withdraw them); empty when the partner
  // names none.
  virtual std::vector<std::string> shared_ids() const { return {}; }

  // Whether this kind of exchange can take withdrawals of hashes it was sent.
  virtual bool CanWithdraw() const { return false; }

  // Tells the partner to drop `hashes` it was sent; the number it accepted. kUnimplemented when
  // it cannot; kInvalidArgument naming the hash, before anything is sent, for one the partner
  // cannot withdraw (e.g. no record id); otherwise the errors of Share. Batches as Share.
  virtual Result<uint64_t> Withdraw(std::span<const WithdrawnHash> hashes) {
    (void)hashes;
    return UnimplementedError("this exchange cannot withdraw shared hashes");
  }

  // The most hashes one Share call takes. 1 for partners that create one record per request
  // (ThreatExchange): a failure then never leaves a batch half sent, so a retry duplicates
  // nothing.
  virtual size_t max_share_batch() const { return 1000; }
};

struct OpenOptions {
  // The bank store the exchange's bank is in (the file exchange lists its entries to find
  // hashes dropped from a list). Required.
  bank::BankStore* banks = nullptr;
  // Where "now" comes from (the end of an NCMEC or ThreatExchange time range); SystemClock
  // when null.
  std::shared_ptr<const Clock> clock{};
  // Per HTTP request.
  std::chrono::seconds timeout{60};
  // Reads an environment variable (credentials "env:NAME"); std::getenv when empty.
  std::function<std::optional<std::string>(const std::string&)> getenv{};
};

// The Exchange for `config`: its credentials resolved (credentials.h), its options parsed.
// kInvalidArgument naming the exchange for bad options or endpoint; the credentials' errors.
Result<std::unique_ptr<Exchange>> OpenExchange(const ExchangeConfig& config,
                                               const OpenOptions& options);

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_SOURCE_H_
