// Job deliveries from the shared pull consumer, and the dead-letter stream.
#include <fmt/format.h>

#include <algorithm>

#include "queue/nats.h"
#include "queue/nats_internal.h"

namespace vigil::queue {
namespace {

using nats_internal::ErrorOf;

constexpr char kReasonHeader[] = "Vigil-Reason";
constexpr char kJobHeader[] = "Vigil-Job";
constexpr char kDeliveriesHeader[] = "Vigil-Deliveries";

// A header value: one line, bounded (the full error is in the worker's log).
std::string HeaderValue(std::string_view text) {
  std::string out(text.substr(0, 512));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

class NatsDelivery final : public Delivery {
 public:
  NatsDelivery(natsMsg* msg, const NatsQueue::Impl& impl, const NatsOptions& options)
      : msg_(msg), impl_(impl), options_(options) {
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg_) == NATS_OK) {
      id_ = fmt::format("{}:{}", meta->Stream, meta->Sequence.Stream);
      attempt_ = meta->NumDelivered;
      enqueued_ns_ = meta->Timestamp;
      pending_ = meta->NumPending;
      jsMsgMetaData_Destroy(meta);
    }
  }
  ~NatsDelivery() override { natsMsg_Destroy(msg_); }

  std::string_view data() const override {
    return {natsMsg_GetData(msg_), static_cast<size_t>(natsMsg_GetDataLength(msg_))};
  }
  const std::string& id() const override { return id_; }
  uint64_t attempt() const override { return attempt_; }
  int64_t enqueued_ns() const override { return enqueued_ns_; }
  uint64_t pending() const override { return pending_; }

  Status Ack() override { return Settle(natsMsg_Ack(msg_, nullptr), "ack"); }
  Status Retry(std::chrono::milliseconds delay) override {
    return Settle(natsMsg_NakWithDelay(msg_, delay.count(), nullptr), "nak");
  }
  Status DeadLetter(std::string_view reason) override {
    natsMsg* dead = nullptr;
    const std::string_view body = data();
    if (natsMsg_Create(&dead, options_.dead_subject.c_str(), nullptr, body.data(),
                       static_cast<int>(body.size())) != NATS_OK) {
      return InternalError(fmt::format("job {}: cannot make its dead letter", id_));
    }
    natsMsgHeader_Set(dead, kReasonHeader, HeaderValue(reason).c_str());
    natsMsgHeader_Set(dead, kJobHeader, id_.c_str());
    natsMsgHeader_Set(dead, kDeliveriesHeader, std::to_string(attempt_).c_str());
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_PublishMsg(&ack, impl_.js, dead, nullptr, &code);
    if (ack != nullptr) jsPubAck_Destroy(ack);
    natsMsg_Destroy(dead);
    // Only once it is safe in the dead-letter stream may the job leave the work queue.
    if (s != NATS_OK) return ErrorOf(s, code, fmt::format("dead-lettering job {}", id_), impl_.url);
    return Ack();
  }

 private:
  Status Settle(natsStatus s, std::string_view what) {
    if (s == NATS_OK) return Status::Ok();
    return ErrorOf(s, static_cast<jsErrCode>(0), fmt::format("{} of job {}", what, id_), impl_.url);
  }

  natsMsg* msg_;
  const NatsQueue::Impl& impl_;
  const NatsOptions& options_;
  std::string id_ = "?";
  uint64_t attempt_ = 1;
  int64_t enqueued_ns_ = 0;
  uint64_t pending_ = 0;
};

class NatsJobSource final : public JobSource {
 public:
  NatsJobSource(natsSubscription* sub, const NatsQueue::Impl& impl, const NatsOptions& options)
      : sub_(sub), impl_(impl), options_(options) {}
  ~NatsJobSource() override { natsSubscription_Destroy(sub_); }

  Result<std::vector<std::unique_ptr<Delivery>>> Fetch(int max,
                                                       std::chrono::milliseconds wait) override {
    natsMsgList list{};
    natsStatus s = natsSubscription_Fetch(&list, sub_, std::max(1, max), wait.count(), nullptr);
    std::vector<std::unique_ptr<Delivery>> out;
    if (s == NATS_TIMEOUT) return out;
    if (s != NATS_OK) {
      natsMsgList_Destroy(&list);
      return ErrorOf(s, static_cast<jsErrCode>(0), "fetching jobs", impl_.url);
    }
    for (int i = 0; i < list.Count; ++i) {
      out.push_back(std::make_unique<NatsDelivery>(list.Msgs[i], impl_, options_));
      list.Msgs[i] = nullptr;  // owned by the delivery now
    }
    natsMsgList_Destroy(&list);
    return out;
  }

