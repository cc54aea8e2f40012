#include "server/connection_guard.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace vigil::server {
namespace {

// The connection the calling worker thread is serving, for Handling.
struct Current {
  RequestGuard* guard = nullptr;
  int sock = -1;
  uint64_t id = 0;
};
thread_local Current current;

int LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// The process's open socket descriptors.
std::vector<int> OpenSockets() {
  std::vector<int> out;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  const int own = ::dirfd(dir);
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const int fd = std::atoi(e->d_name);
    struct stat st;
    if (fd != own && ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) out.push_back(fd);
  }
  ::closedir(dir);
  return out;
}

}  // namespace

bool RequestGuard::Peer::operator==(const Peer& o) const {
  return len == o.len && std::memcmp(&addr, &o.addr, len) == 0;
}

// A ThreadPool whose tasks run under the guard.
class RequestGuard::Queue final : public httplib::TaskQueue {
 public:
  Queue(RequestGuard& guard, size_t threads) : guard_(guard), pool_(threads) {}
  void enqueue(std::function<void()> fn) override {
    uint64_t id = 0;
    const int sock = guard_.RegisterNewConnection(&id);
    pool_.enqueue([this, sock, id, fn = std::move(fn)] { guard_.Run(sock, id, fn); });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  RequestGuard& guard_;
  httplib::ThreadPool pool_;
};

RequestGuard::RequestGuard(std::chrono::milliseconds timeout) : timeout_(timeout) {
  if (timeout_.count() > 0) watchdog_ = std::thread([this] { Watch(); });
}

RequestGuard::~RequestGuard() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

httplib::TaskQueue* RequestGuard::MakeTaskQueue(size_t threads) {
  if (timeout_.count() <= 0) return new httplib::ThreadPool(threads);
  return new Queue(*this, threads);
}

uint64_t RequestGuard::timed_out() const {
  std::lock_guard<std::mutex> lock(mu_);
  return timed_out_;
}

int RequestGuard::RegisterNewConnection(uint64_t* id) {
  const int port = port_.load();
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : OpenSockets()) {
    if (LocalPort(fd) != port) continue;
    Peer peer;
    peer.len = sizeof(peer.addr);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer.addr), &peer.len) != 0) continue;
    auto it = active_.find(fd);
    // A known connection, or (different peer) a descriptor reused before its old task ended.
    if (it != active_.end() && it->second.peer == peer) continue;
    *id = next_id_++;
    active_[fd] = Connection{.id = *id, .peer = peer};
    return fd;
  }
  return -1;
}

void RequestGuard::Run(int sock, uint64_t id, const std::function<void()>& task) {
  if (sock >= 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = active_.find(sock);
    if (it != active_.end() && it->second.id == id) {
      it->second.started = true;
      it->second.deadline = std::chrono::steady_clock::now() + timeout_;
    }
  }
  current = {this, sock, id};
  task();  // serves the connection and closes `sock`
  current = {};
  if (sock < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(sock);
  // The descriptor may already belong to a newer connection, registered under another id.
  if (it != active_.end() && it->second.id == id) active_.erase(it);
}

void RequestGuard::SetHandling(int sock, uint64_t id, bool handling) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(sock);
  if (it == active_.end() || it->second.id != id) return;
  it->second.handling = handling;
  // The next request on a kept-alive connection gets the full time again.
  if (!handling) it->second.deadline = std::chrono::steady_clock::now() + timeout_;
}

RequestGuard::Handling::Handling() {
  if (current.guard != nullptr) current.guard->SetHandling(current.sock, current.id, true);
}

RequestGuard::Handling::~Handling() {
  if (current.guard != nullptr) current.guard->SetHandling(current.sock, current.id, false);
}

void RequestGuard::Watch() {
  // A quarter of the timeout, at most 100 ms, bounds how late a cut-off comes.
  const auto tick = std::min<std::chrono::milliseconds>(
      std::chrono::milliseconds(100), timeout_ / 4 + std::chrono::milliseconds(1));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, tick);
    const auto now = std::chrono::steady_clock::now();
    for (auto& [sock, c] : active_) {
      if (!c.started || c.handling || c.cut || now < c.deadline) continue;
      c.cut = true;
      Peer peer;
      peer.len = sizeof(peer.addr);
      if (::getpeername(sock, reinterpret_cast<sockaddr*>(&peer.addr), &peer.len) != 0 ||
          !(peer == c.peer)) {
        continue;  // already closed, or the descriptor now belongs to someone else
      }
      // Ends the worker's blocked read (and any later one); the worker then closes the socket.
      ::shutdown(sock, SHUT_RDWR);
      ++timed_out_;
    }
  }
}

}  // namespace vigil::server
