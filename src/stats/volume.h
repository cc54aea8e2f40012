// Volume counters (module `stats`, which depends on core only so that detection, stores and
// reports can share it): how many items each technology processed and flagged, per day, content
// type and region. Only these aggregates remain of items that nothing flagged (Art 3(1)(h) data
// minimisation), and the annual report's data volumes come from them (Art 3(1)(g)(vii)).
//
// Thread safety: InMemoryVolumeCounters locks a mutex per call.
#ifndef VIGIL_STATS_VOLUME_H_
#define VIGIL_STATS_VOLUME_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/result.h"

namespace vigil::stats {

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

// Where the counters are kept: the store module implements it for SQLite and PostgreSQL.
// Every implementation passes the contract test in tests/store/volume_counters_test.cc.
class VolumeCounterSink {
 public:
  virtual ~VolumeCounterSink() = default;
  // Adds `delta` to the counters of `key` (creating them at zero), atomically.
  virtual Status Add(const VolumeKey& key, const VolumeCount& delta) = 0;
  // Every key with day in [from_day, to_day], ordered by key.
  virtual Result<std::map<VolumeKey, VolumeCount>> List(int64_t from_day, int64_t to_day) = 0;
};

// "eu", "non-eu", "unknown"; ParseRegion accepts the same.
std::string_view RegionName(Region region);
Result<Region> ParseRegion(std::string_view name);

class InMemoryVolumeCounters final : public VolumeCounterSink {
 public:
  Status Add(const VolumeKey& key, const VolumeCount& delta) override;
  Result<std::map<VolumeKey, VolumeCount>> List(int64_t from_day, int64_t to_day) override;
  std::map<VolumeKey, VolumeCount> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<VolumeKey, VolumeCount> counts_;  // guarded by mu_
};

}  // namespace vigil::stats

#endif  // VIGIL_STATS_VOLUME_H_
