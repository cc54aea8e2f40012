#include "detect/volume.h"

namespace vigil::detect {

Status InMemoryVolumeCounters::Add(const VolumeKey& key, const VolumeCount& delta) {
  std::lock_guard<std::mutex> lock(mu_);
  VolumeCount& c = counts_[key];
  c.processed += delta.processed;
  c.flagged += delta.flagged;
  return Status::Ok();
}

std::map<VolumeKey, VolumeCount> InMemoryVolumeCounters::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

}  // namespace vigil::detect
