// The server's side of scale-out (docs/scaling.md): its connection to the workers' NATS
// JetStream server, the bank events it publishes there and those it follows into its own
// matcher, the job ingest route with back-pressure and the dead-letter routes.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "privacy/account_identity.h"
#include "queue/job.h"
#include "server/api.h"
#include "server/routes.h"

namespace vigil::server {
namespace {

// Jobs one POST /v1/jobs may carry (a job is ~300 bytes; larger batches gain nothing).
constexpr size_t kMaxJobsPerRequest = 1000;
// Retry-After: a full stream drains at the workers' pace (seconds); an unreachable NATS server
// reconnects within a few.
constexpr int kRetryAfterFullSeconds = 1;
constexpr int kRetryAfterDownSeconds = 5;

Status NoQueue() {
  return UnavailableError(
      "this server has no scale-out queue: set \"nats\" in its configuration (docs/scaling.md)");
}

// 429 (the job stream is at its limit) or 503 (NATS unreachable), with Retry-After and how many
// jobs of the request were queued before; other errors as usual.
Reply QueueErrorReply(const Status& s, size_t queued) {
  int status = 0, retry_after = 0;
  if (s.code() == StatusCode::kResourceExhausted) {
    status = 429;
    retry_after = kRetryAfterFullSeconds;
  } else if (s.code() == StatusCode::kUnavailable) {
    status = 503;
    retry_after = kRetryAfterDownSeconds;
  } else {
    return ErrorReply(s);
  }
  Json body = {{"message", s.message()}, {"queued", queued}};
  Reply r = JsonReply(body, status);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

// With pseudonymisation keys, a job's clear account id travels only as its pseudonym and, sealed
// with the evidence master key, for the report (docs/privacy.md, "Scale-out"); a pseudonym
// passes through unchanged.
Status PseudonymiseJob(const ServerContext& ctx, queue::ScanJob& job, const std::string& where) {
  if (!ctx.pseudonyms || !ctx.evidence) return Status::Ok();
  const bool pseudonym = privacy::Pseudonymiser::LooksPseudonymised(job.account_id);
  if (job.sealed_account_id && !pseudonym) {
    return FieldError(where + ".sealed_account_id",
                      "given with a clear account_id; send the clear id alone and the server "
                      "seals it");
  }
  if (pseudonym) return Status::Ok();
  auto sealed = privacy::SealAccountForJob(*ctx.pseudonyms, ctx.evidence->cipher(), job.account_id);
  if (!sealed.ok()) return FieldError(where + ".account_id", sealed.status().message());
  job.account_id = std::move(sealed->account_id);
  job.sealed_account_id = std::move(sealed->sealed_account_id);
  return Status::Ok();
}

// The job at jobs[i] of a request, checked, pseudonymised and re-encoded; errors name the field.
Result<std::pair<std::string, std::string>> ParseJob(const ServerContext& ctx,
                                                     const nlohmann::json& j, size_t i) {
  const std::string where = fmt::format("jobs[{}]", i);
  if (!j.is_object()) return FieldError(where, "expected a job object");
  auto job = queue::DecodeJob(j.dump(), where);
  if (!job.ok()) {
    std::string message = job.status().message();
    if (message.rfind(where + ": ", 0) == 0) message.erase(0, where.size() + 2);
    return FieldError(where, message);
  }
  RETURN_IF_ERROR(PseudonymiseJob(ctx, *job, where));
  return std::make_pair(job->item_id, queue::EncodeJob(*job));
}

Json DeadLetterJson(const queue::DeadLetter& d) {
  Json j;
  j["sequence"] = d.sequence;
  j["job_id"] = d.job_id;
  j["deliveries"] = d.deliveries;
  j["reason"] = d.reason;
  j["dead_lettered_at"] = FormatUtc(std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::nanoseconds>(std::chrono::nanoseconds(d.at_ns))));
  // The job as published; a poison job may not even be JSON, so it is shown as text then.
  Json job = Json::parse(d.data, nullptr, /*allow_exceptions=*/false);
  if (job.is_discarded()) {
    j["job"] = nullptr;
    j["data"] = d.data;
  } else {
    j["job"] = job;
  }
  return j;
}

}  // namespace

Status ConnectQueue(ServerContext& ctx) {
  if (ctx.config.nats.url.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(ctx.nats, queue::NatsQueue::Connect(ctx.config.nats));
  spdlog::info("scale-out queue on {}: bank changes are published to the workers",
               ctx.config.nats.url);
  return Status::Ok();
}

Status PublishBankChange(ServerContext& ctx, const queue::BankEvent& event) {
  if (ctx.nats == nullptr) return Status::Ok();
  Status s = ctx.nats->Publish(event);
  if (s.ok()) return s;
  const bool added = event.kind == queue::BankEvent::Kind::kAdded;
  return UnavailableError(fmt::format(
      "bank entry {} {} (the database and this server have it), but the event telling the "
      "workers was not published, so they do not {} it yet; repeat the request once NATS is back "
      "(it publishes again) or restart the workers: {}",
      event.entry_id, added ? "added" : "retired", added ? "match" : "stop matching", s.message()));
}

void WarnIfFailed(const Status& published) {
  if (!published.ok()) spdlog::warn("{}", published.message());
}

Status ApplyBankEvent(ServerContext& ctx, const queue::BankEvent& event) {
  std::lock_guard<std::mutex> lock(ctx.changes_mu);
  bank::BankId bank = event.bank_id;
  std::optional<bank::BankEntry> entry;
  if (event.kind != queue::BankEvent::Kind::kBankCreated) {
    // The entry's state now, whichever event this is: events may repeat or arrive late.
    ASSIGN_OR_RETURN(entry, ctx.db->banks().GetEntry(event.entry_id));
    bank = entry->bank_id;
  }
  // A new bank (its creation's event, or the first of its entries' when that was lost): loaded
  // with every entry it has now; the events after this one bring the rest.
  ASSIGN_OR_RETURN(const bool taken_up, ctx.TakeUpBank(bank));
  if (taken_up || !entry) return Status::Ok();
  ASSIGN_OR_RETURN(const bool changed, ctx.detection()->matcher->Reconcile(*entry));
  if (changed) {
    if (auto m = ctx.bank_markers.find(bank); m != ctx.bank_markers.end()) ++m->second;
  }
  return Status::Ok();
}

Status FollowBankEvents(ServerContext& ctx, uint64_t after) {
  if (ctx.nats == nullptr) return Status::Ok();
  ctx.bank_events_applied = after;
  ASSIGN_OR_RETURN(ctx.bank_events,
                   ctx.nats->Subscribe(after, [&ctx](uint64_t seq, const queue::BankEvent& e) {
                     Status s = ApplyBankEvent(ctx, e);
                     if (!s.ok()) {
                       ++ctx.bank_events_failed;
                       spdlog::warn("bank event {} ({}): {}; the bank poll will reload", seq,
                                    queue::BankEventSubject(e), s.ToString());
                     }
                     ctx.bank_events_applied = seq;
                   }));
  spdlog::info(
      "following bank events after sequence {}: other processes' bank changes are "
      "matched within a second",
      after);
  return Status::Ok();
}

void AppendQueueGauges(ServerContext& ctx, std::vector<Metrics::Gauge>& gauges) {
  if (ctx.nats == nullptr) return;
  Result<queue::QueueDepth> depth = ctx.nats->Depth();
  Result<uint64_t> dead = ctx.nats->Count();
  const auto value = [](bool ok, uint64_t v) { return ok ? static_cast<double>(v) : -1.0; };
  gauges.push_back(
      {"vigil_queue_jobs", "",
       "Scan jobs in the job stream, waiting or being processed (-1: NATS unreadable).",
       value(depth.ok(), depth.ok() ? depth->jobs : 0)});
  gauges.push_back({"vigil_queue_max_jobs", "",
                    "The job stream's limit; POST /v1/jobs answers 429 at it.",
                    value(depth.ok(), depth.ok() ? depth->max_jobs : 0)});
  gauges.push_back({"vigil_bank_events_applied", "",
                    "Sequence of the newest bank event this server applied to its matcher.",
                    static_cast<double>(ctx.bank_events_applied.load())});
  gauges.push_back({"vigil_bank_events_failed", "",
                    "Bank events this server could not apply (the bank poll reloads instead).",
                    static_cast<double>(ctx.bank_events_failed.load())});
  gauges.push_back({"vigil_queue_dead_letters", "",
                    "Jobs the workers gave up on, not yet re-queued or discarded (-1: NATS "
                    "unreadable).",
                    value(dead.ok(), dead.ok() ? *dead : 0)});
}

namespace handlers {

Result<Reply> V1QueueJobs(Call& call) {
  queue::NatsQueue* q = call.ctx.nats.get();
  if (q == nullptr) return NoQueue();
  ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(call));
  RETURN_IF_ERROR(OnlyFields(body, {"jobs"}));
  auto it = body.find("jobs");
  if (it == body.end() || !it->is_array() || it->empty()) {
    return FieldError("jobs", "expected a non-empty array of jobs");
  }
  if (it->size() > kMaxJobsPerRequest) {
    return FieldError(
        "jobs", fmt::format("{} jobs; at most {} per request", it->size(), kMaxJobsPerRequest));
  }
  std::vector<std::pair<std::string, std::string>> jobs;  // item id, encoded job
  for (size_t i = 0; i < it->size(); ++i) {
    ASSIGN_OR_RETURN(auto job, ParseJob(call.ctx, (*it)[i], i));
    jobs.push_back(std::move(job));
  }
  // Refuse a request that cannot fit before queuing any of it; the stream's own limit still
  // refuses a publish that loses a race with another ingest.
  Result<queue::QueueDepth> depth = q->Depth();
  if (!depth.ok()) return QueueErrorReply(depth.status(), 0);
  if (depth->max_jobs > 0 && depth->jobs + jobs.size() > depth->max_jobs) {
    return QueueErrorReply(
        ResourceExhaustedError(fmt::format(
            "the job queue holds {} of at most {} jobs, no room for {} more; retry later",
            depth->jobs, depth->max_jobs, jobs.size())),
        0);
  }
  size_t queued = 0;
  for (const auto& [item_id, data] : jobs) {
    // By item id: re-sending a request (all of it, after a 429 part-way) queues no job twice
    // within the de-duplication window, and the workers' ledger runs none twice after it.
    Status s = q->Publish(item_id, data);
    if (!s.ok()) return QueueErrorReply(s, queued);
    ++queued;
  }
  return JsonReply({{"queued", queued}}, 202);
}

Result<Reply> V1ListDeadLetters(Call& call) {
  queue::NatsQueue* q = call.ctx.nats.get();
  if (q == nullptr) return NoQueue();
  const auto max = static_cast<int64_t>(call.ctx.config.limits.max_list);
  ASSIGN_OR_RETURN(int64_t limit, IntQuery(call, "limit", std::min<int64_t>(100, max), 1, max));
  ASSIGN_OR_RETURN(int64_t after, IntQuery(call, "after", 0, 0, INT64_MAX));
  ASSIGN_OR_RETURN(uint64_t total, q->Count());
  ASSIGN_OR_RETURN(auto list, q->List(static_cast<uint64_t>(after), static_cast<size_t>(limit)));
  Json out = Json::array();
  for (const queue::DeadLetter& d : list) out.push_back(DeadLetterJson(d));
  Json j = {{"total", total}, {"dead_letters", out}};
  if (static_cast<int64_t>(list.size()) == limit) j["next_after"] = list.back().sequence;
  return JsonReply(j);
}

Result<Reply> V1RequeueDeadLetter(Call& call) {
  queue::NatsQueue* q = call.ctx.nats.get();
  if (q == nullptr) return NoQueue();
  ASSIGN_OR_RETURN(int64_t seq, IdParam(call, "seq"));
  ASSIGN_OR_RETURN(queue::DeadLetter d, q->Get(static_cast<uint64_t>(seq)));
  Status s = q->Requeue(d.sequence);
  if (!s.ok()) return QueueErrorReply(s, 0);
  return JsonReply({{"sequence", d.sequence}, {"job_id", d.job_id}, {"requeued", true}});
}

Result<Reply> V1DiscardDeadLetter(Call& call) {
  queue::NatsQueue* q = call.ctx.nats.get();
  if (q == nullptr) return NoQueue();
  ASSIGN_OR_RETURN(int64_t seq, IdParam(call, "seq"));
  ASSIGN_OR_RETURN(queue::DeadLetter d, q->Get(static_cast<uint64_t>(seq)));
  RETURN_IF_ERROR(q->Discard(d.sequence));
  return JsonReply({{"sequence", d.sequence}, {"job_id", d.job_id}, {"discarded", true}});
}

}  // namespace handlers
}  // namespace vigil::server
