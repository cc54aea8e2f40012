#include "match/matcher.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"
#include "match/video_ids.h"

namespace vigil::match {
namespace {

index::Hash256 ToIndexHash(const hash::Hash256& h) { return index::Hash256{h.words}; }

template <size_t N>
Result<std::array<uint8_t, N>> DigestFromHex(const std::string& hex) {
  std::array<uint8_t, N> out{};
  if (!HexToBytes(hex, out).ok()) {
    return DataLossError(fmt::format("stored digest '{}' is malformed", hex));
  }
  return out;
}

}  // namespace

Matcher::Matcher(PassKey, bank::BankStore& store, MatcherOptions options)
    : store_(store), options_(std::move(options)) {}

Result<std::unique_ptr<Matcher>> Matcher::Load(bank::BankStore& store,
                                               const MatcherOptions& options,
                                               const bank::ProgressCallback& progress) {
  if (options.pdq_radius < 0 || options.pdq_radius > index::kMaxRadius) {
    return InvalidArgumentError(
        fmt::format("PDQ radius {} is outside 0..{}", options.pdq_radius, index::kMaxRadius));
  }
  if (options.vpdq.max_distance < 0 || options.vpdq.max_distance > index::kMaxRadius) {
    return InvalidArgumentError(fmt::format("vPDQ frame distance {} is outside 0..{}",
                                            options.vpdq.max_distance, index::kMaxRadius));
  }
  auto matcher = std::make_unique<Matcher>(PassKey(), store, options);
  std::vector<bank::Bank> banks;
  if (options.banks.empty()) {
    ASSIGN_OR_RETURN(banks, store.ListBanks());
  } else {
    for (const std::string& name : options.banks) {
      ASSIGN_OR_RETURN(bank::Bank b, store.GetBank(name));
      banks.push_back(std::move(b));
    }
  }
  std::vector<bank::BankId> ids;
  for (bank::Bank& b : banks) {
    ids.push_back(b.id);
    RETURN_IF_ERROR(matcher->RegisterBank(std::move(b)).status());
  }
  std::vector<index::HammingEntry> pdq_bulk;
  uint64_t loaded = 0;
  for (const bank::BankId id : ids) {
    RETURN_IF_ERROR(store.ForEachEntry(id, bank::EntryFilter{}, [&](const bank::BankEntry& e) {
      RETURN_IF_ERROR(matcher->AddToIndexes(e, &pdq_bulk));
      if (progress && ++loaded % 100'000 == 0) return progress(loaded);
      return Status::Ok();
    }));
  }
  index::HammingIndexOptions index_options;
  index_options.build_threads = std::max(1, options.build_threads);
  ASSIGN_OR_RETURN(matcher->pdq_, index::HammingIndex::Build(pdq_bulk, index_options));
  return matcher;
}

Result<bool> Matcher::RegisterBank(bank::Bank b) {
  std::unique_lock lock(banks_mu_);
  if (banks_.contains(b.id)) return false;
  if (banks_.size() >= kMaxMatchedBanks) {
    return ResourceExhaustedError(
        fmt::format("bank {}: one matcher holds at most {} banks", b.name, kMaxMatchedBanks));
  }
  const bank::BankId id = b.id;
  auto it = banks_.emplace(id, std::move(b)).first;
  bank_position_.emplace(id, bank_at_.size());
  bank_at_.push_back(&it->second);
  return true;
}

bool Matcher::HasBank(bank::BankId bank) const {
  std::shared_lock lock(banks_mu_);
  return banks_.contains(bank);
}

std::optional<bank::Bank> Matcher::FindBank(bank::BankId id) const {
  std::shared_lock lock(banks_mu_);
  auto b = banks_.find(id);
  if (b == banks_.end()) return std::nullopt;
  return b->second;
}

Result<bool> Matcher::AddBank(bank::BankId id) {
  // Load matched every bank options.banks names (it fails when one is missing).
  if (!options_.banks.empty() || HasBank(id)) return false;
  ASSIGN_OR_RETURN(std::vector<bank::Bank> all, store_.ListBanks());
  auto b = std::find_if(all.begin(), all.end(), [&](const bank::Bank& x) { return x.id == id; });
  if (b == all.end()) return NotFoundError(fmt::format("bank {} does not exist", id));
  // Read first, so a failed read leaves the matcher as it was.
  std::vector<bank::BankEntry> entries;
  RETURN_IF_ERROR(store_.ForEachEntry(id, bank::EntryFilter{}, [&](const bank::BankEntry& e) {
    entries.push_back(e);
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(const bool registered, RegisterBank(std::move(*b)));
  if (!registered) return false;
  for (const bank::BankEntry& e : entries) {
    Status s = AddToIndexes(e, nullptr);
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s;
  }
  return true;
}

Result<uint64_t> Matcher::IndexId(const bank::BankEntry& e) const {
  std::shared_lock lock(banks_mu_);
  auto position = bank_position_.find(e.bank_id);
  if (position == bank_position_.end()) {
    return InternalError(fmt::format("entry {}: bank {} is not matched", e.id, e.bank_id));
  }
  if (e.id < 0 || e.id > static_cast<bank::EntryId>(kEntryIdMask)) {
    return ResourceExhaustedError(fmt::format("entry id {} cannot be indexed", e.id));
  }
  return PhotoId(e.id, position->second);
}

Status Matcher::AddToIndexes(const bank::BankEntry& e, std::vector<index::HammingEntry>* bulk) {
  if (e.retired) return Status::Ok();
  if (e.signal_type == bank::SignalType::kVpdq) return AddVideo(e, bulk);
  ASSIGN_OR_RETURN(const uint64_t id, IndexId(e));
  switch (e.signal_type) {
    case bank::SignalType::kPdq: {
      ASSIGN_OR_RETURN(hash::Hash256 h, hash::Hash256::FromHex(e.value));
      if (bulk != nullptr) {
        bulk->push_back({id, ToIndexHash(h)});
        return Status::Ok();
      }
      return pdq_->Add(id, ToIndexHash(h));
    }
    case bank::SignalType::kMd5: {
      ASSIGN_OR_RETURN(auto d, DigestFromHex<16>(e.value));
      return md5_.Add(d, id);
    }
    case bank::SignalType::kSha256: {
      ASSIGN_OR_RETURN(auto d, DigestFromHex<32>(e.value));
      return sha256_.Add(d, id);
    }
    case bank::SignalType::kVpdq:
      break;  // above
  }
  return Status::Ok();
}

Status Matcher::OnEntryAdded(const bank::BankEntry& entry) {
  if (!HasBank(entry.bank_id)) return Status::Ok();
  return AddToIndexes(entry, nullptr);
}

Result<bool> Matcher::Holds(const bank::BankEntry& entry) const {
  if (entry.signal_type == bank::SignalType::kVpdq) {
    std::shared_lock lock(video_mu_);
    return video_frames_.contains(entry.id);
  }
  ASSIGN_OR_RETURN(const uint64_t id, IndexId(entry));
  std::vector<uint64_t> ids;
  switch (entry.signal_type) {
    case bank::SignalType::kPdq:
      return pdq_->Contains(id);
    case bank::SignalType::kMd5: {
      ASSIGN_OR_RETURN(auto d, DigestFromHex<16>(entry.value));
      ids = md5_.Find(d);
      break;
    }
    case bank::SignalType::kSha256: {
      ASSIGN_OR_RETURN(auto d, DigestFromHex<32>(entry.value));
      ids = sha256_.Find(d);
      break;
    }
    case bank::SignalType::kVpdq:
      break;  // above
  }
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

Result<bool> Matcher::Reconcile(const bank::BankEntry& entry) {
  if (!HasBank(entry.bank_id)) return false;
  ASSIGN_OR_RETURN(const bool held, Holds(entry));
  if (held == !entry.retired) return false;
  RETURN_IF_ERROR(entry.retired ? OnEntryRetired(entry) : OnEntryAdded(entry));
  return true;
}

Status Matcher::OnEntryRetired(const bank::BankEntry& entry) {
  if (!HasBank(entry.bank_id)) return Status::Ok();
  if (entry.signal_type == bank::SignalType::kVpdq) return RemoveVideo(entry);
  ASSIGN_OR_RETURN(const uint64_t id, IndexId(entry));
  switch (entry.signal_type) {
    case bank::SignalType::kPdq:
      return pdq_->Contains(id) ? pdq_->Remove(id) : Status::Ok();
    case bank::SignalType::kMd5: {
      ASSIGN_OR_RETURN(auto d, DigestFromHex<16>(entry.value));
      Status s = md5_.Remove(d, id);
      return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
    }
    case bank::SignalType::kSha256: {
      ASSIGN_OR_RETURN(auto d, DigestFromHex<32>(entry.value));
      Status s = sha256_.Remove(d, id);
      return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
    }
    case bank::SignalType::kVpdq:
      break;  // above
  }
  return Status::Ok();
}

Result<std::vector<index::Match>> Matcher::SearchPdq(const hash::Hash256& pdq,
                                                     std::optional<int> quality) const {
  if (quality.has_value() && *quality < options_.min_pdq_quality) {
    return FailedPreconditionError(
        fmt::format("PDQ quality {} is below the minimum of {}; not matched", *quality,
                    options_.min_pdq_quality));
  }
  return pdq_->Search(ToIndexHash(pdq), options_.pdq_radius);
}

Result<std::vector<BankMatch>> Matcher::MatchPdq(const hash::Hash256& pdq,
                                                 std::optional<int> quality) const {
  ASSIGN_OR_RETURN(auto hits, SearchPdq(pdq, quality));
  return Resolve(hits);
}

std::vector<MatchRef> Matcher::Refs(const std::vector<index::Match>& hits) const {
  std::vector<MatchRef> out;
  out.reserve(hits.size());
  std::shared_lock lock(banks_mu_);
  for (const index::Match& hit : hits) {
    if (IsVideoFrameId(hit.id)) continue;  // a video's frame; videos match through MatchVpdq
    out.push_back({PhotoEntryOf(hit.id), bank_at_[PhotoBankOf(hit.id)], hit.distance});
  }
  return out;
}

Result<std::vector<MatchRef>> Matcher::LookupPdq(const hash::Hash256& pdq,
                                                 std::optional<int> quality) const {
  ASSIGN_OR_RETURN(auto hits, SearchPdq(pdq, quality));
  return Refs(hits);
}

std::vector<MatchRef> Matcher::LookupMd5(const hash::Md5Digest& md5) const {
  std::vector<index::Match> hits;
  for (uint64_t id : md5_.Find(md5)) hits.push_back({id, 0});
  return Refs(hits);
}

std::vector<MatchRef> Matcher::LookupSha256(const hash::Sha256Digest& sha256) const {
  std::vector<index::Match> hits;
  for (uint64_t id : sha256_.Find(sha256)) hits.push_back({id, 0});
  return Refs(hits);
}

Result<std::vector<BankMatch>> Matcher::MatchMd5(const hash::Md5Digest& md5) const {
  return ResolveIds(md5_.Find(md5));
}

Result<std::vector<BankMatch>> Matcher::MatchSha256(const hash::Sha256Digest& sha256) const {
  return ResolveIds(sha256_.Find(sha256));
}

Result<std::vector<BankMatch>> Matcher::Resolve(const std::vector<index::Match>& hits) const {
  std::vector<BankMatch> out;
  out.reserve(hits.size());
  for (const index::Match& hit : hits) {
    if (IsVideoFrameId(hit.id)) continue;  // a video's frame; videos match through MatchVpdq
    ASSIGN_OR_RETURN(bank::BankEntry entry, store_.GetEntry(PhotoEntryOf(hit.id)));
    std::optional<bank::Bank> b = FindBank(entry.bank_id);
    // An entry retired in the store but not yet removed here is not reported.
    if (!b || entry.retired) continue;
    out.push_back({std::move(*b), std::move(entry), hit.distance});
  }
  return out;
}

Result<std::vector<BankMatch>> Matcher::ResolveIds(const std::vector<uint64_t>& ids) const {
  std::vector<index::Match> hits;
  for (uint64_t id : ids) hits.push_back({id, 0});
  return Resolve(hits);
}

MatcherStats Matcher::GetStats() const {
  MatcherStats s;
  {
    std::shared_lock lock(banks_mu_);
    s.banks = banks_.size();
  }
  s.pdq_entries = pdq_->GetStats().live_entries;
  s.md5_entries = md5_.size();
  s.sha256_entries = sha256_.size();
  std::shared_lock lock(video_mu_);
  s.vpdq_entries = video_frames_.size();
  for (const auto& [id, frames] : video_frames_) s.vpdq_frames += static_cast<size_t>(frames);
  // Read at two moments; a video added in between must not make the photo count wrap.
  s.pdq_entries -= std::min(s.pdq_entries, s.vpdq_frames);
  return s;
}

}  // namespace vigil::match
