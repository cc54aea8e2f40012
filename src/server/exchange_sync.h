// The server's scheduled exchange sync (docs/exchanges.md): every exchange_sync_interval a
// background thread syncs each configured exchange in turn, and each committed page's added and
// retired entries go to the live matcher under the same lock as the API's bank changes, so a
// matcher reload never misses or doubles one.
//
// Thread safety: Start and Stop from the server's controlling thread.
#ifndef VIGIL_SERVER_EXCHANGE_SYNC_H_
#define VIGIL_SERVER_EXCHANGE_SYNC_H_

#include "server/api.h"
#include "core/periodic_task.h"

namespace vigil::server {

class ExchangeScheduler {
 public:
  explicit ExchangeScheduler(ServerContext& ctx) : ctx_(ctx) {}
  ~ExchangeScheduler() { Stop(); }

  // Starts the thread when the interval is positive; the first round runs at once.
  void Start();
  // Wakes and joins the thread; a sync in progress finishes its current page first.
  void Stop() { task_.Stop(); }
  // One round over every exchange (the thread's body; tests call it directly). The first error.
  Status SyncAll();

 private:
  ServerContext& ctx_;
  PeriodicTask task_;
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_EXCHANGE_SYNC_H_
