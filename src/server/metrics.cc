#include "server/metrics.h"

#include <fmt/format.h>

#include <tuple>

namespace vigil::server {
namespace {

// Prometheus label values escape backslash, double quote and newline.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                             double seconds) {
  // The method as a literal, so the key never points into the request.
  static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  std::string_view m = "OTHER";
  for (std::string_view known : kMethods) {
    if (method == known) m = known;
  }
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{m, route, status}];
  Latency& l = latency_[{m, route}];
  if (bucket < l.buckets.size()) ++l.buckets[bucket];
  ++l.count;
  l.sum += seconds;
}

void Metrics::CountItems(const std::string& technology, uint64_t processed, uint64_t flagged) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& [p, f] = items_[technology];
  p += processed;
  f += flagged;
}

std::string Metrics::Render(const std::vector<Gauge>& gauges) const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  out += "# HELP vigil_http_requests_total HTTP requests by method, route and status.\n";
  out += "# TYPE vigil_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("vigil_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                       method, Label(route), status, n);
  }
  out += "# HELP vigil_http_request_duration_seconds Time from routing to response.\n";
  out += "# TYPE vigil_http_request_duration_seconds histogram\n";
  for (const auto& [key, l] : latency_) {
    const std::string labels =
        fmt::format("method=\"{}\",route=\"{}\"", key.first, Label(key.second));
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += l.buckets[i];
      out += fmt::format("vigil_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                         kLatencyBuckets[i], cumulative);
    }
    out += fmt::format("vigil_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels,
                       l.count);
    out += fmt::format("vigil_http_request_duration_seconds_sum{{{}}} {}\n", labels, l.sum);
    out += fmt::format("vigil_http_request_duration_seconds_count{{{}}} {}\n", labels, l.count);
  }
  out += "# HELP vigil_items_processed_total Items processed by the pipeline per technology.\n";
  out += "# TYPE vigil_items_processed_total counter\n";
  for (const auto& [tech, pf] : items_) {
    out +=
        fmt::format("vigil_items_processed_total{{technology=\"{}\"}} {}\n", Label(tech), pf.first);
  }
  out += "# HELP vigil_items_flagged_total Items flagged by the pipeline per technology.\n";
  out += "# TYPE vigil_items_flagged_total counter\n";
  for (const auto& [tech, pf] : items_) {
    out +=
        fmt::format("vigil_items_flagged_total{{technology=\"{}\"}} {}\n", Label(tech), pf.second);
  }
  std::string_view previous;
  for (const Gauge& g : gauges) {
    if (g.name != previous)
      out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n", g.name, g.help);
    previous = g.name;
    out += g.labels.empty() ? fmt::format("{} {}\n", g.name, g.value)
                            : fmt::format("{}{{{}}} {}\n", g.name, g.labels, g.value);
  }
  return out;
}

Status MetricsVolumeSink::Add(const stats::VolumeKey& key, const stats::VolumeCount& delta) {
  RETURN_IF_ERROR(inner_.Add(key, delta));
  metrics_.CountItems(key.technology, delta.processed, delta.flagged);
  return Status::Ok();
}

}  // namespace vigil::server
