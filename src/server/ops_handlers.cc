// Health, status, site map, OpenAPI and metrics: the public routes.
#include <algorithm>

#include "server/metrics.h"
#include "server/routes.h"

namespace vigil::server::handlers {

Result<Reply> Healthz(Call&) { return JsonReply({{"status", "ok"}}); }

Result<Reply> Readyz(Call& call) {
  // Ready when the index is loaded and the database answers a query.
  const bool index = call.ctx.detection() != nullptr;
  auto db = call.ctx.db->AppliedMigrations();
  Json j = {{"index_loaded", index}, {"database", db.ok() ? "ok" : db.status().message()}};
  j["status"] = index && db.ok() ? "ready" : "not ready";
  return JsonReply(j, index && db.ok() ? 200 : 503);
}

// HMA answers plain text here; its clients test for I-AM-ALIVE.
Result<Reply> HmaStatus(Call& call) {
  if (call.ctx.detection() == nullptr) return TextReply("INDEX-NOT-LOADED", 503);
  return TextReply("I-AM-ALIVE");
}

Result<Reply> StatusLive(Call&) { return TextReply("I-AM-ALIVE"); }

Result<Reply> SiteMap(Call&) {
  std::vector<std::string> paths;
  for (const Route& r : AllRoutes()) paths.emplace_back(r.path);
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return JsonReply(paths);
}

Result<Reply> OpenApi(Call&) { return TextReply(OpenApiDocument(), 200, "application/json"); }

Result<Reply> MetricsText(Call& call) {
  ServerContext& ctx = call.ctx;
  const match::MatcherStats s = ctx.detection()->matcher->GetStats();
  std::vector<Metrics::Gauge> gauges;
  const std::string entries_help = "Active bank entries loaded in the matcher by signal type.";
  gauges.push_back({"vigil_index_entries", "signal_type=\"pdq\"", entries_help,
                    static_cast<double>(s.pdq_entries)});
  gauges.push_back({"vigil_index_entries", "signal_type=\"md5\"", entries_help,
                    static_cast<double>(s.md5_entries)});
  gauges.push_back({"vigil_index_entries", "signal_type=\"sha256\"", entries_help,
                    static_cast<double>(s.sha256_entries)});
  gauges.push_back(
      {"vigil_index_banks", "", "Banks loaded in the matcher.", static_cast<double>(s.banks)});
  // The queue is counted up to max_list rows so a scrape stays cheap on a flooded queue.
  auto queue = ctx.review->Queue(ctx.config.limits.max_list);
  gauges.push_back({"vigil_review_queue_depth", "",
                    "Claimable review cases (capped at limits.max_list).",
                    queue.ok() ? static_cast<double>(queue->size()) : -1.0});
  // Art 3(1)(j): an alert rule on this gauge (> 0) catches a report that is not on its way.
  auto overdue = ListOverdueReports(ctx);
  gauges.push_back({"vigil_reports_overdue", "",
                    "Confirmed cases not reported within the reporting limit (Art 3(1)(j)); -1 "
                    "when the database could not be read.",
                    overdue.ok() ? static_cast<double>(overdue->size()) : -1.0});
  gauges.push_back({"vigil_report_limit_seconds", "",
                    "The reporting limit after which a confirmed case is overdue.",
                    static_cast<double>(ctx.reporting.report_limit.count())});
  AppendQueueGauges(ctx, gauges);
  return TextReply(ctx.metrics->Render(gauges), 200, "text/plain; version=0.0.4");
}

}  // namespace vigil::server::handlers
