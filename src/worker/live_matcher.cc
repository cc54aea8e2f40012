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

Status LiveMatcher::Apply(uint64_t sequence, const queue::BankEvent& event) {
  auto entry = store_.GetEntry(event.entry_id);
  Status s = entry.status();
  if (s.ok()) {
    // The entry's state now, whichever event this is: events may repeat or arrive late.
    if (entry->retired) {
      s = matcher_->OnEntryRetired(*entry);
    } else {
      s = matcher_->OnEntryAdded(*entry);
      if (s.code() == StatusCode::kAlreadyExists) s = Status::Ok();
    }
  }
  if (!s.ok()) ++failed_;
  uint64_t seen = applied_.load();
  while (sequence > seen && !applied_.compare_exchange_weak(seen, sequence)) {
  }
  return s.ok() ? s : s.WithContext(fmt::format("bank entry {}", event.entry_id));
}

}  // namespace vigil::worker
