#include "stats/volume.h"

#include <fmt/format.h>

namespace vigil::stats {

Status InMemoryVolumeCounters::Add(const VolumeKey& key, const VolumeCount& delta) {
  std::lock_guard<std::mutex> lock(mu_);
  VolumeCount& c = counts_[key];
  c.processed += delta.processed;
  c.flagged += delta.flagged;
  return Status::Ok();
}

Result<std::map<VolumeKey, VolumeCount>> InMemoryVolumeCounters::List(int64_t from_day,
                                                                      int64_t to_day) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<VolumeKey, VolumeCount> out;
  for (const auto& [key, count] : counts_) {
    if (key.day >= from_day && key.day <= to_day) out.emplace(key, count);
  }
  return out;
}

std::string_view RegionName(Region region) {
  switch (region) {
    case Region::kEu:
      return "eu";
    case Region::kNonEu:
      return "non-eu";
    case Region::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Result<Region> ParseRegion(std::string_view name) {
  if (name == "eu") return Region::kEu;
  if (name == "non-eu") return Region::kNonEu;
  if (name == "unknown") return Region::kUnknown;
  return InvalidArgumentError(fmt::format("unknown region '{}' (eu, non-eu or unknown)", name));
}

std::map<VolumeKey, VolumeCount> InMemoryVolumeCounters::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

}  // namespace vigil::stats
