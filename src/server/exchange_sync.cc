#include "server/exchange_sync.h"

#include <spdlog/spdlog.h>

#include "exchange/exchange.h"

namespace vigil::server {
namespace {

// The database's exchange store, with each applied page also applied to the live matcher while
// holding the lock that serialises bank changes with matcher reloads.
class LiveExchangeStore final : public exchange::ExchangeStore {
 public:
  explicit LiveExchangeStore(ServerContext& ctx) : ctx_(ctx), store_(ctx.db->exchanges()) {}
  Result<exchange::ExchangeConfig> CreateExchange(const exchange::NewExchange& e,
                                                  TimePoint now) override {
    return store_.CreateExchange(e, now);
  }
  Result<exchange::ExchangeRecord> GetExchange(std::string_view name) override {
    return store_.GetExchange(name);
  }
  Result<std::vector<exchange::ExchangeRecord>> ListExchanges() override {
    return store_.ListExchanges();
  }
  Result<exchange::PageApplied> ApplyPage(exchange::ExchangeId id, std::string_view cursor,
                                          const exchange::FetchedPage& page,
                                          TimePoint now) override {
    std::lock_guard<std::mutex> lock(ctx_.changes_mu);
    ASSIGN_OR_RETURN(exchange::PageApplied applied, store_.ApplyPage(id, cursor, page, now));
    const auto detection = ctx_.detection();
    // The bank poller must see these as the server's own changes, not another process's.
    for (const bank::BankEntry& e : applied.added_entries) {
      RETURN_IF_ERROR(detection->matcher->OnEntryAdded(e));
      if (auto m = ctx_.bank_markers.find(e.bank_id); m != ctx_.bank_markers.end()) {
        ++m->second;
      }
    }
    for (const bank::BankEntry& e : applied.retired_entries) {
      RETURN_IF_ERROR(detection->matcher->OnEntryRetired(e));
      if (auto m = ctx_.bank_markers.find(e.bank_id); m != ctx_.bank_markers.end()) {
        ++m->second;
      }
    }
    // The workers learn of them too (the page is committed; a lost event is logged and the
    // workers see the entry at their next start).
    for (const auto* list : {&applied.added_entries, &applied.retired_entries}) {
      const auto kind = list == &applied.added_entries ? queue::BankEvent::Kind::kAdded
                                                       : queue::BankEvent::Kind::kRetired;
      for (const bank::BankEntry& e : *list) {
        if (Status s = PublishBankChange(ctx_, {kind, e.id}); !s.ok()) {
          spdlog::warn("exchange sync: {}", s.message());
        }
      }
    }
    return applied;
  }
  Status RecordSyncResult(exchange::ExchangeId id, const Status& result, TimePoint now) override {
    return store_.RecordSyncResult(id, result, now);
  }
  Status RecordShared(exchange::ExchangeId id, uint64_t hashes, TimePoint now) override {
    return store_.RecordShared(id, hashes, now);
  }
  Result<std::vector<exchange::OrganisationContact>> ListOrganisationContacts(
      TimePoint from, TimePoint to) override {
    return store_.ListOrganisationContacts(from, to);
  }

 private:
  ServerContext& ctx_;
  exchange::ExchangeStore& store_;
};

}  // namespace

Status ExchangeScheduler::SyncAll() {
  LiveExchangeStore live(ctx_);
  ASSIGN_OR_RETURN(std::vector<exchange::ExchangeRecord> all, live.ListExchanges());
  Status first;
  for (const exchange::ExchangeRecord& r : all) {
    if (task_.stopping()) break;
    auto source =
        exchange::OpenExchange(r.config, {.banks = &ctx_.db->banks(), .clock = ctx_.clock});
    Status s = source.status();
    if (source.ok()) {
      exchange::SyncOptions options;
      // A stop request ends the sync at the next page boundary; the cursor is consistent there.
      options.on_page = [this](const exchange::SyncProgress&) {
        return task_.stopping() ? UnavailableError("server stopping") : Status::Ok();
      };
      options.sleep = [this](std::chrono::milliseconds d) { task_.SleepFor(d); };
      auto report = exchange::SyncExchange(live, **source, r.config.name, *ctx_.clock, options);
      s = report.status();
      if (report.ok()) {
        spdlog::info("exchange {}: {} pages, {} added, {} updated, {} removed", r.config.name,
                     report->pages, report->added, report->updated, report->removed);
      }
    } else {
      live.RecordSyncResult(r.config.id, s, ctx_.clock->Now()).IgnoreError();
    }
    if (!s.ok()) {
      spdlog::warn("exchange {}: {}", r.config.name, s.message());
      if (first.ok()) first = s;
    }
  }
  // Art 7: then what reviewers confirmed since goes to the organisations that agreed.
  exchange::ShareOutbox outbox(ctx_.db->cases(), ctx_.db->exchanges(), ctx_.db->share_queue(),
                               ctx_.clock);
  auto shared = outbox.Run({.banks = &ctx_.db->banks(), .clock = ctx_.clock});
  if (!shared.ok()) {
    spdlog::warn("sharing confirmed hashes: {}", shared.status().message());
    if (first.ok()) first = shared.status();
    return first;
  }
  if (shared->shared + shared->refused + shared->failed > 0) {
    spdlog::info("shared {} confirmed hashes ({} refused, {} to retry)", shared->shared,
                 shared->refused, shared->failed);
  }
  for (const std::string& e : shared->errors) spdlog::warn("{}", e);
  return first;
}

void ExchangeScheduler::Start() {
  // Each exchange's error is logged and kept as its last error.
  task_.Start(ctx_.config.exchange_sync_interval, PeriodicTask::FirstRun::kAtOnce,
              [this] { SyncAll().IgnoreError(); });
}

}  // namespace vigil::server
