#include "index/generation.h"

#include <cassert>
#include <string>

namespace vigil::index::internal {

Generation::Generation(std::shared_ptr<const BaseSegment> base)
    : base_(std::move(base)),
      base_size_(base_->size()),
      base_removed_(std::make_unique<std::atomic<uint64_t>[]>(base_size_ / 64 + 1)) {}

std::atomic<uint64_t>& Generation::MutableRemovedWord(Ref ref) {
  if (ref < base_size_) return base_removed_[ref >> 6];
  return recent_removed_.Slot((ref - base_size_) >> 6);
}

const std::atomic<uint64_t>& Generation::RemovedWord(Ref ref) const {
  if (ref < base_size_) return base_removed_[ref >> 6];
  return recent_removed_[(ref - base_size_) >> 6];
}

uint64_t Generation::RemovedMask(Ref ref) const {
  return uint64_t{1} << ((ref < base_size_ ? ref : ref - base_size_) & 63);
}

bool Generation::RemovedBit(Ref ref) const {
  return (RemovedWord(ref).load(std::memory_order_acquire) & RemovedMask(ref)) != 0;
}

bool Generation::IsLive(Ref ref, Version version) const {
  if (!RemovedBit(ref)) return true;
  // Removed, but perhaps after `version` was taken: such removals are in the log's tail.
  const uint32_t logged = log_size_.load(std::memory_order_acquire);
  for (uint32_t k = version.removals; k < logged; ++k) {
    if (removal_log_[k] == ref) return true;
  }
  return false;
}

uint64_t Generation::IdOf(Ref ref) const {
  return ref < base_size_ ? base_->id(ref) : recent_ids_[ref - base_size_];
}

const Hash256& Generation::CodeOf(Ref ref) const {
  return ref < base_size_ ? base_->code(ref) : recent_codes_[ref - base_size_];
}

std::vector<Match> Generation::Search(const Hash256& query, int radius, Version version,
                                      HammingIndexOptions::Strategy strategy,
                                      SearchScratch& scratch) const {
  scratch.matches.clear();
  base_->Search(query, radius, strategy, scratch, scratch.matches);
  std::vector<Match> matches = OrderBaseMatches(radius, version, scratch);
  if (version.recent > 0) MergeRecentMatches(query, radius, version, scratch, matches);
  return matches;
}

// Base rows are in id order, so (distance, row) order is (distance, id) order. A counting sort
// by distance, then sorting the rows within each distance, costs O(n) plus small sorts: a
// near-blank query can match tens of thousands of rows, and a comparison sort of Match values
// and random id lookups used to take most of such a query's time.
std::vector<Match> Generation::OrderBaseMatches(int radius, Version version,
                                                SearchScratch& scratch) const {
  const std::vector<RowMatch>& rows = scratch.matches;
  std::vector<uint32_t>& end = scratch.distance_end;
  end.assign(radius + 2, 0);
  for (const RowMatch& r : rows) ++end[r.distance + 1];
  for (int d = 0; d <= radius; ++d) end[d + 1] += end[d];
  std::vector<uint32_t>& sorted = scratch.sorted_rows;
  sorted.resize(rows.size());
  for (const RowMatch& r : rows) sorted[end[r.distance]++] = r.row;  // end[d]: group d's end

  uint32_t begin = 0;
  for (int d = 0; d <= radius; begin = end[d++]) {
    std::sort(sorted.begin() + begin, sorted.begin() + end[d]);
  }
  // Matched rows of a cluster are scattered over the ids array: prefetch ahead, as in the
  // multi-index passes.
  constexpr size_t kPrefetchDistance = 32;
  const uint64_t* ids = base_->id_data();
  std::vector<Match> matches;
  matches.reserve(rows.size());
  int d = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + kPrefetchDistance < sorted.size()) {
      __builtin_prefetch(ids + sorted[i + kPrefetchDistance]);
    }
    while (i == end[d]) ++d;  // skips empty distance groups
    const uint32_t row = sorted[i];
    if (i > 0 && row == sorted[i - 1]) continue;  // found through two substrings
    if (IsLive(row, version)) matches.push_back({ids[row], d});
  }
  return matches;
}

