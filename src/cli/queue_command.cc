// `vigil queue`: the ingest client and the operator's view of the scale-out queue
// (docs/scaling.md): publish scan jobs, show the queue's state, list, re-queue and discard dead
// letters.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/file_batch.h"
#include "queue/job.h"
#include "queue/nats.h"

namespace vigil::cli {
namespace {

struct QueueFlags {
  std::string nats = "nats://127.0.0.1:4222";
  std::string input = "-";
  bool no_wait = false;
  uint64_t after = 0;
  size_t limit = 100;
  std::string format = "text";
  std::vector<uint64_t> sequences;  // requeue, discard
};

int Fail(const Status& s) {
  PrintError(s);
  return ExitCodeFor(s.code());
}

Result<std::unique_ptr<queue::NatsQueue>> ConnectQueue(const QueueFlags& f) {
  queue::NatsOptions options;
  options.url = f.nats;
  options.client_name = "vigil-queue";
  return queue::NatsQueue::Connect(options);
}

// Publishes one job, waiting while the stream is full unless --no-wait (back-pressure).
Status PublishWithBackPressure(queue::NatsQueue& q, const queue::ScanJob& job, bool no_wait) {
  const std::string data = queue::EncodeJob(job);
  auto delay = std::chrono::milliseconds(50);
  for (;;) {
    Status s = q.Publish(job.item_id, data);
    if (s.code() != StatusCode::kResourceExhausted || no_wait) return s;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(2000));
  }
}

int RunPublish(const QueueFlags& f) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (f.input != "-") {
    file.open(f.input);
    if (!file) return Fail(NotFoundError(fmt::format("{}: cannot open job file", f.input)));
    in = &file;
  }
  auto q = ConnectQueue(f);
  if (!q.ok()) return Fail(q.status());
  const std::string name = f.input == "-" ? "stdin" : f.input;
  std::string line;
  uint64_t published = 0, bad = 0, line_no = 0;
  Status first = Status::Ok();
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto job = queue::DecodeJob(line, fmt::format("{} line {}", name, line_no));
    Status s = job.ok() ? PublishWithBackPressure(**q, *job, f.no_wait) : job.status();
    if (!s.ok()) {
      PrintError(s);
      ++bad;
      if (first.ok()) first = s;
      if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kResourceExhausted) {
        break;  // the queue, not the job: later lines would fail the same way
      }
      continue;
    }
    ++published;
  }
  std::fprintf(stderr, "vigil: published %llu jobs, %llu refused\n",
               static_cast<unsigned long long>(published), static_cast<unsigned long long>(bad));
  return first.ok() ? 0 : ExitCodeFor(first.code());
}

int RunStatus(const QueueFlags& f) {
  auto q = ConnectQueue(f);
  if (!q.ok()) return Fail(q.status());
  auto depth = (*q)->Depth();
  auto consumer = (*q)->Consumer();
  auto dead = (*q)->Count();
  auto events = (*q)->LastSequence();
  for (const Status& s : {depth.status(), consumer.status(), dead.status(), events.status()}) {
    if (!s.ok()) return Fail(s);
  }
  nlohmann::ordered_json j;
  j["jobs"] = depth->jobs;
  j["max_jobs"] = depth->max_jobs;
  j["undelivered"] = consumer->pending;
  j["in_flight"] = consumer->ack_pending;
  j["redelivered"] = consumer->redelivered;
  j["dead_letters"] = *dead;
  j["bank_events"] = *events;
  if (f.format == "json") {
    std::printf("%s\n", j.dump().c_str());
  } else {
    for (const auto& [key, value] : j.items()) {
      std::printf("%-13s %s\n", key.c_str(), value.dump().c_str());
    }
  }
  return 0;
}

int RunDeadLetters(const QueueFlags& f) {
  auto q = ConnectQueue(f);
  if (!q.ok()) return Fail(q.status());
  auto list = (*q)->List(f.after, f.limit);
  if (!list.ok()) return Fail(list.status());
  for (const queue::DeadLetter& d : *list) {
    if (f.format == "jsonl") {
      nlohmann::ordered_json j{{"sequence", d.sequence},     {"job_id", d.job_id},
                               {"deliveries", d.deliveries}, {"reason", d.reason},
                               {"at_ns", d.at_ns},           {"data", d.data}};
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%llu  %s  deliveries=%llu  %s\n", static_cast<unsigned long long>(d.sequence),
                  d.job_id.c_str(), static_cast<unsigned long long>(d.deliveries),
                  d.reason.c_str());
    }
  }
  return 0;
}

// Settles each dead letter in turn; stops at the first error (those before it stay settled).
int RunSettle(const QueueFlags& f, bool requeue) {
  auto q = ConnectQueue(f);
  if (!q.ok()) return Fail(q.status());
  for (uint64_t seq : f.sequences) {
    Status s = requeue ? (*q)->Requeue(seq) : (*q)->Discard(seq);
    if (!s.ok()) return Fail(s.WithContext(fmt::format("dead letter {}", seq)));
    std::printf("dead letter %llu %s\n", static_cast<unsigned long long>(seq),
                requeue ? "re-queued" : "discarded");
  }
  return 0;
}

void AddNats(CLI::App* cmd, QueueFlags* f) {
  cmd->add_option("--nats", f->nats, "NATS server URL")->capture_default_str();
}

}  // namespace

void RegisterQueueCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<QueueFlags>();
  CLI::App* queue = app.add_subcommand(
      "queue", "Scan jobs for the scale-out workers on NATS JetStream (docs/scaling.md)");
  queue->require_subcommand(1);
  CLI::App* publish = queue->add_subcommand("publish", "Publish scan jobs (JSON lines)");
  AddNats(publish, f.get());
  publish->add_option("input", f->input, "Job file, one JSON job per line ('-': stdin)")
      ->capture_default_str();
  publish->add_flag("--no-wait", f->no_wait,
                    "Fail when the stream is full instead of waiting (back-pressure)");
  publish->callback([f, exit_code] { *exit_code = RunPublish(*f); });
  CLI::App* status = queue->add_subcommand("status", "Jobs waiting, in flight, dead letters");
  AddNats(status, f.get());
  status->add_option("-f,--format", f->format, "text or json")->capture_default_str();
  status->callback([f, exit_code] { *exit_code = RunStatus(*f); });
  CLI::App* dead = queue->add_subcommand("dead-letters", "List jobs the workers gave up on");
  AddNats(dead, f.get());
  dead->add_option("--after", f->after, "Start after this dead-letter sequence");
  dead->add_option("--limit", f->limit, "At most this many")->capture_default_str();
  dead->add_option("-f,--format", f->format, "text or jsonl")->capture_default_str();
  dead->callback([f, exit_code] { *exit_code = RunDeadLetters(*f); });
  CLI::App* requeue =
      queue->add_subcommand("requeue", "Queue dead letters' jobs again as new jobs");
  AddNats(requeue, f.get());
  requeue->add_option("sequence", f->sequences, "Dead-letter sequences")->required();
  requeue->callback([f, exit_code] { *exit_code = RunSettle(*f, /*requeue=*/true); });
  CLI::App* discard =
      queue->add_subcommand("discard", "Remove dead letters without running their jobs");
  AddNats(discard, f.get());
  discard->add_option("sequence", f->sequences, "Dead-letter sequences")->required();
  discard->callback([f, exit_code] { *exit_code = RunSettle(*f, /*requeue=*/false); });
}

}  // namespace vigil::cli
