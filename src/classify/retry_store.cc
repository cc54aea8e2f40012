// The kept items' in-memory store (retry_store.h).
#include "classify/retry_store.h"

#include <algorithm>

#include "hash/digest.h"

namespace vigil::classify {

std::string_view RetryKindName(RetryKind kind) {
  return kind == RetryKind::kConversation ? "conversation" : "media";
}

std::string RetryKey(std::span<const uint8_t> bytes) {
  return hash::DigestToHex(hash::Sha256(bytes)).substr(0, 32);
}

bool IsRetryableFailure(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDataLoss ||
         code == StatusCode::kInternal;
}

Result<int64_t> InMemoryRetryStore::Keep(const RetryItem& item) {
  if (item.key.empty()) return InvalidArgumentError("a kept item needs a key");
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = items_.try_emplace({item.kind, item.key}, item);
  RetryItem& kept = it->second;
  if (inserted) {
    kept.attempts = 1;
    kept.first_failed_at = item.last_failed_at;
  } else {
    ++kept.attempts;
    kept.error = item.error;
    kept.last_failed_at = item.last_failed_at;
  }
  return kept.attempts;
}

Result<std::vector<RetryItem>> InMemoryRetryStore::Pending(RetryKind kind, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RetryItem> out;
  for (const auto& [k, item] : items_) {
    if (k.first == kind) out.push_back(item);
  }
  std::stable_sort(out.begin(), out.end(), [](const RetryItem& a, const RetryItem& b) {
    return a.first_failed_at < b.first_failed_at;  // keys already ascending
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Status InMemoryRetryStore::Done(RetryKind kind, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  items_.erase({kind, key});
  return Status::Ok();
}

}  // namespace vigil::classify
