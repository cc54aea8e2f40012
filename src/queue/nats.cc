#include "queue/nats.h"

#include <fmt/format.h>

#include <thread>

#include "queue/job.h"
#include "queue/nats_internal.h"

namespace vigil::queue {
namespace nats_internal {

Status ErrorOf(natsStatus s, jsErrCode code, std::string_view what, std::string_view url) {
  std::string detail = natsStatus_GetText(s);
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') {
    detail = last;
  }
  std::string message = fmt::format("NATS {}: {}: {}", url, what, detail);
  if (code == JSStreamStoreFailedErr || s == NATS_MAX_PAYLOAD ||
      detail.find("maximum messages") != std::string::npos) {
    return ResourceExhaustedError(std::move(message));
  }
  if (code == JSStreamNotFoundErr || code == JSConsumerNotFoundErr || code == JSNoMessageFoundErr ||
      s == NATS_NOT_FOUND) {
    return NotFoundError(std::move(message));
  }
  return UnavailableError(std::move(message));
}

Status CheckConnected(const NatsQueue::Impl& impl, std::string_view what) {
  if (natsConnection_Status(impl.nc) == NATS_CONN_STATUS_CONNECTED) return Status::Ok();
  return UnavailableError(fmt::format("NATS {}: {}: not connected", impl.url, what));
}

Result<jsStreamInfo*> StreamInfo(const NatsQueue::Impl& impl, const std::string& stream) {
  RETURN_IF_ERROR(CheckConnected(impl, fmt::format("stream {}", stream)));
  jsStreamInfo* si = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, impl.js, stream.c_str(), nullptr, &code);
  if (s != NATS_OK) return ErrorOf(s, code, fmt::format("stream {}", stream), impl.url);
  return si;
}

}  // namespace nats_internal

