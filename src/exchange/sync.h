// Syncing an exchange into its bank, and sharing confirmed hashes with it.
//
// SyncExchange fetches page after page from the stored cursor and applies each through
// ExchangeStore::ApplyPage (the page and its cursor in one transaction), until the source says
// it is done. A failed fetch is retried with exponential backoff, waiting at least as long as the
// source's Retry-After; after the last attempt the error is recorded as the exchange's last error
// and returned, with the cursor at the last committed page, so the next sync resumes there.
//
// Thread safety: free functions; run one sync of an exchange at a time (a second one fails its
// ApplyPage with kFailedPrecondition rather than apply a page twice).
#ifndef VIGIL_EXCHANGE_SYNC_H_
#define VIGIL_EXCHANGE_SYNC_H_

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "exchange/exchange_store.h"
#include "exchange/source.h"

namespace vigil::exchange {

// After each committed page.
struct SyncProgress {
  uint64_t pages = 0;  // pages applied so far in this sync
  uint64_t added = 0, updated = 0, removed = 0, unchanged = 0, skipped = 0;  // so far
  const PageApplied* page = nullptr;  // the page just applied (its entries for a live matcher)
  std::string cursor{};
};

struct SyncOptions {
  int max_attempts = 5;  // per page, >= 1
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  // A Retry-After longer than this fails the sync instead of blocking it (it resumes next time).
  std::chrono::seconds max_retry_after{600};
  uint64_t max_pages = 0;  // stop (incomplete, not an error) after this many; 0: no limit
  // How to wait between attempts; std::this_thread::sleep_for when empty (tests record instead).
  std::function<void(std::chrono::milliseconds)> sleep{};
  // Called after each committed page; an error stops the sync (the page stays applied).
  std::function<Status(const SyncProgress&)> on_page{};
};

struct SyncReport {
  uint64_t pages = 0;
  uint64_t added = 0, updated = 0, removed = 0, unchanged = 0, skipped = 0;
  uint64_t retries = 0;  // failed fetches that were retried
  std::string cursor{};
  bool complete = false;  // the source said it was done (false when max_pages stopped it)
};

// Syncs the exchange named `name` (see the top). The error of the last attempt (its message
// prefixed with the exchange's name) when a page could not be fetched, or the store's error.
Result<SyncReport> SyncExchange(ExchangeStore& store, Exchange& exchange, std::string_view name,
                                const Clock& clock, const SyncOptions& options = {});

// The delay before retry number `retry` (1-based): initial * 2^(retry-1), capped at max_backoff,
// and never shorter than the source's Retry-After.
std::chrono::milliseconds BackoffDelay(const SyncOptions& options, int retry,
                                       std::optional<std::chrono::seconds> retry_after);

// Shares hashes the provider's reviewers confirmed with the exchange named `name`:
// kFailedPrecondition when its organisation has not agreed to receive them (config.share off;
// nothing is sent) or the exchange cannot share; otherwise the count accepted, recorded for the Art
// 7 list. Hashes go in batches of exchange.max_share_batch(); when a batch fails, the batches
// before it stay counted and its error is returned (naming how many were shared).
Result<uint64_t> ShareConfirmed(ExchangeStore& store, Exchange& exchange, std::string_view name,
                                std::span<const SharedHash> hashes, const Clock& clock);

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_SYNC_H_
