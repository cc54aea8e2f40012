// BaseSegment search: multi-index probing in four passes, or a scan when that is cheaper.
//
// A radius-31 query over 10M rows reads ~2,340 bucket offsets, ~2,340 postings runs (~11,000
// postings) and ~2,900 candidate codes, nearly all of them cache misses. Dependent misses in one
// loop would serialise on memory latency, so each kind of read gets its own pass that prefetches a
// fixed distance ahead: enumerate probes, resolve them to postings ranges, filter postings to
// candidate rows, verify candidates against their codes. Each pass keeps many misses in flight at
// once.
#include <algorithm>
#include <bit>

#include "index/base_segment.h"

namespace vigil::index::internal {
namespace {

using Probe = SearchScratch::Probe;
using Range = SearchScratch::Range;

// How far ahead each pass prefetches. At 10M rows, radius 31 (8 postings per bucket at the time):
// 8 -> 8.9k queries/s, 16 -> 10.3k, 32 -> 12.6k, 48..128 -> 13.0-13.2k; this CPU keeps many
// misses in flight.
constexpr size_t kPrefetchDistance = 64;

// Cost model in nanoseconds, fitted to bench_index runs on the development machine (AMD EPYC,
// docs/performance-index.md). Only the ratios matter: they decide when the multi-index would
// read more memory than a scan of every code.
constexpr double kProbeNs = 20.0;   // a bucket-offset read and the start of its postings run
constexpr double kEntryNs = 4.0;    // a posting read plus, usually, a random code read
constexpr double kScanRowNs = 1.0;  // one code of a sequential SIMD scan

// At or beyond this many postings a query de-duplicates rows before verifying them: clustered
// data (near-blank images) puts the same rows in the probed buckets of every table.
constexpr uint64_t kDedupMinEntries = uint64_t{1} << 15;

void Prefetch(const void* address) { __builtin_prefetch(address, 0, 3); }

double Binomial(int n, int k) {
  double result = 1;
  for (int i = 1; i <= k; ++i) result = result * (n - k + i) / i;
  return result;
}

// Calls f(mask) for every mask of `bits` bits with exactly `ones` bits set (Gosper's hack).
template <typename F>
void ForEachMask(int bits, int ones, F&& f) {
  if (ones == 0) {
    f(uint32_t{0});
    return;
  }
  const uint64_t limit = uint64_t{1} << bits;
  for (uint64_t mask = (uint64_t{1} << ones) - 1; mask < limit;) {
    f(static_cast<uint32_t>(mask));
    const uint64_t lowest = mask & (~mask + 1);
    const uint64_t ripple = mask + lowest;
    mask = (((ripple ^ mask) >> 2) / lowest) | ripple;
  }
}

}  // namespace

void BaseSegment::Search(const Hash256& query, int radius, Strategy strategy,
                         SearchScratch& scratch, std::vector<RowMatch>& out) const {
  if (size() == 0) return;
  const auto budgets = layout_.Budgets(radius);
  const bool scan = strategy == Strategy::kScan ||
                    (strategy == Strategy::kAuto && !MultiIndexLooksCheaper(budgets));
  if (!scan) {
    EnumerateProbes(query, budgets, scratch.probes);
    const uint64_t total = ResolveBuckets(scratch);
    // Heavy buckets (clustered data) can make the real cost far exceed the estimate.
    const double cost = static_cast<double>(scratch.probes.size()) * kProbeNs +
                        static_cast<double>(total) * kEntryNs;
    if (strategy == Strategy::kMultiIndex || cost <= ScanCostNs()) {
      CollectCandidates(query, total, scratch);
      Verify(query, radius, scratch.candidates, out);
      return;
    }
  }
  ScanCodes(codes_.data(), size(), 0, query, radius, out);
}

double BaseSegment::ScanCostNs() const { return size() * kScanRowNs; }

// Predicts the cost for uniformly distributed codes before any probe is made, so that a radius
// of, say, 100 does not first enumerate millions of probes.
bool BaseSegment::MultiIndexLooksCheaper(
    const std::array<int, MihLayout::kMaxSubstrings>& budgets) const {
  double probes = 0;
  double entries = 0;
  for (int t = 0; t < layout_.size(); ++t) {
    const Substring& s = layout_[t];
    double table_probes = 0;
    for (int j = 0; j <= std::min(budgets[t], s.prefix_bits); ++j) {
      table_probes += Binomial(s.prefix_bits, j);
    }
    probes += table_probes;
    entries += table_probes * size() / static_cast<double>(uint64_t{1} << s.prefix_bits);
  }
  return probes * kProbeNs + entries * kEntryNs <= ScanCostNs();
}

// Every prefix within budget_t flips of the query's prefix, for every table t. The residual
// filter later accepts a posting only if prefix flips plus residual differences stay <= budget_t.
void BaseSegment::EnumerateProbes(const Hash256& query,
                                  const std::array<int, MihLayout::kMaxSubstrings>& budgets,
                                  std::vector<Probe>& probes) const {
  probes.clear();
  for (int t = 0; t < layout_.size(); ++t) {
    const Substring& s = layout_[t];
    const uint32_t prefix = layout_.Key(query, t) >> s.residual_bits;
    const uint32_t base = bucket_base_[t];
    for (int flips = 0; flips <= std::min(budgets[t], s.prefix_bits); ++flips) {
      const auto residual_budget = static_cast<uint16_t>(budgets[t] - flips);
      ForEachMask(s.prefix_bits, flips, [&](uint32_t mask) {
        probes.push_back({base + (prefix ^ mask), static_cast<uint16_t>(t), residual_budget});
      });
    }
  }
}

// Probes -> non-empty postings ranges. Returns the total number of postings in them.
uint64_t BaseSegment::ResolveBuckets(SearchScratch& scratch) const {
  const std::vector<Probe>& probes = scratch.probes;
  std::vector<Range>& ranges = scratch.ranges;
  ranges.clear();
  uint64_t total = 0;
  const uint32_t* starts = bucket_starts_.data();
  for (size_t k = 0; k < probes.size(); ++k) {
    if (k + kPrefetchDistance < probes.size()) {
      Prefetch(starts + probes[k + kPrefetchDistance].bucket);
    }
    const Probe& p = probes[k];
    const uint32_t begin = starts[p.bucket];
    const uint32_t end = starts[p.bucket + 1];
    if (begin == end) continue;
    // Start pulling the postings towards L2 now; CollectCandidates reads them soon after.
    __builtin_prefetch(postings_.data() + begin, 0, 2);
    ranges.push_back({begin, end, p.table, p.budget});
    total += end - begin;
  }
  return total;
}

// Postings ranges -> candidate rows whose residual is within the probe's remaining budget.
void BaseSegment::CollectCandidates(const Hash256& query, uint64_t total,
                                    SearchScratch& scratch) const {
  std::array<uint32_t, MihLayout::kMaxSubstrings> query_residual{};
  for (int t = 0; t < layout_.size(); ++t) {
    query_residual[t] = layout_.Key(query, t) & ((uint32_t{1} << layout_[t].residual_bits) - 1);
  }
  const std::vector<Range>& ranges = scratch.ranges;
  std::vector<uint32_t>& candidates = scratch.candidates;
  candidates.resize(total);
  uint32_t* out = candidates.data();
  size_t n = 0;
  for (size_t k = 0; k < ranges.size(); ++k) {
    if (k + kPrefetchDistance < ranges.size()) {
      Prefetch(postings_.data() + ranges[k + kPrefetchDistance].begin);
      Prefetch(postings_.data() + ranges[k + kPrefetchDistance].end - 1);  // may be a 2nd line
    }
    const Range& r = ranges[k];
    const int shift = layout_[r.table].residual_bits;
    const uint32_t mask = (uint32_t{1} << shift) - 1;
    const uint32_t want = query_residual[r.table];
    for (uint32_t i = r.begin; i < r.end; ++i) {  // branch-free: write, then keep or overwrite
      const uint32_t posting = postings_[i];
      out[n] = posting >> shift;
      n += std::popcount((posting ^ want) & mask) <= r.budget;
    }
  }
  if (total >= kDedupMinEntries) {
    if (scratch.seen.size() < size() / 64 + 1) scratch.seen.assign(size() / 64 + 1, 0);
    uint64_t* seen = scratch.seen.data();
    size_t unique = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t row = out[i];
      const uint64_t bit = uint64_t{1} << (row & 63);
      if (seen[row >> 6] & bit) continue;
      seen[row >> 6] |= bit;
      out[unique++] = row;
    }
    for (size_t i = 0; i < unique; ++i) seen[out[i] >> 6] = 0;
    n = unique;
  }
  candidates.resize(n);
}

void BaseSegment::Verify(const Hash256& query, int radius, const std::vector<uint32_t>& candidates,
                         std::vector<RowMatch>& out) const {
  const Hash256* codes = codes_.data();
  const size_t n = candidates.size();
  for (size_t k = 0; k < n; ++k) {
    if (k + kPrefetchDistance < n) Prefetch(codes + candidates[k + kPrefetchDistance]);
    const uint32_t row = candidates[k];
    const int distance = HammingDistance(codes[row], query);
    if (distance <= radius) out.push_back({row, static_cast<uint32_t>(distance)});
  }
}

}  // namespace vigil::index::internal
