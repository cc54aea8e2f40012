// HammingIndex: publishes Generations and runs searches, writes and compactions against them.
//
// Locking: `snapshot_mu` guards only the pointer to the current Generation (readers hold it for
// a shared_ptr copy). `writer_mu` serialises Add, Remove, Contains and the final step of Compact;
// the pointer changes only with both held. `compaction_mu` lets one compaction run at a time.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "index/base_segment.h"
#include "index/generation.h"
#include "index/index.h"
#include "index/index_file.h"

namespace vigil::index {

using internal::BaseSegment;
using internal::EntryArrays;
using internal::Generation;
using internal::LargeArray;
using internal::SearchScratch;
using internal::Version;

// The state behind a HammingIndex. Callers take the locks described at the top of this file.
class HammingIndex::Impl {
 public:
  Impl(const HammingIndexOptions& options, std::shared_ptr<Generation> generation)
      : options(options), current(std::move(generation)) {}

  // The generation a reader should search: a pointer copy under snapshot_mu.
  std::shared_ptr<const Generation> Snapshot() const {
    std::lock_guard lock(snapshot_mu);
    return current;
  }
  // Makes `next` the current generation. Caller holds writer_mu.
  void Publish(std::shared_ptr<Generation> next) {
    std::lock_guard lock(snapshot_mu);
    current = std::move(next);
  }

