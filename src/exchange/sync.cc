#include "exchange/sync.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace vigil::exchange {
namespace {

bool Retryable(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kResourceExhausted ||
         code == StatusCode::kInvalidArgument || code == StatusCode::kDataLoss;
}

// One page, fetched with retries. Records how many attempts failed in *retries.
Result<FetchedPage> FetchWithRetries(Exchange& exchange, std::string_view name,
                                     const std::string& cursor, const SyncOptions& o,
                                     uint64_t* retries) {
  const int attempts = std::max(1, o.max_attempts);
  Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    auto page = exchange.Fetch(cursor);
    if (page.ok()) {
      FetchedPage p = *std::move(page);
      Status valid = ValidatePage(p, name);
      if (valid.ok()) {
        if (!p.done && p.next_cursor == cursor) {
          return DataLossError(fmt::format(
              "exchange {}: the source returned the cursor it was given without finishing; "
              "stopped to avoid a loop",
              name));
        }
        return p;
      }
      last = valid;
    } else {
      last = page.status();
    }
    if (!Retryable(last.code()) || attempt == attempts) break;
    const auto after = exchange.retry_after();
    if (after && *after > o.max_retry_after) {
      return Status(last.code(),
                    fmt::format("{} (the source asked to wait {} s; resuming next sync)",
                                last.message(), after->count()));
    }
    ++*retries;
    const auto delay = BackoffDelay(o, attempt, after);
    if (o.sleep) {
      o.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
  return last;
}

}  // namespace

std::chrono::milliseconds BackoffDelay(const SyncOptions& o, int retry,
                                       std::optional<std::chrono::seconds> retry_after) {
  auto delay = o.initial_backoff;
  for (int i = 1; i < retry && delay < o.max_backoff; ++i) delay *= 2;
  delay = std::min(delay, o.max_backoff);
  if (retry_after) {
    delay = std::max<std::chrono::milliseconds>(delay, *retry_after);
  }
  return delay;
}

Result<SyncReport> SyncExchange(ExchangeStore& store, Exchange& exchange, std::string_view name,
                                const Clock& clock, const SyncOptions& o) {
  ASSIGN_OR_RETURN(ExchangeRecord record, store.GetExchange(name));
  const ExchangeId id = record.config.id;
  SyncReport report;
  report.cursor = record.state.cursor;
  while (o.max_pages == 0 || report.pages < o.max_pages) {
    auto page = FetchWithRetries(exchange, name, report.cursor, o, &report.retries);
    if (!page.ok()) {
      const Status failed = page.status().WithContext(fmt::format("exchange {}", name));
      RETURN_IF_ERROR(store.RecordSyncResult(id, failed, clock.Now()));
      return failed;
    }
    auto applied = store.ApplyPage(id, report.cursor, *page, clock.Now());
    if (!applied.ok()) {
      store.RecordSyncResult(id, applied.status(), clock.Now()).IgnoreError();
      return applied.status();
    }
    ++report.pages;
    report.added += applied->added;
    report.updated += applied->updated;
    report.removed += applied->removed;
    report.unchanged += applied->unchanged;
    report.skipped += page->skipped;
    report.cursor = page->next_cursor;
    if (o.on_page) {
      RETURN_IF_ERROR(o.on_page(SyncProgress{.pages = report.pages,
                                             .added = report.added,
                                             .updated = report.updated,
                                             .removed = report.removed,
                                             .unchanged = report.unchanged,
                                             .skipped = report.skipped,
                                             .page = &*applied,
                                             .cursor = report.cursor}));
    }
    if (page->done) {
      report.complete = true;
      break;
    }
  }
  if (report.complete) RETURN_IF_ERROR(store.RecordSyncResult(id, Status::Ok(), clock.Now()));
  return report;
}

Result<uint64_t> ShareConfirmed(ExchangeStore& store, Exchange& exchange, std::string_view name,
                                std::span<const SharedHash> hashes, const Clock& clock) {
  ASSIGN_OR_RETURN(ExchangeRecord record, store.GetExchange(name));
  // Art 7: data goes only to organisations that agreed to receive it, and each is listed.
  if (!record.config.share) {
    return FailedPreconditionError(fmt::format(
        "exchange {}: {} has not agreed to receive shared hashes (share is off); nothing sent",
        name, record.config.organisation));
  }
  if (!exchange.CanShare()) {
    return FailedPreconditionError(fmt::format("exchange {}: a {} exchange cannot share hashes",
                                               name, ExchangeTypeName(record.config.type)));
  }
  // Partners get the canonical form (lowercase hex), the form their own lists use.
  std::vector<SharedHash> normalised(hashes.begin(), hashes.end());
  for (SharedHash& h : normalised) {
    auto v = bank::NormalizeSignalValue(h.type, h.value);
    if (!v.ok()) return v.status().WithContext(fmt::format("exchange {}: shared hash", name));
    h.value = *std::move(v);
  }
  const std::span<const SharedHash> all(normalised);
  const size_t batch = std::max<size_t>(1, exchange.max_share_batch());
  uint64_t accepted = 0;
  for (size_t from = 0; from < all.size(); from += batch) {
    auto sent = exchange.Share(all.subspan(from, std::min(batch, all.size() - from)));
    if (!sent.ok()) {
      // What went before was accepted and is counted; the caller retries the rest.
      if (accepted > 0) {
        store.RecordShared(record.config.id, accepted, clock.Now()).IgnoreError();
      }
      return sent.status().WithContext(
          fmt::format("exchange {}: {} of {} hashes shared before", name, accepted, hashes.size()));
    }
    accepted += *sent;
  }
  RETURN_IF_ERROR(store.RecordShared(record.config.id, accepted, clock.Now()));
  return accepted;
}

}  // namespace vigil::exchange
