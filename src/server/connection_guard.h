// A total deadline for reading each request, against slow-loris clients.
//
// cpp-httplib's read timeout applies to each read: a client sending one byte just inside it,
// forever, keeps a worker thread (of `threads`) for as long as it likes, and a handful of such
// clients stop the server answering anyone. RequestGuard gives every request a deadline for
// arriving whole (request line, headers and body): a watchdog thread shuts down the socket of a
// connection still reading its request past `timeout`, which ends the worker's read at once.
// Time in a handler does not count (Handling marks it); each request on a kept-alive
// connection gets a fresh deadline when the previous one is answered; a connection waiting in
// the queue for a free worker is not timed.
//
// cpp-httplib hands its task queue an opaque task per accepted connection, and its per-
// connection hook is private, so the guard wraps the task queue (MakeTaskQueue) and finds the
// new connection's socket when the task is queued: the one socket of this process whose local
// port is the server's and whose peer is not already a known connection (Linux: /proc/self/fd).
//
// Thread safety: all members are safe to call from the listener, worker and watchdog threads.
#ifndef VIGIL_SERVER_CONNECTION_GUARD_H_
#define VIGIL_SERVER_CONNECTION_GUARD_H_

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace vigil::server {

class RequestGuard {
 public:
  // Zero `timeout` turns the guard off (tasks run as they are).
  explicit RequestGuard(std::chrono::milliseconds timeout);
  ~RequestGuard();
  RequestGuard(const RequestGuard&) = delete;
  RequestGuard& operator=(const RequestGuard&) = delete;

  // The port the server listens on; set after binding, before serving.
  void set_port(int port) { port_ = port; }

  // A ThreadPool of `threads` workers whose tasks run under the guard (for new_task_queue).
  httplib::TaskQueue* MakeTaskQueue(size_t threads);

  // Connections cut off at the deadline so far.
  uint64_t timed_out() const;

  // Marks the calling worker thread's connection as being answered, for the scope's lifetime.
  class Handling {
   public:
    Handling();
    ~Handling();
    Handling(const Handling&) = delete;
    Handling& operator=(const Handling&) = delete;
  };

 private:
  class Queue;
  struct Peer {
    sockaddr_storage addr{};
    socklen_t len = 0;
    bool operator==(const Peer& o) const;
  };
  struct Connection {
    uint64_t id = 0;
    Peer peer;
    bool started = false;  // a worker is serving it (queued connections are not timed)
    bool handling = false;
    bool cut = false;
    std::chrono::steady_clock::time_point deadline{};
  };

  // On the listener thread, as a task is queued: registers the newly accepted socket.
  int RegisterNewConnection(uint64_t* id);
  // On a worker thread: runs `task` for connection `sock` (-1: not found, run unguarded).
  void Run(int sock, uint64_t id, const std::function<void()>& task);
  void SetHandling(int sock, uint64_t id, bool handling);
  void Watch();

  const std::chrono::milliseconds timeout_;
  std::atomic<int> port_{0};
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;             // guarded by mu_
  uint64_t next_id_ = 1;              // guarded by mu_
  uint64_t timed_out_ = 0;            // guarded by mu_
  std::map<int, Connection> active_;  // by socket; guarded by mu_
  std::thread watchdog_;
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_CONNECTION_GUARD_H_
