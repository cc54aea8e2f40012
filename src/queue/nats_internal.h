// libnats handles and helpers shared by nats.cc, nats_source.cc and nats_events.cc; only these
// files include <nats/nats.h>.
#ifndef VIGIL_QUEUE_NATS_INTERNAL_H_
#define VIGIL_QUEUE_NATS_INTERNAL_H_

#include <nats/nats.h>

#include <string>
#include <string_view>

#include "core/status.h"
#include "queue/nats.h"

namespace vigil::queue {

struct NatsQueue::Impl {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  std::string url;  // for messages
  ~Impl() {
    if (js != nullptr) jsCtx_Destroy(js);
    if (nc != nullptr) natsConnection_Destroy(nc);
  }
};

namespace nats_internal {

// The Status of a failed libnats call: kResourceExhausted when a stream refused a message for
// its limit, kNotFound for a missing stream, consumer or message, kUnavailable otherwise (the
// server is down, restarting or slow); the message names `what` and the server.
Status ErrorOf(natsStatus s, jsErrCode code, std::string_view what, std::string_view url);

// kUnavailable naming `what` while the connection is down or reconnecting: libnats would buffer
// a publish then and send it after the reconnect, too late for a caller who was told it failed.
Status CheckConnected(const NatsQueue::Impl& impl, std::string_view what);

// The stream's info; the caller destroys it. kUnavailable at once while disconnected.
Result<jsStreamInfo*> StreamInfo(const NatsQueue::Impl& impl, const std::string& stream);

}  // namespace nats_internal
}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_NATS_INTERNAL_H_