void Generation::MergeRecentMatches(const Hash256& query, int radius, Version version,
                                    SearchScratch& scratch, std::vector<Match>& matches) const {
  std::vector<RowMatch>& rows = scratch.matches;
  rows.clear();
  for (uint32_t slot = 0; slot < version.recent;) {
    const auto count = static_cast<uint32_t>(
        std::min<uint64_t>(recent_codes_.ChunkRemaining(slot), version.recent - slot));
    ScanCodes(recent_codes_.ChunkFrom(slot), count, base_size_ + slot, query, radius, rows);
    slot += count;
  }
  if (rows.empty()) return;
  const auto by_distance_then_id = [](const Match& a, const Match& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  };
  const auto base_count = static_cast<std::ptrdiff_t>(matches.size());
  for (const RowMatch& r : rows) {
    if (IsLive(r.row, version)) matches.push_back({IdOf(r.row), static_cast<int>(r.distance)});
  }
  std::sort(matches.begin() + base_count, matches.end(), by_distance_then_id);
  std::inplace_merge(matches.begin(), matches.begin() + base_count, matches.end(),
                     by_distance_then_id);
}

uint64_t Generation::MemoryBytes(Version version) const {
  return base_->MemoryBytes() + (base_size_ / 64 + 1) * sizeof(uint64_t) +
         decltype(recent_codes_)::BytesFor(version.recent) +
         decltype(recent_ids_)::BytesFor(version.recent) +
         decltype(recent_removed_)::BytesFor(version.recent / 64 + 1) +
         decltype(removal_log_)::BytesFor(version.removals);
}

EntryArrays Generation::CollectLive(Version version) const {
  const uint64_t count = LiveCount(version);
  EntryArrays live{LargeArray<uint64_t>(count), LargeArray<Hash256>(count)};
  uint64_t i = 0;
  ForEachLive(version, [&](uint64_t id, const Hash256& code) {
    live.ids[i] = id;
    live.codes[i] = code;
    ++i;
  });
  assert(i == count);
  return live;
}

std::optional<Generation::Ref> Generation::FindLive(uint64_t id) const {
  if (const std::optional<uint32_t> row = base_->FindRow(id); row && !RemovedBit(*row)) {
    return *row;
  }
  if (const auto it = recent_slot_of_.find(id); it != recent_slot_of_.end()) {
    return base_size_ + it->second;
  }
  return std::nullopt;
}

Status Generation::AddRecent(uint64_t id, const Hash256& hash) {
  const uint32_t slot = writer_version_.recent;
  if (slot >= kMaxRecent) {
    return ResourceExhaustedError("index holds " + std::to_string(kMaxRecent) +
                                  " entries added since the last compaction; call Compact()");
  }
  recent_codes_.Slot(slot) = hash;
  recent_ids_.Slot(slot) = id;
  recent_removed_.Slot(slot >> 6);  // allocates the chunk before readers may look at it
  recent_slot_of_[id] = slot;
  ++writer_version_.recent;
  Publish();
  return Status::Ok();
}

// Order matters (see the header): log entry, log size, removal bit, then the Version.
void Generation::Remove(Ref ref) {
  const uint32_t k = writer_version_.removals;
  removal_log_.Slot(k) = ref;
  log_size_.store(k + 1, std::memory_order_release);
  MutableRemovedWord(ref).fetch_or(RemovedMask(ref), std::memory_order_release);
  if (ref >= base_size_) recent_slot_of_.erase(recent_ids_[ref - base_size_]);
  ++writer_version_.removals;
  Publish();
}

void Generation::CatchUp(const Generation& older, Version built_from) {
  const Version now = older.writer_version_;
  // Removals of entries this generation's base was built from: mark them here, unlogged, since
  // no search of this generation can have started before them.
  for (uint32_t k = built_from.removals; k < now.removals; ++k) {
    const Ref ref = older.removal_log_[k];
    const bool existed = ref < older.base_size_ || ref - older.base_size_ < built_from.recent;
    if (!existed) continue;
    const std::optional<uint32_t> row = base_->FindRow(older.IdOf(ref));
    assert(row.has_value() && !RemovedBit(*row));
    MutableRemovedWord(*row).fetch_or(RemovedMask(*row), std::memory_order_relaxed);
    ++removed_at_start_;
  }
  // Additions since the build that are still live move to this generation's recent entries.
  for (uint32_t slot = built_from.recent; slot < now.recent; ++slot) {
    const Ref ref = older.base_size_ + slot;
    if (!older.IsLive(ref, now)) continue;
    const Status status = AddRecent(older.IdOf(ref), older.CodeOf(ref));
    assert(status.ok());
    status.IgnoreError();
  }
}

}  // namespace vigil::index::internal