  const HammingIndexOptions options;
  std::mutex writer_mu;
  std::mutex compaction_mu;
  mutable std::mutex snapshot_mu;
  // Readers copy it under snapshot_mu; writers use it under writer_mu; it is replaced only with
  // both held.
  std::shared_ptr<Generation> current;
};

namespace {

Status ValidateOptions(const HammingIndexOptions& options) {
  if (options.num_substrings < internal::MihLayout::kMinSubstrings ||
      options.num_substrings > internal::MihLayout::kMaxSubstrings) {
    return InvalidArgumentError("num_substrings must be in [8, 15], got " +
                                std::to_string(options.num_substrings));
  }
  if (options.build_threads < 1) {
    return InvalidArgumentError("build_threads must be >= 1, got " +
                                std::to_string(options.build_threads));
  }
  return Status::Ok();
}

Status ValidateRadius(int radius) {
  if (radius < 0 || radius > kMaxRadius) {
    return InvalidArgumentError("radius must be in [0, 256], got " + std::to_string(radius));
  }
  return Status::Ok();
}

std::shared_ptr<Generation> BuildGeneration(const HammingIndexOptions& options,
                                            EntryArrays entries) {
  return std::make_shared<Generation>(
      BaseSegment::Build(std::move(entries.ids), std::move(entries.codes), options.num_substrings,
                         options.build_threads));
}

// Sorts `entries` by id into parallel arrays; kAlreadyExists on a repeated id.
Result<EntryArrays> SortById(std::span<const HammingEntry> entries) {
  std::vector<std::pair<uint64_t, uint32_t>> order(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) order[i] = {entries[i].id, static_cast<uint32_t>(i)};
  if (!std::is_sorted(order.begin(), order.end())) std::sort(order.begin(), order.end());
  const auto same_id = [](const auto& a, const auto& b) { return a.first == b.first; };
  if (auto it = std::adjacent_find(order.begin(), order.end(), same_id); it != order.end()) {
    return AlreadyExistsError("duplicate entry id " + std::to_string(it->first));
  }
  EntryArrays sorted{LargeArray<uint64_t>(entries.size()), LargeArray<Hash256>(entries.size())};
  for (size_t i = 0; i < order.size(); ++i) {
    sorted.ids[i] = order[i].first;
    sorted.codes[i] = entries[order[i].second].hash;
  }
  return sorted;
}

}  // namespace

HammingIndex::HammingIndex(PassKey, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HammingIndex::~HammingIndex() = default;

Result<std::unique_ptr<HammingIndex>> HammingIndex::Create(const HammingIndexOptions& options) {
  return Build({}, options);
}

Result<std::unique_ptr<HammingIndex>> HammingIndex::Build(std::span<const HammingEntry> entries,
                                                          const HammingIndexOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  if (entries.size() > kMaxEntries) {
    return ResourceExhaustedError("cannot index " + std::to_string(entries.size()) +
                                  " entries; the limit is " + std::to_string(kMaxEntries));
  }
  ASSIGN_OR_RETURN(EntryArrays sorted, SortById(entries));
  return std::make_unique<HammingIndex>(
      PassKey(), std::make_unique<Impl>(options, BuildGeneration(options, std::move(sorted))));
}

Result<std::unique_ptr<HammingIndex>> HammingIndex::Load(const std::string& path,
                                                         const HammingIndexOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  ASSIGN_OR_RETURN(EntryArrays entries, internal::ReadIndexFile(path));
  return std::make_unique<HammingIndex>(
      PassKey(), std::make_unique<Impl>(options, BuildGeneration(options, std::move(entries))));
}

Status HammingIndex::Add(uint64_t id, const Hash256& hash) {
  std::lock_guard lock(impl_->writer_mu);
  Generation& generation = *impl_->current;
  if (generation.FindLive(id)) {
    return AlreadyExistsError("entry id " + std::to_string(id) + " is already in the index");
  }
  return generation.AddRecent(id, hash);
}

Status HammingIndex::Remove(uint64_t id) {
  std::lock_guard lock(impl_->writer_mu);
  Generation& generation = *impl_->current;
  const std::optional<Generation::Ref> ref = generation.FindLive(id);
  if (!ref) return NotFoundError("entry id " + std::to_string(id) + " is not in the index");
  generation.Remove(*ref);
  return Status::Ok();
}

bool HammingIndex::Contains(uint64_t id) const {
  std::lock_guard lock(impl_->writer_mu);
  return impl_->current->FindLive(id).has_value();
}

Result<std::vector<Match>> HammingIndex::Search(const Hash256& query, int radius) const {
  RETURN_IF_ERROR(ValidateRadius(radius));
  const std::shared_ptr<const Generation> generation = impl_->Snapshot();
  SearchScratch scratch;
  return generation->Search(query, radius, generation->CurrentVersion(), impl_->options.strategy,
                            scratch);
}

Result<std::vector<std::vector<Match>>> HammingIndex::SearchBatch(std::span<const Hash256> queries,
                                                                  int radius,
                                                                  int num_threads) const {
  RETURN_IF_ERROR(ValidateRadius(radius));
  if (num_threads < 1) {
    return InvalidArgumentError("num_threads must be >= 1, got " + std::to_string(num_threads));
  }
  const std::shared_ptr<const Generation> generation = impl_->Snapshot();
  std::vector<std::vector<Match>> results(queries.size());
  // Small chunks balance uneven queries (a heavy bucket costs 100x) at one atomic op per chunk.
  constexpr size_t kChunk = 8;
  std::atomic<size_t> next{0};
  const auto work = [&] {
    SearchScratch scratch;
    for (size_t begin; (begin = next.fetch_add(kChunk)) < queries.size();) {
      for (size_t i = begin; i < std::min(queries.size(), begin + kChunk); ++i) {
        // A fresh Version per query, so that a long batch does not pile up removals that each
        // of its queries would have to look past (see Generation::IsLive).
        results[i] = generation->Search(queries[i], radius, generation->CurrentVersion(),
                                        impl_->options.strategy, scratch);
      }
    }
  };
  {
    const size_t helpers = std::min<size_t>(num_threads, (queries.size() + kChunk - 1) / kChunk);
    std::vector<std::jthread> pool;
    for (size_t t = 1; t < helpers; ++t) pool.emplace_back(work);
    work();
  }
  return results;
}

Status HammingIndex::Compact() {
  std::lock_guard compaction(impl_->compaction_mu);
  std::shared_ptr<Generation> old;
  Version from;
  {
    std::lock_guard lock(impl_->writer_mu);
    old = impl_->current;
    from = old->CurrentVersion();
  }
  if (from.recent == 0 && old->RemovedCount(from) == 0) return Status::Ok();
  std::shared_ptr<Generation> next = BuildGeneration(impl_->options, old->CollectLive(from));
  std::lock_guard lock(impl_->writer_mu);
  next->CatchUp(*old, from);
  impl_->Publish(std::move(next));
  return Status::Ok();
}

HammingIndexStats HammingIndex::GetStats() const {
  const std::shared_ptr<const Generation> generation = impl_->Snapshot();
  const Version version = generation->CurrentVersion();
  HammingIndexStats stats;
  stats.live_entries = generation->LiveCount(version);
  stats.bulk_entries = generation->base().size();
  stats.recent_entries = version.recent;
  stats.removed_entries = generation->RemovedCount(version);
  stats.memory_bytes = generation->MemoryBytes(version);
  return stats;
}

Status HammingIndex::Save(const std::string& path) const {
  const std::shared_ptr<const Generation> generation = impl_->Snapshot();
  const Version version = generation->CurrentVersion();
  ASSIGN_OR_RETURN(internal::IndexFileWriter writer,
                   internal::IndexFileWriter::Create(path, generation->LiveCount(version)));
  generation->ForEachLive(version,
                          [&writer](uint64_t id, const Hash256& hash) { writer.Append(id, hash); });
  return writer.Commit();
}

}  // namespace vigil::index
