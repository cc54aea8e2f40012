// Matcher's video half: vPDQ entries' frames in the shared PDQ index, and MatchVpdq.
//
// The vPDQ rule (hash/vpdq.h) counts, for a query Q and a target T (both de-duplicated and
// quality-filtered), the frames of Q within distance d of some frame of T and the frames of T
// within d of some frame of Q. One radius-d search per frame of Q finds every (q, t) pair within
// d across all banked videos at once, so both counts of every candidate video come out of the
// same hits: no frame pair is compared twice and videos sharing no frame cost nothing.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "match/matcher.h"
#include "match/video_ids.h"

namespace vigil::match {
namespace {

index::Hash256 ToIndexHash(const hash::Hash256& h) { return index::Hash256{h.words}; }

// The hash whose hex (Hash256::ToHex) is these bytes' hex: byte j holds bits 255-8j..248-8j.
// Going through hex instead made loading a 3M-frame bank a third slower.
hash::Hash256 HashFromBytes(const std::array<uint8_t, 32>& bytes) {
  hash::Hash256 h;
  for (int j = 0; j < 32; ++j) {
    const int low_bit = 248 - 8 * j;
    h.words[low_bit >> 6] |= uint64_t{bytes[j]} << (low_bit & 63);
  }
  return h;
}

Result<std::vector<hash::VpdqFrame>> EntryFrames(const bank::BankEntry& entry) {
  auto parsed = bank::ParseVpdqValue(entry.value);
  if (!parsed.ok()) {
    return DataLossError(fmt::format("vpdq entry {}: {}", entry.id, parsed.status().message()));
  }
  std::vector<hash::VpdqFrame> frames;
  frames.reserve(parsed->size());
  for (const bank::VpdqValueFrame& f : *parsed) {
    frames.push_back({f.frame_number, f.quality, HashFromBytes(f.hash),
                      static_cast<double>(f.timestamp_ms) / 1000});
  }
  return frames;
}

// Same arithmetic as hash::MatchVpdq (and Python's `matched * 100 / total`).
double Percent(int matched, int total) {
  return static_cast<double>(matched * 100) / static_cast<double>(total);
}

// Hits of one candidate video while the query's frames are searched.
struct Candidate {
  int query_matched = 0;
  int last_query_frame = -1;
  int target_matched = 0;
  std::vector<bool> target_hit;
};

// One search per query frame; every hit on a video's frame is credited to that video.
Status CollectCandidates(const index::HammingIndex& index, std::span<const hash::VpdqFrame> q,
                         int max_distance, std::unordered_map<bank::EntryId, Candidate>* out) {
  for (size_t qi = 0; qi < q.size(); ++qi) {
    ASSIGN_OR_RETURN(auto hits, index.Search(ToIndexHash(q[qi].hash), max_distance));
    for (const index::Match& hit : hits) {
      if (!IsVideoFrameId(hit.id)) continue;  // a photo entry
      Candidate& c = (*out)[VideoEntryOf(hit.id)];
      if (c.last_query_frame != static_cast<int>(qi)) {
        c.last_query_frame = static_cast<int>(qi);
        ++c.query_matched;
      }
      const auto t = static_cast<size_t>(VideoFrameOf(hit.id));
      if (t >= c.target_hit.size()) c.target_hit.resize(t + 1);
      if (!c.target_hit[t]) {
        c.target_hit[t] = true;
        ++c.target_matched;
      }
    }
  }
  return Status::Ok();
}

hash::VpdqMatchResult Score(const Candidate& c, int query_frames, int target_frames,
                            const hash::VpdqMatchOptions& opt) {
  hash::VpdqMatchResult r;
  r.query_frames = query_frames;
  r.target_frames = target_frames;
  r.query_frames_matched = c.query_matched;
  r.target_frames_matched = c.target_matched;
  r.query_match_percent = Percent(r.query_frames_matched, r.query_frames);
  r.target_match_percent = Percent(r.target_frames_matched, r.target_frames);
  r.is_match = r.query_match_percent >= opt.query_match_threshold_percent &&
               r.target_match_percent >= opt.target_match_threshold_percent;
  return r;
}

using Scored = std::pair<bank::EntryId, hash::VpdqMatchResult>;

// Query share, then target share (both descending), then entry id.
bool Better(const Scored& a, const Scored& b) {
  if (a.second.query_match_percent != b.second.query_match_percent) {
    return a.second.query_match_percent > b.second.query_match_percent;
  }
  if (a.second.target_match_percent != b.second.target_match_percent) {
    return a.second.target_match_percent > b.second.target_match_percent;
  }
  return a.first < b.first;
}

}  // namespace

Status Matcher::AddVideo(const bank::BankEntry& entry, std::vector<index::HammingEntry>* bulk) {
  if (entry.id <= 0 || entry.id >= kMaxVideoEntryId) {
    return ResourceExhaustedError(fmt::format("vpdq entry id {} cannot be indexed", entry.id));
  }
  ASSIGN_OR_RETURN(auto frames, EntryFrames(entry));
  const std::vector<hash::VpdqFrame> usable =
      hash::PrepareVpdqForMatching(frames, options_.vpdq.min_quality);
  {
    std::unique_lock lock(video_mu_);
    if (!video_frames_.emplace(entry.id, static_cast<int>(usable.size())).second) {
      return Status::Ok();  // already indexed
    }
  }
  for (size_t i = 0; i < usable.size(); ++i) {
    const uint64_t id = VideoFrameId(entry.id, static_cast<int>(i));
    if (bulk != nullptr) {
      bulk->push_back({id, ToIndexHash(usable[i].hash)});
    } else {
      RETURN_IF_ERROR(pdq_->Add(id, ToIndexHash(usable[i].hash)));
    }
  }
  return Status::Ok();
}

Status Matcher::RemoveVideo(const bank::BankEntry& entry) {
  int frames = 0;
  {
    std::unique_lock lock(video_mu_);
    auto it = video_frames_.find(entry.id);
    if (it == video_frames_.end()) return Status::Ok();
    frames = it->second;
    video_frames_.erase(it);
  }
  for (int i = 0; i < frames; ++i) {
    Status s = pdq_->Remove(VideoFrameId(entry.id, i));
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  return Status::Ok();
}

Result<std::vector<VideoMatch>> Matcher::MatchVpdq(std::span<const hash::VpdqFrame> query,
                                                   bool include_below_threshold) const {
  const hash::VpdqMatchOptions& opt = options_.vpdq;
  const std::vector<hash::VpdqFrame> q = hash::PrepareVpdqForMatching(query, opt.min_quality);
  if (q.empty()) {
    return FailedPreconditionError(
        fmt::format("no frame of the video reaches vPDQ quality {}; not matched", opt.min_quality));
  }
  std::unordered_map<bank::EntryId, Candidate> candidates;
  RETURN_IF_ERROR(CollectCandidates(*pdq_, q, opt.max_distance, &candidates));
  std::vector<Scored> scored;
  {
    std::shared_lock lock(video_mu_);
    for (const auto& [id, c] : candidates) {
      auto frames = video_frames_.find(id);
      if (frames == video_frames_.end()) continue;  // retired while we searched
      const hash::VpdqMatchResult r = Score(c, static_cast<int>(q.size()), frames->second, opt);
      if (r.is_match || include_below_threshold) scored.emplace_back(id, r);
    }
  }
  std::sort(scored.begin(), scored.end(), Better);
  std::vector<VideoMatch> out;
  for (const auto& [id, result] : scored) {
    ASSIGN_OR_RETURN(bank::BankEntry entry, store_.GetEntry(id));
    std::optional<bank::Bank> b = FindBank(entry.bank_id);
    if (!b || entry.retired) continue;
    out.push_back({std::move(*b), std::move(entry), result});
  }
  return out;
}

}  // namespace vigil::match
