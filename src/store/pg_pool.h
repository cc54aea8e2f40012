// PgPool: a few connections to one PostgreSQL database, shared by the threads of a process.
//
// Each store call borrows a connection for its statements (Acquire) and hands it back when the
// Lease ends, so calls from different threads run side by side on the server instead of queuing
// on one connection. Connections open on demand, up to a maximum; when all are lent, Acquire
// waits. A connection handed back broken (the server went away) or still inside a transaction is
// closed rather than lent again, so the call after a server restart simply connects afresh.
//
// Thread safety: Acquire may be called from any thread; a Lease belongs to one thread. Every
// Lease must end before the pool is destroyed.
#ifndef VIGIL_STORE_PG_POOL_H_
#define VIGIL_STORE_PG_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
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

    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    friend class PgPool;
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}

    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;  // null once moved from
  };

  // `max_connections` >= 1.
  PgPool(PgConnectOptions options, int max_connections);
  ~PgPool();

  // An idle connection, else a new one while fewer than the maximum are open, else the next one
  // handed back. Errors from connecting (PgConnection::Connect).
  Result<Lease> Acquire();

  // The redacted URL, for messages.
  const std::string& name() const { return options_.url.redacted; }

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const PgConnectOptions options_;
  const int max_connections_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  int open_ = 0;                                     // guarded by mu_: idle + lent + being opened
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_POOL_H_
