// Bank events: published after the database change, read by every worker through its own
// ordered consumer (no acks; the client re-creates it from the last sequence seen after a gap or
// a reconnect, so a worker resumes exactly where it was).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "queue/nats.h"
#include "queue/nats_internal.h"

namespace vigil::queue {
namespace {

using nats_internal::ErrorOf;

class NatsEventSubscription final : public EventSubscription {
 public:
  explicit NatsEventSubscription(std::function<void(uint64_t, const BankEvent&)> fn)
      : fn_(std::move(fn)) {}

  ~NatsEventSubscription() override {
    if (sub_ == nullptr) return;
    natsSubscription_Unsubscribe(sub_);
    {
      // The completion callback runs once no message callback is running or will run.
      std::unique_lock<std::mutex> lock(mu_);
      completed_.wait_for(lock, std::chrono::seconds(5), [&] { return complete_; });
    }
    natsSubscription_Destroy(sub_);
  }

  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<NatsEventSubscription*>(closure);
    jsMsgMetaData* meta = nullptr;
    uint64_t seq = 0;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
      seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    const std::string_view data(natsMsg_GetData(msg),
                                static_cast<size_t>(natsMsg_GetDataLength(msg)));
    auto event = DecodeBankEvent(data, fmt::format("bank event {}", seq));
    if (event.ok()) {
      self->fn_(seq, *event);
    } else {
      spdlog::warn("{}", event.status().message());  // not ours to apply; later events still are
    }
    natsMsg_Destroy(msg);
  }

  static void OnComplete(void* closure) {
    auto* self = static_cast<NatsEventSubscription*>(closure);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->complete_ = true;
    self->completed_.notify_all();
  }

  natsSubscription* sub_ = nullptr;

 private:
  std::function<void(uint64_t, const BankEvent&)> fn_;
  std::mutex mu_;
  std::condition_variable completed_;
  bool complete_ = false;  // guarded by mu_
};

}  // namespace

Status NatsQueue::Publish(const BankEvent& event) {
  RETURN_IF_ERROR(nats_internal::CheckConnected(
      *impl_, fmt::format("publishing bank event for {}", BankEventSubject(event))));
  const std::string data = EncodeBankEvent(event);
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, impl_->js, options_.events_subject.c_str(), data.data(),
                            static_cast<int>(data.size()), nullptr, &code);
  if (ack != nullptr) jsPubAck_Destroy(ack);
  if (s == NATS_OK) return Status::Ok();
  return ErrorOf(s, code, fmt::format("publishing bank event for {}", BankEventSubject(event)),
                 impl_->url);
}

Result<uint64_t> NatsQueue::LastSequence() {
  ASSIGN_OR_RETURN(jsStreamInfo * si, nats_internal::StreamInfo(*impl_, options_.events_stream));
  const uint64_t last = si->State.LastSeq;
  jsStreamInfo_Destroy(si);
  return last;
}

Result<std::unique_ptr<EventSubscription>> NatsQueue::Subscribe(
    uint64_t after, std::function<void(uint64_t, const BankEvent&)> fn) {
  auto subscription = std::make_unique<NatsEventSubscription>(std::move(fn));
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.events_stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = after + 1;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s =
      js_Subscribe(&subscription->sub_, impl_->js, options_.events_subject.c_str(),
                   &NatsEventSubscription::OnMessage, subscription.get(), nullptr, &so, &code);
  if (s != NATS_OK) {
    subscription->sub_ = nullptr;
    return ErrorOf(s, code, "subscribing to bank events", impl_->url);
  }
  natsSubscription_SetOnCompleteCB(subscription->sub_, &NatsEventSubscription::OnComplete,
                                   subscription.get());
  return std::unique_ptr<EventSubscription>(std::move(subscription));
}

}  // namespace vigil::queue
