// Volume counters: how many items each technology processed and flagged, per day, content type
// and region. Only these aggregates remain of items that nothing flagged (Art 3(1)(h) data
// minimisation), and the annual report's data volumes come from them (Art 3(1)(g)(vii)).
//
// Thread safety: InMemoryVolumeCounters locks a mutex per call.
#ifndef VIGIL_DETECT_VOLUME_H_
#define VIGIL_DETECT_VOLUME_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "core/status.h"

namespace vigil::detect {

enum class Region { kEu, kNonEu, kUnknown };

struct VolumeKey {
  int64_t day = 0;           // days since 1970-01-01 (UTC)
  std::string technology;    // detector@version, e.g. "pdq@1"
  std::string content_type;  // "image", "video"
  Region region = Region::kUnknown;
  friend auto operator<=>(const VolumeKey&, const VolumeKey&) = default;
};

struct VolumeCount {
  uint64_t processed = 0;
  uint64_t flagged = 0;
  friend bool operator==(const VolumeCount&, const VolumeCount&) = default;
};

// Where the counters are kept. A store implementation adds to persistent rows.
class VolumeCounterSink {
 public:
  virtual ~VolumeCounterSink() = default;
  virtual Status Add(const VolumeKey& key, const VolumeCount& delta) = 0;
};

class InMemoryVolumeCounters final : public VolumeCounterSink {
 public:
  Status Add(const VolumeKey& key, const VolumeCount& delta) override;
  std::map<VolumeKey, VolumeCount> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<VolumeKey, VolumeCount> counts_;  // guarded by mu_
};

}  // namespace vigil::detect

#endif  // VIGIL_DETECT_VOLUME_H_
