// Metrics: the server's Prometheus counters and histograms. Request counts and latencies by
// route and status, and items processed and flagged per technology (fed by the pipeline's
// volume counters). Gauges that need a query (queue depth, index size) are passed to Render.
//
// Thread safety: every method may be called from any thread; one mutex guards the maps.
#ifndef VIGIL_SERVER_METRICS_H_
#define VIGIL_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "stats/volume.h"

namespace vigil::server {

// Upper bounds of the latency histogram buckets, in seconds.
inline constexpr std::array<double, 12> kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

class Metrics {
 public:
  // `route` is the route pattern ("unmatched" for 404s), so label values stay bounded. It must
  // point to storage that outlives the Metrics (the route table, or a literal), so counting a
  // request allocates nothing once its series exists.
  void ObserveRequest(std::string_view method, std::string_view route, int status, double seconds);
  void CountItems(const std::string& technology, uint64_t processed, uint64_t flagged);

  // A gauge computed at scrape time; gauges of one name are passed consecutively.
  struct Gauge {
    std::string name;
    std::string labels;  // e.g. signal_type="pdq", or empty
    std::string help;
    double value = 0;
  };
  std::string Render(const std::vector<Gauge>& gauges) const;

 private:
  struct Latency {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // non-cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  // (method, route, status) -> count; guarded by mu_
  std::map<std::tuple<std::string_view, std::string_view, int>, uint64_t> requests_;
  std::map<std::pair<std::string_view, std::string_view>, Latency> latency_;  // guarded by mu_
  std::map<std::string, std::pair<uint64_t, uint64_t>> items_;                // guarded by mu_
};

// A VolumeCounterSink that forwards to `inner` (the database's) and, once stored, counts the
// same increments in `metrics`.
class MetricsVolumeSink final : public stats::VolumeCounterSink {
 public:
  MetricsVolumeSink(stats::VolumeCounterSink& inner, Metrics& metrics)
      : inner_(inner), metrics_(metrics) {}
  Status Add(const stats::VolumeKey& key, const stats::VolumeCount& delta) override;
  Result<std::map<stats::VolumeKey, stats::VolumeCount>> List(int64_t from_day,
                                                              int64_t to_day) override {
    return inner_.List(from_day, to_day);
  }

 private:
  stats::VolumeCounterSink& inner_;
  Metrics& metrics_;
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_METRICS_H_
