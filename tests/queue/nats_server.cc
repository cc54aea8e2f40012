#include "queue/nats_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

namespace vigil::testing {

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

namespace {

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

std::string NatsServer::Binary() {
  if (const char* env = std::getenv("VIGIL_NATS_SERVER"); env != nullptr && *env != '\0') {
    return access(env, X_OK) == 0 ? env : "";
  }
  for (const char* path : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

NatsServer::NatsServer(std::filesystem::path dir, int port)
    : dir_(std::move(dir)), port_(port), url_("nats://127.0.0.1:" + std::to_string(port)) {}

std::unique_ptr<NatsServer> NatsServer::Start(std::string* error) {
  if (Binary().empty()) {
    *error = kNoNatsMessage;
    return nullptr;
  }
  std::mt19937_64 rng(std::random_device{}());
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-nats-" + std::to_string(getpid()) + "-" + std::to_string(rng() % 1000000));
  std::filesystem::create_directories(dir);
  const int port = FreeLoopbackPort();
  std::unique_ptr<NatsServer> server(new NatsServer(dir, port));
  if (port <= 0 || !server->Launch()) {
    *error = "nats-server did not start on port " + std::to_string(port);
    return nullptr;
  }
  return server;
}

bool NatsServer::Launch() {
  pid_ = fork();
  if (pid_ == 0) {
    const std::string bin = Binary(), port = std::to_string(port_), store = dir_.string();
    const std::string log = (dir_ / "nats.log").string();
    execl(bin.c_str(), bin.c_str(), "-js", "-a", "127.0.0.1", "-p", port.c_str(), "-sd",
          store.c_str(), "-l", log.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 100; ++i) {  // up to 10 s on a loaded machine
    if (Accepts(port_)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void NatsServer::Stop(bool kill) {
  if (pid_ <= 0) return;
  ::kill(pid_, kill ? SIGKILL : SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool NatsServer::Restart(bool kill) {
  Stop(kill);
  return Launch();
}

NatsServer::~NatsServer() {
  Stop(true);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace vigil::testing
