// The vPDQ matching rule (vpdq/README.md pseudocode; python-threatexchange
// vpdq_brute_matcher.match_VPDQ_hash_brute). Note that Meta's C++ `match-hashes-brute` differs
// (no de-duplication, distance < 31); vigil follows the documented rule.
#include <algorithm>
#include <unordered_set>

#include "hash/vpdq.h"

namespace vigil::hash {
namespace {

struct Hash256Hasher {
  size_t operator()(const Hash256& h) const {
    // PDQ bits are close to uniform, so mixing two words is enough for a hash table.
    return static_cast<size_t>(h.words[0] ^ (h.words[2] * 0x9e3779b97f4a7c15ull));
  }
};

// Number of frames of `a` within `max_distance` of some frame of `b`.
int CountMatched(std::span<const VpdqFrame> a, std::span<const VpdqFrame> b, int max_distance) {
  int matched = 0;
  for (const VpdqFrame& fa : a) {
    const bool hit = std::any_of(b.begin(), b.end(), [&](const VpdqFrame& fb) {
      return HammingDistance(fa.hash, fb.hash) <= max_distance;
    });
    matched += hit ? 1 : 0;
  }
  return matched;
}

double Percent(int matched, int total) {
  // Same arithmetic as Python's `matched * 100 / total` (an exact integer, one division).
  return static_cast<double>(matched * 100) / static_cast<double>(total);
}

}  // namespace

std::vector<VpdqFrame> PrepareVpdqForMatching(std::span<const VpdqFrame> frames, int min_quality) {
  // De-duplicate first, then filter, in the Python reference's order: a hash seen first at low
  // quality is dropped even if it recurs later at high quality.
  std::unordered_set<Hash256, Hash256Hasher> seen;
  std::vector<VpdqFrame> out;
  for (const VpdqFrame& frame : frames) {
    if (!seen.insert(frame.hash).second) continue;
    if (frame.quality >= min_quality) out.push_back(frame);
  }
  return out;
}

VpdqMatchResult MatchVpdq(std::span<const VpdqFrame> query, std::span<const VpdqFrame> target,
                          const VpdqMatchOptions& options) {
  const std::vector<VpdqFrame> q = PrepareVpdqForMatching(query, options.min_quality);
  const std::vector<VpdqFrame> t = PrepareVpdqForMatching(target, options.min_quality);
  VpdqMatchResult result;
  result.query_frames = static_cast<int>(q.size());
  result.target_frames = static_cast<int>(t.size());
  if (q.empty() || t.empty()) return result;
  result.query_frames_matched = CountMatched(q, t, options.max_distance);
  result.target_frames_matched = CountMatched(t, q, options.max_distance);
  result.query_match_percent = Percent(result.query_frames_matched, result.query_frames);
  result.target_match_percent = Percent(result.target_frames_matched, result.target_frames);
  result.is_match = result.query_match_percent >= options.query_match_threshold_percent &&
                    result.target_match_percent >= options.target_match_threshold_percent;
  return result;
}

}  // namespace vigil::hash