 private:
  natsSubscription* sub_;
  const NatsQueue::Impl& impl_;
  const NatsOptions& options_;
};

std::string HeaderOf(natsMsg* msg, const char* key) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg, key, &value) != NATS_OK || value == nullptr) return "";
  return value;
}

}  // namespace

Result<std::unique_ptr<JobSource>> NatsQueue::OpenJobSource() {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.jobs_stream.c_str();
  so.Consumer = options_.consumer.c_str();  // bind to the shared durable consumer
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, impl_->js, options_.jobs_subject.c_str(),
                                  options_.consumer.c_str(), nullptr, &so, &code);
  if (s != NATS_OK) {
    return ErrorOf(s, code, fmt::format("subscribing to {}", options_.consumer), impl_->url);
  }
  return std::unique_ptr<JobSource>(new NatsJobSource(sub, *impl_, options_));
}

namespace {

// Reads dead letter `seq`; kNotFound (by ErrorOf) when it is not in the stream.
Result<DeadLetter> ReadDeadLetter(const NatsQueue::Impl& impl, const std::string& stream,
                                  uint64_t seq) {
  natsMsg* msg = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetMsg(&msg, impl.js, stream.c_str(), seq, nullptr, &code);
  if (s != NATS_OK) return ErrorOf(s, code, fmt::format("dead letter {}", seq), impl.url);
  DeadLetter d;
  d.sequence = seq;
  d.job_id = HeaderOf(msg, kJobHeader);
  d.reason = HeaderOf(msg, kReasonHeader);
  const std::string deliveries = HeaderOf(msg, kDeliveriesHeader);
  d.deliveries = deliveries.empty() ? 0 : std::strtoull(deliveries.c_str(), nullptr, 10);
  d.data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  d.at_ns = natsMsg_GetTime(msg);
  natsMsg_Destroy(msg);
  return d;
}

}  // namespace

Result<std::vector<DeadLetter>> NatsQueue::List(uint64_t after, size_t limit) {
  ASSIGN_OR_RETURN(jsStreamInfo * si, nats_internal::StreamInfo(*impl_, options_.dead_stream));
  const uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
  jsStreamInfo_Destroy(si);
  std::vector<DeadLetter> out;
  for (uint64_t seq = std::max(first, after + 1); seq <= last && out.size() < limit; ++seq) {
    auto d = ReadDeadLetter(*impl_, options_.dead_stream, seq);
    if (!d.ok() && d.status().code() == StatusCode::kNotFound) continue;  // settled
    if (!d.ok()) return d.status();
    out.push_back(std::move(*d));
  }
  return out;
}

Result<DeadLetter> NatsQueue::Get(uint64_t sequence) {
  RETURN_IF_ERROR(nats_internal::CheckConnected(*impl_, fmt::format("dead letter {}", sequence)));
  return ReadDeadLetter(*impl_, options_.dead_stream, sequence);
}

Status NatsQueue::Requeue(uint64_t sequence) {
  ASSIGN_OR_RETURN(DeadLetter d, Get(sequence));
  // Not the item id as de-duplication id: its first publish may be inside the window still.
  RETURN_IF_ERROR(Publish(fmt::format("{}:{}", options_.dead_stream, sequence), d.data));
  return Discard(sequence);
}

Status NatsQueue::Discard(uint64_t sequence) {
  RETURN_IF_ERROR(nats_internal::CheckConnected(*impl_, fmt::format("dead letter {}", sequence)));
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteMsg(impl_->js, options_.dead_stream.c_str(), sequence, nullptr, &code);
  if (s == NATS_OK) return Status::Ok();
  // The server's answer for a missing message is a generic failure: ask for it.
  if (Result<DeadLetter> d = Get(sequence); d.status().code() == StatusCode::kNotFound) {
    return d.status();
  }
  return ErrorOf(s, code, fmt::format("removing dead letter {}", sequence), impl_->url);
}

Result<uint64_t> NatsQueue::Count() {
  ASSIGN_OR_RETURN(jsStreamInfo * si, nats_internal::StreamInfo(*impl_, options_.dead_stream));
  const uint64_t n = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  return n;
}

}  // namespace vigil::queue