namespace {

using nats_internal::ErrorOf;

int64_t Nanos(std::chrono::nanoseconds d) { return d.count(); }

struct StreamSpec {
  const std::string& name;
  const std::string& subject;
  jsRetentionPolicy retention;
  int64_t max_msgs;  // -1: no limit
  std::chrono::seconds dedup_window;
};

Status EnsureStream(NatsQueue::Impl& impl, const StreamSpec& spec, bool file_storage) {
  auto existing = nats_internal::StreamInfo(impl, spec.name);
  if (existing.ok()) {
    jsStreamInfo_Destroy(*existing);
    return Status::Ok();
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  const char* subjects[] = {spec.subject.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Retention = spec.retention;
  cfg.MaxMsgs = spec.max_msgs;
  cfg.Discard = js_DiscardNew;
  cfg.Storage = file_storage ? js_FileStorage : js_MemoryStorage;
  cfg.Duplicates = Nanos(spec.dedup_window);
  jsStreamInfo* si = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&si, impl.js, &cfg, nullptr, &code);
  if (si != nullptr) jsStreamInfo_Destroy(si);
  if (s == NATS_OK || code == JSStreamNameExistErr) return Status::Ok();
  return ErrorOf(s, code, fmt::format("creating stream {}", spec.name), impl.url);
}

Status EnsureConsumer(NatsQueue::Impl& impl, const NatsOptions& o) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetConsumerInfo(&ci, impl.js, o.jobs_stream.c_str(), o.consumer.c_str(), nullptr, &code);
  if (ci != nullptr) jsConsumerInfo_Destroy(ci);
  if (s == NATS_OK) return Status::Ok();
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = o.consumer.c_str();
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = Nanos(o.ack_wait);
  // Unlimited here: the worker itself dead-letters a job delivered more than max_deliver times,
  // including one that crashes every worker that takes it (the server would only stop it).
  cc.MaxDeliver = -1;
  cc.MaxAckPending = o.max_ack_pending;
  cc.FilterSubject = o.jobs_subject.c_str();
  code = static_cast<jsErrCode>(0);
  s = js_AddConsumer(&ci, impl.js, o.jobs_stream.c_str(), &cc, nullptr, &code);
  if (ci != nullptr) jsConsumerInfo_Destroy(ci);
  if (s == NATS_OK) return Status::Ok();
  return ErrorOf(s, code, fmt::format("creating consumer {}", o.consumer), impl.url);
}

Status CheckOptions(const NatsOptions& o) {
  if (o.url.empty()) return InvalidArgumentError("NATS: the server URL is empty");
  if (o.max_deliver < 1) {
    return InvalidArgumentError(
        fmt::format("NATS: max_deliver must be at least 1, got {}", o.max_deliver));
  }
  if (o.max_jobs < 1) {
    return InvalidArgumentError(
        fmt::format("NATS: max_jobs must be at least 1, got {}", o.max_jobs));
  }
  if (o.ack_wait < std::chrono::milliseconds(100)) {
    return InvalidArgumentError("NATS: ack_wait must be at least 100 ms");
  }
  return Status::Ok();
}

Status Dial(const NatsOptions& o, NatsQueue::Impl& impl) {
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return InternalError("NATS: cannot create options");
  natsOptions_SetURL(opts, o.url.c_str());
  natsOptions_SetName(opts, o.client_name.c_str());
  natsOptions_SetTimeout(opts, 2000);
  natsOptions_SetMaxReconnect(opts, -1);  // a worker outlives any restart of the server
  natsOptions_SetReconnectWait(opts, 200);
  natsStatus s = NATS_OK;
  // The server may be starting next to us (a test, a container): retry for about 5 s.
  for (int attempt = 0; attempt < 25; ++attempt) {
    s = natsConnection_Connect(&impl.nc, opts);
    if (s == NATS_OK) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  natsOptions_Destroy(opts);
  if (s != NATS_OK) return ErrorOf(s, static_cast<jsErrCode>(0), "connecting", impl.url);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 5000;
  s = natsConnection_JetStream(&impl.js, impl.nc, &jo);
  if (s != NATS_OK) return ErrorOf(s, static_cast<jsErrCode>(0), "JetStream", impl.url);
  return Status::Ok();
}

}  // namespace

NatsQueue::NatsQueue(NatsOptions options, std::unique_ptr<Impl> impl)
    : options_(std::move(options)), impl_(std::move(impl)) {}

NatsQueue::~NatsQueue() = default;

Result<std::unique_ptr<NatsQueue>> NatsQueue::Connect(const NatsOptions& o) {
  RETURN_IF_ERROR(CheckOptions(o));
  auto impl = std::make_unique<Impl>();
  impl->url = o.url;
  RETURN_IF_ERROR(Dial(o, *impl));
  RETURN_IF_ERROR(EnsureStream(
      *impl, {o.jobs_stream, o.jobs_subject, js_WorkQueuePolicy, o.max_jobs, o.dedup_window},
      o.file_storage));
  RETURN_IF_ERROR(EnsureStream(
      *impl, {o.dead_stream, o.dead_subject, js_LimitsPolicy, -1, o.dedup_window}, o.file_storage));
  RETURN_IF_ERROR(
      EnsureStream(*impl, {o.events_stream, o.events_subject, js_LimitsPolicy, -1, o.dedup_window},
                   o.file_storage));
  RETURN_IF_ERROR(EnsureConsumer(*impl, o));
  return std::unique_ptr<NatsQueue>(new NatsQueue(o, std::move(impl)));
}

Status NatsQueue::Publish(std::string_view dedup_id, std::string_view data) {
  if (data.size() > kMaxJobBytes) {
    return ResourceExhaustedError(
        fmt::format("job {}: {} bytes, more than {}", dedup_id, data.size(), kMaxJobBytes));
  }
  RETURN_IF_ERROR(
      nats_internal::CheckConnected(*impl_, fmt::format("publishing job {}", dedup_id)));
  jsPubOptions po;
  jsPubOptions_Init(&po);
  const std::string id(dedup_id);
  if (!id.empty()) po.MsgId = id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, impl_->js, options_.jobs_subject.c_str(), data.data(),
                            static_cast<int>(data.size()), &po, &code);
  if (ack != nullptr) jsPubAck_Destroy(ack);
  if (s == NATS_OK) return Status::Ok();
  return ErrorOf(s, code, fmt::format("publishing job {}", dedup_id), impl_->url);
}

Result<QueueDepth> NatsQueue::Depth() {
  ASSIGN_OR_RETURN(jsStreamInfo * si, nats_internal::StreamInfo(*impl_, options_.jobs_stream));
  QueueDepth depth{
      .jobs = si->State.Msgs,
      .max_jobs = si->Config->MaxMsgs > 0 ? static_cast<uint64_t>(si->Config->MaxMsgs) : 0};
  jsStreamInfo_Destroy(si);
  return depth;
}

Result<NatsQueue::ConsumerState> NatsQueue::Consumer() {
  jsConsumerInfo* ci = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, impl_->js, options_.jobs_stream.c_str(),
                                    options_.consumer.c_str(), nullptr, &code);
  if (s != NATS_OK) {
    return ErrorOf(s, code, fmt::format("consumer {}", options_.consumer), impl_->url);
  }
  ConsumerState state{.pending = ci->NumPending,
                      .ack_pending = ci->NumAckPending,
                      .redelivered = ci->NumRedelivered};
  jsConsumerInfo_Destroy(ci);
  return state;
}

}  // namespace vigil::queue
