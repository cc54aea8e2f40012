#include "store/pg_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace vigil::store {

PgPool::Lease::~Lease() {
  if (conn_ != nullptr && pool_ != nullptr) pool_->Release(std::move(conn_));
}

PgPool::PgPool(PgConnectOptions options, int max_connections)
    : options_(std::move(options)), max_connections_(max_connections) {
  assert(max_connections >= 1);
}

PgPool::~PgPool() {
  std::lock_guard<std::mutex> lock(mu_);
  assert(open_ == static_cast<int>(idle_.size()) && "a Lease outlived its PgPool");
}

PgPool::Pin::~Pin() {
  if (lease_.pool_ != nullptr && lease_.conn_ != nullptr) lease_.pool_->Unpin(lease_.conn_.get());
}

Result<PgPool::Pin> PgPool::PinToThread() {
  const std::thread::id self = std::this_thread::get_id();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [thread, conn] : pinned_) {
      if (thread == self) {
        return FailedPreconditionError(
            fmt::format("{}: this thread already holds a pinned connection", name()));
      }
    }
  }
  ASSIGN_OR_RETURN(Lease lease, Acquire());
  {
    std::lock_guard<std::mutex> lock(mu_);
    pinned_.emplace_back(self, lease.get());
  }
  return Pin(std::move(lease));
}

void PgPool::Unpin(const PgConnection* conn) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(pinned_, [&](const auto& p) { return p.second == conn; });
}

Result<PgPool::Lease> PgPool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    const std::thread::id self = std::this_thread::get_id();
    for (const auto& [thread, conn] : pinned_) {
      if (thread == self) return Lease(conn);
    }
    released_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;  // reserves the slot while connecting without the lock
  }
  auto conn = PgConnection::Connect(options_);
  if (!conn.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    released_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  const bool keep = conn->reusable();
  if (!keep) conn.reset();  // closed outside the lock: PQfinish may wait on the network
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  released_.notify_one();
}

}  // namespace vigil::store
