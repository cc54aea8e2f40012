#include "worker/live_matcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vigil::worker {

Result<std::unique_ptr<LiveMatcher>> LiveMatcher::Start(bank::BankStore& store,
                                                        const match::MatcherOptions& options,
                                                        queue::BankEvents& events) {
  // The order matters (see the header): the stream position first, then the snapshot.
  ASSIGN_OR_RETURN(uint64_t start, events.LastSequence());
  ASSIGN_OR_RETURN(std::unique_ptr<match::Matcher> matcher, match::Matcher::Load(store, options));
  auto live = std::make_unique<LiveMatcher>(store, std::move(matcher), start);
  LiveMatcher* self = live.get();
  ASSIGN_OR_RETURN(live->subscription_,
                   events.Subscribe(start, [self](uint64_t seq, const queue::BankEvent& event) {
                     Status s = self->Apply(seq, event);
                     if (!s.ok()) spdlog::warn("bank event {}: {}", seq, s.ToString());
                   }));
  return live;
}

LiveMatcher::~LiveMatcher() { subscription_.reset(); }

namespace {

// Applies one event to `matcher`, counting what changed in `changes`.
Status ApplyChange(bank::BankStore& store, match::Matcher& matcher, const queue::BankEvent& event,
                   std::atomic<uint64_t>& changes) {
  bank::BankId bank = event.bank_id;
  std::optional<bank::BankEntry> entry;
  if (event.kind != queue::BankEvent::Kind::kBankCreated) {
    // The entry's state now, whichever event this is: events may repeat or arrive late.
    ASSIGN_OR_RETURN(entry, store.GetEntry(event.entry_id));
    bank = entry->bank_id;
  }
  if (!matcher.HasBank(bank)) {
    // A new bank (its creation's event, or that event was lost): it loads the entry too.
    ASSIGN_OR_RETURN(const bool added, matcher.AddBank(bank));
    if (added) {
      ++changes;
      return Status::Ok();
    }
  }
  if (!entry) return Status::Ok();
  ASSIGN_OR_RETURN(const bool changed, matcher.Reconcile(*entry));
  if (changed) ++changes;
  return Status::Ok();
}

}  // namespace

Status LiveMatcher::Apply(uint64_t sequence, const queue::BankEvent& event) {
  Status s = ApplyChange(store_, *matcher_, event, changes_);
  if (!s.ok()) ++failed_;
  uint64_t seen = applied_.load();
  while (sequence > seen && !applied_.compare_exchange_weak(seen, sequence)) {
  }
  return s.ok() ? s : s.WithContext(queue::BankEventSubject(event));
}

}  // namespace vigil::worker
