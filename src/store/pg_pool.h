// PgPool: a few connections to one PostgreSQL database, shared by the threads of a process.
//
// Each store call borrows a connection for its statements (Acquire) and hands it back when the
// Lease ends, so calls from different threads run side by side on the server instead of queuing
// on one connection. Connections open on demand, up to a maximum; when all are lent, Acquire
// waits. A connection handed back broken (the server went away) or still inside a transaction is
// closed rather than lent again, so the call after a server restart simply connects afresh.
//
// A unit of work that must span several store calls (the scale-out worker's ledger row and the
// item's case, flags and counters: all or nothing) pins a connection to its thread (Pin): until
// the Pin ends, every Acquire on that thread lends the pinned connection, and the stores'
// transactions nest in the pin's own transaction as savepoints (PgTransaction).
//
// Thread safety: Acquire may be called from any thread; a Lease or Pin belongs to one thread.
// Every Lease and Pin must end before the pool is destroyed.
#ifndef VIGIL_STORE_PG_POOL_H_
#define VIGIL_STORE_PG_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/pg_connection.h"

namespace vigil::store {

class PgPool {
 public:
  // A borrowed connection, handed back when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    PgConnection& operator*() const { return *get(); }
    PgConnection* operator->() const { return get(); }

   private:
    friend class PgPool;
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    // The thread's pinned connection: used, never handed back by this lease.
    explicit Lease(PgConnection* pinned) : pool_(nullptr), pinned_(pinned) {}
    PgConnection* get() const { return conn_ != nullptr ? conn_.get() : pinned_; }

    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;  // null once moved from, or when pinned
    PgConnection* pinned_ = nullptr;
  };

  // A connection pinned to the calling thread until destroyed (then handed back).
  class Pin {
   public:
    Pin(Pin&& other) noexcept = default;
    Pin& operator=(Pin&&) = delete;
    ~Pin();

    PgConnection& operator*() const { return *lease_; }
    PgConnection* operator->() const { return &*lease_; }

   private:
    friend class PgPool;
    explicit Pin(Lease lease) : lease_(std::move(lease)) {}

    Lease lease_;
  };

  // `max_connections` >= 1.
  PgPool(PgConnectOptions options, int max_connections);
  ~PgPool();

  // An idle connection, else a new one while fewer than the maximum are open, else the next one
  // handed back. Errors from connecting (PgConnection::Connect).
  // On a thread holding a Pin, that Pin's connection.
  Result<Lease> Acquire();

  // Pins a connection to the calling thread. kFailedPrecondition if the thread already holds one.
  Result<Pin> PinToThread();

  // The redacted URL, for messages.
  const std::string& name() const { return options_.url.redacted; }

 private:
  void Release(std::unique_ptr<PgConnection> conn);
  void Unpin(const PgConnection* conn);

  const PgConnectOptions options_;
  const int max_connections_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  int open_ = 0;                                     // guarded by mu_: idle + lent + being opened
  // Threads holding a Pin and their connection; a handful at most.
  std::vector<std::pair<std::thread::id, PgConnection*>> pinned_;  // guarded by mu_
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_POOL_H_
