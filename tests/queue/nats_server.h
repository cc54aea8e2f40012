// A throw-away nats-server with JetStream for tests: started on a free loopback port with its
// store in a fresh temporary directory, stopped (and the directory removed) when destroyed.
// Tests skip with a message when the nats-server binary is absent (scripts/setup installs it).
#ifndef VIGIL_TESTS_QUEUE_NATS_SERVER_H_
#define VIGIL_TESTS_QUEUE_NATS_SERVER_H_

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace vigil::testing {

inline constexpr char kNoNatsMessage[] =
    "nats-server is not installed, so the NATS JetStream tests cannot run; install it with "
    "scripts/setup (Debian package nats-server)";

class NatsServer {
 public:
  // The binary's path, or "" when absent ($VIGIL_NATS_SERVER, else /usr/sbin or /usr/bin).
  static std::string Binary();

  // Starts a server and waits until it accepts connections; null (with the reason in `error`)
  // when it cannot.
  static std::unique_ptr<NatsServer> Start(std::string* error);
  ~NatsServer();

  // Stops the server (SIGTERM, or SIGKILL with `kill`) and starts it again on the same port and
  // store; false when it does not come back.
  bool Restart(bool kill = false);
  void Stop(bool kill = false);
  bool Launch();

  const std::string& url() const { return url_; }
  int port() const { return port_; }

 private:
  NatsServer(std::filesystem::path dir, int port);

  std::filesystem::path dir_;
  int port_;
  std::string url_;
  pid_t pid_ = -1;
};

// A free TCP port on 127.0.0.1 (bound, read and released).
int FreeLoopbackPort();

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_QUEUE_NATS_SERVER_H_
