// Generation: one bulk segment plus everything that changed since it was built.
//
// A HammingIndex is, at any moment, one Generation: an immutable BaseSegment, the entries added
// since ("recent", stored in append-only chunks and scanned by searches), removal marks on rows
// of either, and a removal log. Compaction replaces the whole Generation.
//
// Snapshots without copying: every change bumps a packed Version (recent count, removal count)
// with a release store. A search loads the Version once and from then on sees exactly that state:
//  - recent entries: it scans only slots below version.recent;
//  - removals: a set removal bit is honoured only if the removal is not in the log at or after
//    version.removals. The writer logs a removal before setting its bit and bumps the Version
//    after, so a bit set before the search's Version load is always visible to it, and a bit set
//    later is always found in the log tail (typically empty).
// So a search's result is the state at the instant it loaded the Version: linearisable.
//
// Thread safety: the const methods may be called from any thread. The writer methods must be
// serialised by the caller (HammingIndex's writer mutex); they never block readers.
#ifndef VIGIL_INDEX_GENERATION_H_
#define VIGIL_INDEX_GENERATION_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/status.h"
#include "index/base_segment.h"
#include "index/chunked_array.h"
#include "index/index.h"
#include "index/large_array.h"
#include "index/scan.h"

namespace vigil::index::internal {

// What a search sees: recent slots [0, recent) and the first `removals` log entries.
struct Version {
  uint32_t recent = 0;
  uint32_t removals = 0;
};

// Live entries in ascending id order: the input of a compaction or a save.
struct EntryArrays {
  LargeArray<uint64_t> ids;
  LargeArray<Hash256> codes;
};

class Generation {
 public:
  // An entry is named by a reference: base rows are [0, base size), recent slot s is
  // base size + s. References fit 32 bits because both parts hold at most 2^28 entries.
  using Ref = uint32_t;

  explicit Generation(std::shared_ptr<const BaseSegment> base);

  const BaseSegment& base() const { return *base_; }

  // ---- Readers ----
  Version CurrentVersion() const { return Unpack(version_.load(std::memory_order_acquire)); }
  bool IsLive(Ref ref, Version version) const;
  uint64_t IdOf(Ref ref) const;
  // Every entry live at `version` within `radius` of `query`, sorted by (distance, id).
  std::vector<Match> Search(const Hash256& query, int radius, Version version,
                            HammingIndexOptions::Strategy strategy, SearchScratch& scratch) const;
  uint64_t LiveCount(Version version) const {
    return base_->size() + version.recent - removed_at_start_ - version.removals;
  }
  uint64_t RemovedCount(Version version) const { return removed_at_start_ + version.removals; }
  uint64_t MemoryBytes(Version version) const;
  // Calls visit(id, hash) for every entry live at `version`, in ascending id order.
  template <typename Visit>
  void ForEachLive(Version version, Visit&& visit) const;
  EntryArrays CollectLive(Version version) const;

  // ---- Writer (serialised by the caller) ----
  // The live entry with `id`, if any, as of the writer's latest change.
  std::optional<Ref> FindLive(uint64_t id) const;
  // kResourceExhausted when 2^28 entries were added to this generation.
  Status AddRecent(uint64_t id, const Hash256& hash);
  void Remove(Ref ref);
  // Replays onto a generation built from `older` at `built_from` the changes `older` received
  // since then, so that no Add or Remove made during the build is lost. Must be called before
  // this generation is published.
  void CatchUp(const Generation& older, Version built_from);

 private:
  static constexpr uint64_t kMaxRecent = HammingIndex::kMaxEntries;
  static Version Unpack(uint64_t packed) {
    return {static_cast<uint32_t>(packed), static_cast<uint32_t>(packed >> 32)};
  }
  void Publish() {
    version_.store(uint64_t{writer_version_.removals} << 32 | writer_version_.recent,
                   std::memory_order_release);
  }
  // IsLive for a sweep over every entry (compaction, save): keeps the log tail in a hash set so
  // that each check stays O(1) however many removals run during the sweep.
  class LiveSweep {
   public:
    LiveSweep(const Generation& generation, Version version)
        : generation_(generation), scanned_(version.removals) {}
    bool IsLive(Ref ref) {
      if (!generation_.RemovedBit(ref) || removed_later_.contains(ref)) return true;
      const uint32_t logged = generation_.log_size_.load(std::memory_order_acquire);
      for (; scanned_ < logged; ++scanned_)
        removed_later_.insert(generation_.removal_log_[scanned_]);
      return removed_later_.contains(ref);
    }

   private:
    const Generation& generation_;
    uint32_t scanned_;                       // log entries already in removed_later_
    std::unordered_set<Ref> removed_later_;  // removed after the sweep's version
  };

  std::vector<Match> OrderBaseMatches(int radius, Version version, SearchScratch& scratch) const;
  void MergeRecentMatches(const Hash256& query, int radius, Version version, SearchScratch& scratch,
                          std::vector<Match>& matches) const;
  // The word holding `ref`'s removal bit, and the bit within it.
  std::atomic<uint64_t>& MutableRemovedWord(Ref ref);
  const std::atomic<uint64_t>& RemovedWord(Ref ref) const;
  uint64_t RemovedMask(Ref ref) const;
  bool RemovedBit(Ref ref) const;
  const Hash256& CodeOf(Ref ref) const;

  const std::shared_ptr<const BaseSegment> base_;
  const uint32_t base_size_;
  std::unique_ptr<std::atomic<uint64_t>[]> base_removed_;  // one bit per base row
  ChunkedArray<Hash256, 14, kMaxRecent> recent_codes_;
  ChunkedArray<uint64_t, 14, kMaxRecent> recent_ids_;
  ChunkedArray<std::atomic<uint64_t>, 10, kMaxRecent / 64> recent_removed_;  // bit per slot
  ChunkedArray<Ref, 14, 2 * kMaxRecent> removal_log_;
  std::atomic<uint32_t> log_size_{0};  // log entries written; may run ahead of version_
  std::atomic<uint64_t> version_{0};   // packed Version, see Publish()

  // Writer-side state, guarded by HammingIndex's writer mutex (CatchUp: not yet published).
  Version writer_version_;
  uint64_t removed_at_start_ = 0;                          // marked by CatchUp; never logged
  std::unordered_map<uint64_t, uint32_t> recent_slot_of_;  // live recent entries
};

template <typename Visit>
void Generation::ForEachLive(Version version, Visit&& visit) const {
  LiveSweep live(*this, version);
  std::vector<std::pair<uint64_t, Ref>> recent;
  for (uint32_t slot = 0; slot < version.recent; ++slot) {
    if (live.IsLive(base_size_ + slot)) recent.emplace_back(IdOf(base_size_ + slot), slot);
  }
  std::sort(recent.begin(), recent.end());
  auto next_recent = recent.begin();
  for (Ref row = 0; row < base_size_; ++row) {
    if (!live.IsLive(row)) continue;
    const uint64_t id = base_->id(row);
    for (; next_recent != recent.end() && next_recent->first < id; ++next_recent) {
      visit(next_recent->first, recent_codes_[next_recent->second]);
    }
    visit(id, base_->code(row));
  }
  for (; next_recent != recent.end(); ++next_recent) {
    visit(next_recent->first, recent_codes_[next_recent->second]);
  }
}

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_GENERATION_H_
